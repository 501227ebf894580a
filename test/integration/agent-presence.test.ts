import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { pino } from 'pino';
import { RedisPresence } from '../../src/adapters/queue/redis-presence.js';

describe('W2: agent presence in Redis (redis-presence)', () => {
  let clock = 1_000_000;
  const prefix = `{presence-${randomBytes(4).toString('hex')}}`;
  // Two processes of one deployment: one holds the sockets, the other (an engine) reads.
  const holder = new RedisPresence({ redisUrl: 'redis://127.0.0.1:6379', prefix, log: pino({ level: 'silent' }), heartbeatMs: 5_000, graceMs: 10_000,
    now: () => clock });
  const reader = new RedisPresence({ redisUrl: 'redis://127.0.0.1:6379', prefix, log: pino({ level: 'silent' }), heartbeatMs: 5_000, graceMs: 10_000,
    now: () => clock });
  after(async () => {
    await holder.close();
    await reader.close();
  });

  it('W2: present while a connection answers heartbeats; after its close for the grace only; several connections count as one agent', async () => {
    await holder.alive(7, 'a');
    await holder.alive(7, 'b');
    await holder.alive(8, 'c');
    expect((await reader.present()).sort()).to.deep.equal([7, 8]);
    clock += 4_000;
    await holder.alive(7, 'a');
    await holder.gone(7, 'b');
    await holder.gone(8, 'c');
    clock += 9_999;
    expect((await reader.present()).sort()).to.deep.equal([7, 8]);
    clock += 2;
    // 8's only connection closed more than the grace ago; 7 still has one answering.
    expect(await reader.present()).to.deep.equal([7]);
    await holder.gone(7, 'a');
    clock += 10_001;
    expect(await reader.present()).to.deep.equal([]);
  });

  it('W2: a process that dies holding a socket (no close, no more heartbeats) leaves an entry that expires a heartbeat and a grace after its last answer', async () => {
    await holder.alive(9, 'dead');
    clock += 14_999;
    expect(await reader.present()).to.deep.equal([9]);
    clock += 2;
    expect(await reader.present()).to.deep.equal([]);
    // A close reported after the entry was swept does not bring it back.
    await holder.gone(9, 'dead');
    expect(await reader.present()).to.deep.equal([]);
  });
});
