import { expect } from 'chai';
import { migrationSource } from '../../migrations/index.js';
import { agentReportRows } from '../../src/adapters/mysql/agent-report-store.js';
import { classifyAgentFailure } from '../../src/domain/agent-state.js';
import { addAgentSlot, addAgentTimes, emptyAgentSlot, type AgentSlot, type StatusChange } from '../../src/domain/agent-times.js';
import { groupSlots, SLOT_MS, type Interval } from '../../src/domain/interval-buckets.js';
import { int, prng } from '../helpers/prng.js';
import { seeder } from '../helpers/seed.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';

const STATUSES = ['Available', 'On Break', 'Logged Out'];
const STATES = ['Waiting', 'Reserved', 'Receiving', 'In a queue call', 'Wrap up'];
const CAUSES = ['NO_ANSWER', 'USER_BUSY', 'CALL_REJECTED', 'NODE_DOWN', 'ORIGINATOR_CANCEL', 'user_not_registered', 'RECOVERY_ON_TIMER_EXPIRE'];
/** After the agents' creation (their first history row), so most changes come in order. */
const T0 = Math.floor(Date.now() / SLOT_MS) * SLOT_MS + 86_400_000;

/** The report as the domain computes it from the raw history and attempts (what migration 010's report read). */
async function reference(db: TestDatabase['db'], zone: string, interval: Interval, from: Date, to: Date, end: Date) {
  const history = await db('agent_status_history').orderBy(['agent_id', 'at', 'id']).select('agent_id', 'at', 'status', 'state');
  const byAgent = new Map<number, StatusChange[]>();
  for (const r of history) {
    let l = byAgent.get(r.agent_id);
    if (!l) byAgent.set(r.agent_id, (l = []));
    l.push({ at: new Date(r.at).getTime(), status: r.status, state: r.state });
  }
  const out = new Map<number, Map<number, AgentSlot>>();
  const slotsOf = (id: number) => out.get(id) ?? out.set(id, new Map()).get(id)!;
  for (const [id, list] of byAgent) addAgentTimes(slotsOf(id), list, from.getTime(), end.getTime());
  const attempts = await db('attempts').whereNotNull('agent_id').where('created_at', '>=', from).where('created_at', '<', to)
    .select('agent_id', 'created_at', 'agent_answered_at', 'outcome', 'agent_cause');
  for (const a of attempts) {
    const m = slotsOf(a.agent_id);
    const slot = Math.floor(new Date(a.created_at).getTime() / SLOT_MS);
    const s = m.get(slot) ?? m.set(slot, emptyAgentSlot()).get(slot)!;
    if (a.agent_answered_at) s.calls++;
    if (a.outcome === 'agent_failed' && a.agent_cause && classifyAgentFailure(a.agent_cause) === 'no-answer') s.noAnswers++;
  }
  return out;
}

const buckets = (zone: string, interval: Interval, from: Date, to: Date, slots: Map<number, AgentSlot>) =>
  groupSlots(zone, interval, from, to, slots, emptyAgentSlot, addAgentSlot).map((b) => ({ local: b.local, ...b.value }));

/*
 * Q2: the running totals of migration 012 (written by triggers) give the report the status
 * history and the attempts give when read row by row, for random histories: changes in and out of
 * order and before the agent's first one, ranges starting and ending anywhere, attempts answered, failed, moved to another agent.
 */
