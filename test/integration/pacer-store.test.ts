import { expect } from 'chai';
import { MysqlPacerStore } from '../../src/adapters/mysql/pacer-store.js';
import type { OpenCampaign } from '../../src/app/ports/dispatch-store.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';
import { seeder } from '../helpers/seed.js';

const HOUR = 3_600_000;
const open = (id: number): OpenCampaign => ({ id, lineGroupId: null, calendarZoneOpen: true, openZones: [], predictive: true });

describe('pacer store (MySQL): the predictive campaign\'s lines and facts (P3, P4, P6)', function () {
  this.timeout(30_000);
  let tdb: TestDatabase;
  let seed: ReturnType<typeof seeder>;
  before(async () => {
    tdb = await createTestDatabase('pacer_store');
    seed = seeder(tdb.db);
  });
  after(async () => { await tdb?.drop(); });

  async function predictiveCampaign(limit: number): Promise<number> {
    const c = await seed.campaign({ call_limit: limit });
    await tdb.db('campaigns').where('id', c).update({ type: 'predictive', info_message: 'dialer/abandon-info.wav' });
    return c;
  }

  async function pastAttempt(c: number, memberId: number, o: { cause: string; endedAgoMs: number; answered: boolean; talk?: number }): Promise<void> {
    const now = Date.now();
    const comm = await tdb.db('communications').where('member_id', memberId).first('id', 'number');
    await tdb.db('attempts').insert({
      campaign_id: c, member_id: memberId, communication_id: comm.id, number: comm.number, state: 'done', member_uuid: '00000000-0000-4000-8000-000000000000',
      created_at: new Date(now - o.endedAgoMs - 30_000), answered_at: o.answered ? new Date(now - o.endedAgoMs - 20_000) : null,
      ended_at: new Date(now - o.endedAgoMs), hangup_cause: o.cause, outcome: 'retry', talk_sec: o.talk ?? 0,
    });
  }

  it('P6: a member whose call was abandoned in the last 72 hours is not dialled without an agent; after 72 hours it is', async () => {
    const c = await predictiveCampaign(10);
    const [recent, old, fresh] = await seed.members(c, 3, { readyAt: () => new Date(Date.now() - 1000) });
    await pastAttempt(c, recent!, { cause: 'ABANDONED', endedAgoMs: 1 * HOUR, answered: true });
    await pastAttempt(c, old!, { cause: 'ABANDONED', endedAgoMs: 73 * HOUR, answered: true });
    const store = new MysqlPacerStore(tdb.db);
    const lines = await store.claimLines(open(c), 5, 'node-1', new Date(), 'test', new Date(Date.now() + 30_000));
    expect(lines.map((l) => l.memberId).sort()).to.deep.equal([old!, fresh!].sort());
    const rows = await tdb.db('attempts').whereIn('id', lines.map((l) => l.attemptId)).select('agent_id', 'node', 'state', 'live_campaign');
    for (const r of rows) expect(r).to.deep.equal({ agent_id: null, node: 'node-1', state: 'reserved', live_campaign: c });
  });

  it('C2: lines claimed without an agent count against the campaign limit', async () => {
    const c = await predictiveCampaign(2);
    await seed.members(c, 5, { readyAt: () => new Date(Date.now() - 1000) });
    const store = new MysqlPacerStore(tdb.db);
    expect(await store.claimLines(open(c), 5, 'node-1', new Date(), 'test', new Date(Date.now() + 30_000))).to.have.length(2);
    expect(await store.claimLines(open(c), 5, 'node-1', new Date(), 'test', new Date(Date.now() + 30_000))).to.have.length(0);
  });

  it('P3, P4: the facts: agents on nailed-up legs, ringing lines, recent dials and talk times, the window counts, the lines still allowed', async () => {
    const c = await predictiveCampaign(6);
    const agents = await seed.agents(3, [c], { node: null });
    await tdb.db('agents').whereIn('id', agents).update({ nailed_uuid: tdb.db.raw('UUID()'), nailed_node: 'node-1' });
    await tdb.db('agents').where('id', agents[2]!).update({ state: 'Wrap up', ready_at: new Date(Date.now() + 10_000) });
    const members = await seed.members(c, 4, { readyAt: () => new Date(Date.now() - 1000) });
    await pastAttempt(c, members[0]!, { cause: 'NORMAL_CLEARING', endedAgoMs: 2 * HOUR, answered: true, talk: 90 });
    await pastAttempt(c, members[1]!, { cause: 'ABANDONED', endedAgoMs: 2 * HOUR, answered: true });
    await pastAttempt(c, members[2]!, { cause: 'USER_BUSY', endedAgoMs: 2 * HOUR, answered: false });
    const store = new MysqlPacerStore(tdb.db);
    await store.claimLines(open(c), 1, 'node-1', new Date(), 'test', new Date(Date.now() + 30_000));
    const f = (await store.facts(c, new Date()))!;
    expect(f.nodes).to.deep.equal([{ node: 'node-1', idle: 2, working: 3, inFlight: 1 }]);
    expect(f.inputs.idleAgents).to.equal(2);
    expect(f.inputs.wrapUpRemainingSec).to.have.length(1);
    expect(f.inputs.inFlightElapsedSec).to.have.length(1);
    expect(f.inputs.recentDials.map((d) => d.answered)).to.deep.equal([true, true, false]);
    expect(f.inputs.talkTimesSec).to.deep.equal([90]);
    expect(f.inputs.window).to.deep.equal({ answered: 2, abandoned: 1 });
    expect(f.inputs.answersKnown).to.equal(2);
    expect(f.inputs.linesAllowed).to.equal(5);
    expect(f).to.include({ abandonCapPct: 3, abandonTargetPct: 2.4 });
  });

  it('P3: answers coming together on one node each get one of its idle agents (none skipped as locked by the other claim)', async () => {
    const c = await predictiveCampaign(10);
    const agents = await seed.agents(4, [c], { node: null });
    await tdb.db('agents').whereIn('id', agents).update({ nailed_uuid: tdb.db.raw('UUID()'), nailed_node: 'node-1' });
    const store = new MysqlPacerStore(tdb.db);
    for (let round = 0; round < 5; round++) {
      await tdb.db('agents').whereIn('id', agents).update({ state: 'Waiting', attempt_id: null });
      await tdb.db('attempts').where('campaign_id', c).update({ state: 'done', live_campaign: null });
      await seed.members(c, 4, { readyAt: () => new Date(Date.now() - 1000) });
      const lines = await store.claimLines(open(c), 4, 'node-1', new Date(), 'test', new Date(Date.now() + 30_000));
      expect(lines).to.have.length(4);
      const got = await Promise.all(lines.map((l) => store.claimAgentAt(l.attemptId, new Date())));
      expect(got.every((g) => g !== null), `round ${round}: ${JSON.stringify(got)}`).to.equal(true);
      expect(new Set(got.map((g) => g!.agentId)).size).to.equal(4);
    }
  });

  it('one process at a time holds a campaign\'s pacer; it is free again when released', async () => {
    const c = await predictiveCampaign(1);
    const a = new MysqlPacerStore(tdb.db);
    const b = new MysqlPacerStore(tdb.db);
    expect(await a.hold(c)).to.equal('taken');
    expect(await b.hold(c)).to.equal(false);
    await a.release(c);
    expect(await b.hold(c)).to.equal('taken');
    await b.release(c);
  });

  it('two dialers on one MariaDB server (two databases) each hold their own campaign 1: the lock is per database', async () => {
    const other = await createTestDatabase('pacer_store_other');
    try {
      const a = new MysqlPacerStore(tdb.db);
      const b = new MysqlPacerStore(other.db);
      expect(await a.hold(1)).to.equal('taken');
      expect(await b.hold(1)).to.equal('taken');
      await a.release(1);
      await b.release(1);
    } finally {
      await other.drop();
    }
  });
});
