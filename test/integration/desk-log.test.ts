import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { pino } from 'pino';
import { RedisDeskLog } from '../../src/adapters/queue/redis-desk-log.js';
import type { DeskMark } from '../../src/app/agent-desk/desk-events.js';
import type { NumberedDeskEvent } from '../../src/app/ports/desk-event-log.js';

const mark = (state: string): DeskMark => ({
  status: 'Available', break_reason: null, state, ready_at: null, delay_until: null, wrap_up_ends_at: null, attempt_id: null, steps: [], result: null,
});

describe('W3: the per-agent event log in Redis (redis-desk-log)', () => {
  const prefix = `{desk-log-${randomBytes(4).toString('hex')}}`;
  const log = pino({ level: 'silent' });
  // Two processes of one deployment, each appending what it read.
  const a = new RedisDeskLog({ redisUrl: 'redis://127.0.0.1:6379', prefix, instanceId: 'a', log });
  const b = new RedisDeskLog({ redisUrl: 'redis://127.0.0.1:6379', prefix, instanceId: 'b', log });
  const heardByA: NumberedDeskEvent[] = [];
  const heardByB: NumberedDeskEvent[] = [];
  before(async () => {
    await a.listen((e) => heardByA.push(e));
    await b.listen((e) => heardByB.push(e));
  });
  after(async () => {
    await a.close();
    await b.close();
  });

  it('W3: appends of one agent are compare-and-set on the version read: the loser appends nothing and reads again; every process hears one numbered sequence', async () => {
    const start = await a.read(5);
    expect(start).to.deep.include({ seq: 0, version: 0, mark: null });
    const [fromA, fromB] = await Promise.all([
      a.append(5, start.version, mark('Reserved'), [{ type: 'ringing', attempt_id: 1 }, { type: 'connected', attempt_id: 1 }], 1000),
      b.append(5, start.version, mark('Receiving'), [{ type: 'ringing', attempt_id: 1 }], 1000),
    ]);
    // Exactly one of the two read-then-append steps won.
    expect([fromA, fromB].filter((x) => x === null)).to.have.length(1);
    const after1 = await b.read(5);
    expect(after1.version).to.equal(1);
    // The loser reads again and appends on the new version.
    expect(await b.append(5, after1.version, mark('In a queue call'), [{ type: 'subscriber_answered', attempt_id: 1, answered_at: null }], 2000))
      .to.equal(after1.seq + 1);
    // A write with nothing to tell keeps the numbers and moves the version.
    expect(await a.append(5, after1.version + 1, mark('In a queue call'), [], 3000)).to.equal(after1.seq + 1);
    expect((await a.read(5)).atMs).to.equal(3000);
    await a.touch(5, 4000);
    expect((await b.read(5))).to.deep.include({ atMs: 4000, version: after1.version + 2 });
    const expected = after1.seq + 1;
    for (const heard of [heardByA, heardByB]) {
      for (let i = 0; i < 200 && heard.length < expected; i++) await new Promise((r) => setTimeout(r, 10));
      expect(heard.map((e) => e.seq)).to.deep.equal(Array.from({ length: expected }, (_, i) => i + 1));
    }
    expect(heardByA.map((e) => e.event.type)).to.deep.equal(heardByB.map((e) => e.event.type));
  });

  it('W3: touching an agent that has no entry creates none (its first client starts from a snapshot)', async () => {
    await a.touch(77, 5000);
    expect(await a.read(77)).to.deep.include({ seq: 0, version: 0, atMs: 0, mark: null });
  });
});
