import { expect } from 'chai';
import type { Knex } from 'knex';
import { pino } from 'pino';
import { openDatabase } from '../../src/adapters/mysql/database.js';
import { LiveBoardStore } from '../../src/adapters/mysql/live-board-store.js';
import { lockNameSql } from '../../src/adapters/mysql/named-lock.js';
import { MysqlPacerStore } from '../../src/adapters/mysql/pacer-store.js';
import type { OpenCampaign } from '../../src/app/ports/dispatch-store.js';
import { PacerRunner } from '../../src/app/engine/pacer-runner.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';
import { seeder } from '../helpers/seed.js';

const open = (id: number): OpenCampaign => ({ id, lineGroupId: null, calendarZoneOpen: true, openZones: [], predictive: true });

/*
 * P3, P4 (issue 18): the pacer's controller state outlives its holder. One process paces a
 * campaign until ρ has moved from its start; the process dies (its MySQL connections with it, and
 * the pacer's named lock); another takes the campaign over at its next pass and goes on from the
 * same ρ and the same measured rates, not from a fresh controller. The live board shows the
 * decision of whichever process holds the pacer.
 */
describe('pacer takeover: the controller state goes on in the process that takes over (P3, P4, issue 18)', function () {
  this.timeout(60_000);
  let tdb: TestDatabase;
  let seed: ReturnType<typeof seeder>;
  const pools: Knex[] = [];
  before(async () => {
    tdb = await createTestDatabase('pacer_takeover');
    seed = seeder(tdb.db);
  });
  after(async () => {
    for (const p of pools) await p.destroy().catch(() => undefined);
    await tdb?.drop();
  });

  /** One engine process's pacer: its own pool (its own connections and named lock). */
  function processPacer(name: string, at: { ms: number }): PacerRunner {
    const db = openDatabase(tdb.url, 4);
    pools.push(db);
    return new PacerRunner({
      store: new MysqlPacerStore(db), log: pino({ level: 'silent' }), now: () => new Date(at.ms), instanceId: name, leaseSec: 30,
      dial: () => undefined, answeredWaiting: () => 0, kick: () => undefined, upNodes: () => ['node-1'],
    });
  }

  /** `answered` of `dials` ended dials, 60 s talks, none abandoned, the last one ending `endMs`. */
  async function pastDials(c: number, dials: number, answered: number, endMs: number): Promise<void> {
    const members = await seed.members(c, dials, { readyAt: () => new Date(endMs + 86_400_000) });
    await tdb.db('members').whereIn('id', members).update({ state: 'done', result: 'NORMAL_CLEARING' });
    const comms = await tdb.db('communications').whereIn('member_id', members).orderBy('member_id').select('id', 'member_id', 'number');
    const start = endMs - dials * 5_000;
    await tdb.db('attempts').insert(comms.map((m, i) => {
      const hit = i % Math.round(dials / answered) === 0 && i / Math.round(dials / answered) < answered;
      const t = start + i * 5_000;
      return {
        campaign_id: c, member_id: m.member_id, communication_id: m.id, number: m.number, state: 'done', outcome: hit ? 'success' : 'retry',
        member_uuid: '00000000-0000-4000-8000-000000000000', created_at: new Date(t), answered_at: hit ? new Date(t + 6_000) : null,
        ended_at: new Date(t + (hit ? 66_000 : 25_000)), hangup_cause: hit ? 'NORMAL_CLEARING' : 'NO_ANSWER', talk_sec: hit ? 60 : 0,
      };
    }));
  }

  it('P3, P4: the holder dies after ρ moved; the process taking the campaign over paces with the same ρ and the same estimates, and the board shows its decision', async () => {
    const c = await seed.campaign({ call_limit: 30 });
    await tdb.db('campaigns').where('id', c).update({ type: 'predictive', info_message: 'dialer/abandon-info.wav' });
    const agents = await seed.agents(3, [c], { node: null });
    await tdb.db('agents').whereIn('id', agents).update({ nailed_uuid: tdb.db.raw('UUID()'), nailed_node: 'node-1' });
    const t0 = Date.now();
    const at = { ms: t0 };
    // P4: past the 100 answers a campaign is paced from (120 of 400 dials answered)
    await pastDials(c, 400, 120, t0 - 60_000);
    const a = processPacer('process-a', at);
    await a.run([open(c)]);
    const first = a.decision(c)!;
    expect(first).to.include({ mode: 'predictive', reason: 'paced' });
    // 150 answers, none abandoned, over the next minute: under the target, ρ moves up at the next step
    await pastDials(c, 300, 150, t0 + 50_000);
    at.ms = t0 + 61_000;
    await a.run([open(c)]);
    const moved = a.decision(c)!;
    expect(moved.rho).to.be.greaterThan(first.rho);

    // the holder dies: its connection, and the pacer's named lock with it
    const [rows] = await tdb.db.raw(`SELECT IS_USED_LOCK(${lockNameSql('pacer')}) AS holder`, [c]);
    const holder = Number((rows as Array<{ holder: number | null }>)[0]!.holder);
    expect(holder).to.be.greaterThan(0);
    await tdb.db.raw('KILL CONNECTION ?', [holder]);

    const b = processPacer('process-b', at);
    at.ms = t0 + 62_000;
    await b.run([open(c)]);
    const taken = b.decision(c)!;
    expect(taken).to.include({ mode: 'predictive', reason: 'paced' });
    expect(taken.rho, 'ρ after the takeover').to.equal(moved.rho);
    expect(taken.answerRateUpper).to.equal(moved.answerRateUpper);
    expect(taken.horizonSec).to.equal(moved.horizonSec);

    // the board shows the decision of the process holding the pacer now
    const [counts] = await new LiveBoardStore(tdb.db).campaignCounts([c]);
    expect(counts!.pacing!.pacer).to.deep.equal({
      decided_at: new Date(at.ms).toISOString(), mode: 'predictive', reason: 'paced', dial_level: Math.round(taken.dialLevel * 100) / 100,
      lines_in_flight: taken.linesInFlight, lines: taken.lines, working_agents: 3,
    });
    await b.close();
    // what the dead process left in this test's memory: its lock's connection is already gone
    await a.close();
  });

  it('P3: a predictive campaign no process has paced yet shows no pacer decision on the board', async () => {
    const c = await seed.campaign({ call_limit: 5 });
    await tdb.db('campaigns').where('id', c).update({ type: 'predictive', info_message: 'dialer/abandon-info.wav' });
    const [counts] = await new LiveBoardStore(tdb.db).campaignCounts([c]);
    expect(counts!.pacing!.pacer).to.equal(null);
  });
});
