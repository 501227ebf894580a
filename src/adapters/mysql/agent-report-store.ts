import type { Knex } from 'knex';
import { classifyAgentFailure } from '../../domain/agent-state.js';
import { addAgentTimes, emptyAgentSlot, type AgentSlot, type StatusChange } from '../../domain/agent-times.js';
import type { AgentReportRows } from '../../app/ports/report-reader.js';

/** TO_SECONDS counts from year 0: the quarter hour of the Unix epoch. */
const EPOCH_SLOT = 62_167_219_200 / 900;

/**
 * Q2: per agent (all, or one) the time per category in [from, to) from agent_status_history
 * (migration 010) and the calls and no-answers of its attempts created in [from, to).
 * `end` (≤ to) is where a status still held stops counting: now, for a range reaching the future.
 */
export async function agentReportRows(db: Knex, from: Date, to: Date, end: Date, agentId?: number): Promise<AgentReportRows> {
  const agents = await db('agents').modify((q) => { if (agentId !== undefined) q.where('id', agentId); }).select('id', 'name');
  const names = new Map<number, string>(agents.map((a: { id: number; name: string }) => [a.id, a.name]));
  const slots = new Map<number, Map<number, AgentSlot>>();
  const slotsOf = (id: number) => {
    let m = slots.get(id);
    if (!m) slots.set(id, (m = new Map()));
    return m;
  };
  const ids = [...names.keys()];
  if (!ids.length) return { names, slots };

  // The status each agent had at `from` (its last change before it: MAX(at) per agent is a loose
  // index scan; a dependent ORDER BY at DESC LIMIT 1 read every earlier row, 0.6 s for 100 agents
  // with 40,000 changes each), then its changes up to `end`; both read the (agent_id, at) index.
  // Changes at one instant are ordered by id, so the last one written holds.
  const [rows] = await db.raw(
    `SELECT h.id, h.agent_id, h.at, h.status, h.state FROM agent_status_history h
       JOIN (SELECT agent_id, MAX(at) AS at FROM agent_status_history WHERE agent_id IN (?) AND at < ? GROUP BY agent_id) l
         ON h.agent_id = l.agent_id AND h.at = l.at
     UNION ALL
     SELECT id, agent_id, at, status, state FROM agent_status_history
      WHERE agent_id IN (?) AND at >= ? AND at < ?
     ORDER BY agent_id, at, id`, [ids, from, ids, from, end]);
  const changes = new Map<number, StatusChange[]>();
  for (const r of rows as Array<{ agent_id: number; at: Date; status: string; state: string }>) {
    let list = changes.get(r.agent_id);
    if (!list) changes.set(r.agent_id, (list = []));
    list.push({ at: new Date(r.at).getTime(), status: r.status, state: r.state });
  }
  for (const [id, list] of changes) addAgentTimes(slotsOf(id), list, from.getTime(), end.getTime());

  const [calls] = await db.raw(
    `SELECT agent_id, TO_SECONDS(created_at) DIV 900 AS slot,
            IF(outcome = 'agent_failed', agent_cause, NULL) AS failed_cause, COUNT(*) AS n, COUNT(agent_answered_at) AS answered
       FROM attempts
      WHERE created_at >= ? AND created_at < ? AND agent_id IN (?)
      GROUP BY agent_id, slot, failed_cause
      ORDER BY NULL`, [from, to, ids]);
  for (const r of calls as Array<{ agent_id: number; slot: string | number; failed_cause: string | null; n: string | number; answered: string | number }>) {
    const slot = Number(r.slot) - EPOCH_SLOT;
    const m = slotsOf(r.agent_id);
    let s = m.get(slot);
    if (!s) m.set(slot, (s = emptyAgentSlot()));
    s.calls += Number(r.answered);
    // A3: the causes the agent is charged a no-answer for.
    if (r.failed_cause && classifyAgentFailure(r.failed_cause) === 'no-answer') s.noAnswers += Number(r.n);
  }
  return { names, slots };
}