describe('Q2: agent report totals (migration 012) against the status history', function () {
  this.timeout(120_000);
  let tdb: TestDatabase;
  before(async () => { tdb = await createTestDatabase('agent_totals'); });
  after(async () => { await tdb?.drop(); });

  it('Q2: per agent and bucket, the times, calls and no-answers equal the domain\'s reading of the raw rows (3 seeds)', async () => {
    const db = tdb.db;
    const seed = seeder(db);
    const campaign = await seed.campaign();
    const [member] = await seed.members(campaign, 1);
    const agents = await seed.agents(3, [campaign]);
    for (const s of [1, 2, 3]) {
      const r = prng(s * 7919);
      let clock = T0 + s * 3 * 86_400_000;
      const start = clock;
      const attemptIds: number[] = [];
      for (let k = 0; k < 150; k++) {
        clock += int(r, 40 * 60_000);
        const agentId = agents[int(r, agents.length)]!;
        const step = int(r, 10);
        if (step < 6) {
          // One in ten changes carries an instant earlier than the agent's last one, one in 25 one
          // before the agent's first (its creation, now).
          const x = r();
          const at = x < 0.04 ? Date.now() - int(r, 86_400_000) : x < 0.14 ? clock - int(r, 3 * 3_600_000) : clock;
          await db('agents').where('id', agentId).update({ status: STATUSES[int(r, 3)], state: STATES[int(r, 5)], updated_at: new Date(at) });
        } else if (step < 8 || attemptIds.length === 0) {
          const [id] = await db('attempts').insert({ campaign_id: campaign, member_id: member, communication_id: 1, number: '100',
            state: 'done', agent_id: agentId, created_at: new Date(clock - int(r, 600_000)),
            ...(r() < 0.3 ? { agent_answered_at: new Date(clock) } : {}) });
          attemptIds.push(id!);
        } else {
          const id = attemptIds[int(r, attemptIds.length)]!;
          const change = int(r, 3);
          await db('attempts').where('id', id).update(change === 0 ? { agent_answered_at: new Date(clock), outcome: 'success' }
            : change === 1 ? { outcome: 'agent_failed', agent_cause: CAUSES[int(r, CAUSES.length)], agent_answered_at: null }
              : { agent_id: agents[int(r, agents.length)] });
        }
      }
      await compare(r, `seed ${s}`, start, clock);
    }
    // A database upgraded to 012 with history already written: the migration's own totals, then
    // keyed by slot first (018) as an upgrade does.
    await db.migrate.down({ migrationSource, name: '20261205_018_report_keys' });
    await db.migrate.down({ migrationSource, name: '20261204_012_agent_report_totals' });
    await db.migrate.up({ migrationSource, name: '20261204_012_agent_report_totals' });
    await db.migrate.up({ migrationSource, name: '20261205_018_report_keys' });
    const [keys] = await db.raw("SHOW INDEX FROM agent_slot_totals WHERE Key_name = 'PRIMARY'");
    expect(keys.map((k: { Column_name: string }) => k.Column_name), 'the key after 018').to.deep.equal(['slot', 'agent_id']);
    await compare(prng(11), 'after the migration\'s backfill', T0 + 3 * 86_400_000, T0 + 12 * 86_400_000);
  });

  async function compare(r: () => number, what: string, start: number, clock: number): Promise<void> {
    const agents = (await tdb.db('agents').select('id')).map((a: { id: number }) => a.id);
    for (const [zone, interval, near] of [['Europe/Kyiv', 'hour', 0], ['Asia/Kolkata', 'day', 0], ['UTC', '15min', 0], ['UTC', 'hour', 1]] as const) {
      // The last range lies around the agents' creation, where the changes dated before it fall.
      const from = new Date(Math.floor((near ? Date.now() - 86_400_000 : start + int(r, 86_400_000)) / SLOT_MS) * SLOT_MS);
      const to = new Date(from.getTime() + (1 + int(r, 16)) * 3 * 3_600_000);
      const end = new Date(Math.min(to.getTime(), clock - int(r, 3_600_000)));
      const got = await agentReportRows(tdb.db, zone, interval, from, to, end);
      const want = await reference(tdb.db, zone, interval, from, to, end);
      for (const id of agents) {
        const g = buckets(zone, interval, from, to, got.slots.get(id) ?? new Map());
        const w = buckets(zone, interval, from, to, want.get(id) ?? new Map());
        expect(g, `${what}, agent ${id}, ${zone} ${interval}`).to.deep.equal(w);
      }
    }
  }
});
