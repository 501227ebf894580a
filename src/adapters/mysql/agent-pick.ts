import type { AgentSearch } from '../../app/ports/dispatch-store.js';
import type { Sql } from './direct-sql.js';
import { fromJsonColumn } from './row-mapping.js';
import { AGENT_COLUMNS, CAMPAIGN_RULE_COLUMNS } from './row-mappers.js';

/*
 * A2, W2: which agents may take a call now, and the lock of one of them for a claim. Both
 * statements are written out with bindings rather than built: they run on every claim, and
 * composing them with the query builder cost more CPU than the rest of the claim's code.
 */

/** An agent row as the claim locks it (the columns of its view, A3, for the bridge). */
export interface AgentRow {
  id: number; version: number; sip_user: string; registered_node: string; call_timeout: number; nailed_uuid: string | null;
  [view: string]: unknown;
}

/** One of the agent's running campaigns as read with its lock: its rules, and its live calls (no locks). */
export interface CandidateRow {
  id: number; call_limit: number; line_group_id: number | null; type: string; preview_sec: number; name: string; variables: unknown; version: number;
  retry_wait_sec: number; max_tries: number; min_success_sec: number; wait_result: number | boolean; wrapup_sec: number;
  causes: unknown; max_minus_attempts: number;
  campaign_live: number; group_live: number; capacity: number | null;
}

export interface LockedAgent {
  agent: AgentRow;
  /** C3: the agent's running campaigns among those open, best first, each with its live calls as read (no locks). */
  candidates: CandidateRow[];
}

const list = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** The agent's columns of its view (A3), read with the lock for the bridge. */
const AGENT_VIEW = AGENT_COLUMNS.filter((k) => k !== 'id' && k !== 'sip_user' && k !== 'version').map((k) => `a.${k}`).join(', ');

/**
 * A2: Available + Waiting + registered on an up node + every delay passed; W2: an agent that
 * requires a client only while one is connected (the engine read who is, from Redis). The
 * registration is read without a lock: a phone that unregisters meanwhile fails the originate.
 */
function ready(s: AgentSearch): [string, unknown[]] {
  const present = s.presentAgentIds?.length ? ` OR a.id IN (${list(s.presentAgentIds.length)})` : '';
  return [
    `a.status = 'Available' AND a.state = 'Waiting' AND a.ready_at <= ? AND (a.requires_client = FALSE${present})
     AND EXISTS (SELECT 1 FROM registrations r WHERE r.sip_user = a.sip_user AND r.node IN (${list(s.upNodes.length)}))`,
    [s.now, ...(s.presentAgentIds ?? []), ...s.upNodes],
  ];
}

/**
 * A2 order: best campaign priority among the open ones, then longest idle. Read without locks
 * (an ordered `FOR UPDATE SKIP LOCKED` locks every row it scans, which would make concurrent
 * claims queue); each claim then locks its one agent by primary key (lockAgent).
 */
export async function readyAgents(sql: Sql, s: AgentSearch, limit: number): Promise<number[]> {
  const ids = s.campaigns.map((c) => c.id);
  if (ids.length === 0 || s.upNodes.length === 0) return [];
  const [readyWhere, readyValues] = ready(s);
  const skip = s.excludeAgentIds.length ? ` AND a.id NOT IN (${list(s.excludeAgentIds.length)})` : '';
  const rows = await sql<{ id: number }[]>(
    `SELECT a.id FROM agents a
      WHERE ${readyWhere}
        AND EXISTS (SELECT 1 FROM tiers t WHERE t.agent_id = a.id AND t.campaign_id IN (${list(ids.length)}))${skip}
      ORDER BY (SELECT MAX(c.priority) FROM tiers t JOIN campaigns c ON c.id = t.campaign_id
                 WHERE t.agent_id = a.id AND c.id IN (${list(ids.length)})) DESC, a.idle_since, a.id
      LIMIT ?`,
    [...readyValues, ...ids, ...s.excludeAgentIds, ...ids, limit]);
  return rows.map((r) => r.id);
}

/**
 * Locks agent `id` for a claim if no other claim holds it and it is still ready (SKIP LOCKED,
 * by primary key: one row), with its campaigns in C3 order (priority, then the fewest dialled)
 * and their live calls; the subqueries lock nothing.
 */
export async function lockAgent(sql: Sql, s: AgentSearch, id: number): Promise<LockedAgent | undefined> {
  const ids = s.campaigns.map((c) => c.id);
  const nodes = list(s.upNodes.length);
  const [readyWhere, readyValues] = ready(s);
  const rows = await sql<(AgentRow & { candidates: unknown })[]>(
    `SELECT a.id, a.version, a.sip_user, a.call_timeout, a.nailed_uuid, ${AGENT_VIEW},
       (SELECT r.node FROM registrations r WHERE r.sip_user = a.sip_user AND r.node IN (${nodes})
         ORDER BY r.updated_at DESC LIMIT 1) AS registered_node,
       (SELECT JSON_ARRAYAGG(JSON_OBJECT('id', c.id, 'call_limit', c.call_limit, 'line_group_id', c.line_group_id,
          'type', c.type, 'preview_sec', c.preview_sec, 'name', c.name, 'variables', c.variables, 'version', c.version,
          ${CAMPAIGN_RULE_COLUMNS.map((k) => `'${k}', c.${k}`).join(', ')},
          'campaign_live', (SELECT COUNT(*) FROM attempts x WHERE x.live_campaign = c.id),
          'group_live', (SELECT COUNT(*) FROM attempts x WHERE x.live_line_group = c.line_group_id),
          'capacity', (SELECT l.capacity FROM line_groups l WHERE l.id = c.line_group_id))
          ORDER BY c.priority DESC, c.dialled, c.id)
         FROM tiers t JOIN campaigns c ON c.id = t.campaign_id
        WHERE t.agent_id = a.id AND c.state = 'running' AND c.id IN (${list(ids.length)})) AS candidates
      FROM agents a
     WHERE ${readyWhere} AND a.id = ?
     LIMIT 1 FOR UPDATE SKIP LOCKED`,
    [...s.upNodes, ...ids, ...readyValues, id]);
  const row = rows[0];
  if (!row) return undefined;
  const { candidates, ...agent } = row;
  return { agent, candidates: fromJsonColumn<CandidateRow[]>(candidates, []) };
}
