import type { Knex } from 'knex';
import { emptyAgentSlot, type AgentSlot, type TimeCategory } from '../../domain/agent-times.js';
import { groupSlots, SLOT_MS, type Interval } from '../../domain/interval-buckets.js';
import type { AgentReportRows } from '../../app/ports/report-reader.js';

/** Migration 012's category numbers, 1-based; 0 is none (Logged Out). */
const CATEGORY: readonly TimeCategory[] = ['available', 'ringing', 'talking', 'wrap_up', 'break'];


/** An agent's running totals at an instant: ms per category before it, calls and no-answers created before it. */
interface Totals {
  ms: number[];
  calls: number;
  noAnswers: number;
}
interface Mark { at: number; cat: number; ms: number[] }

const n = (v: unknown) => Number(v);
const msOf = (r: Record<string, unknown>) => CATEGORY.map((c) => n(r[`${c}_ms`]));
const MS = (col: string) => `TIMESTAMPDIFF(MICROSECOND, '1970-01-01', ${col}) DIV 1000`;

/**
 * Q2: per agent (all, or one) its time per category, calls and no-answers in each bucket of
 * [from, to) (both on quarter hours) in `zone`, from migration 012's running totals: the
 * difference of an agent's totals at a bucket's bounds. A bound is an equality lookup of
 * agent_slot_totals, so the cost grows with agents × buckets, not with the changes in the range.
 * `end` (≤ to) is where a status still held stops counting: now, for a range reaching the future.
 * Calls and no-answers count the attempts created in the bucket.
 */
export async function agentReportRows(db: Knex, zone: string, interval: Interval, from: Date, to: Date, end: Date,
  agentId?: number): Promise<AgentReportRows> {
  const agents = await db('agents').modify((q) => { if (agentId !== undefined) q.where('id', agentId); }).select('id', 'name');
  const names = new Map<number, string>(agents.map((a: { id: number; name: string }) => [a.id, a.name]));
  const slots = new Map<number, Map<number, AgentSlot>>();
  const ids = [...names.keys()];
  if (!ids.length) return { names, slots };

  const starts = groupSlots(zone, interval, from, to, new Map<number, null>(), () => null, () => undefined).map((b) => Date.parse(b.start));
  const bounds = [...starts, to.getTime()].map((t) => t / SLOT_MS);
  const endMs = end.getTime();
  // The quarter hour `end` falls in is read too: a bound capped at `end` starts from it.
  const lookups = [...bounds, Math.floor(endMs / SLOT_MS)];

  // Each agent's first and last mark (loose index scans of the key), its last totals row. The
  // per-agent rows are read first and joined by key (STRAIGHT_JOIN): a table's statistics not yet
  // counted (just filled) made MariaDB join every totals row with them instead, 300M rows read.
  const [edges] = await db.raw(`SELECT STRAIGHT_JOIN m.*, ${MS('m.at')} AS at_ms, e.first_ms
      FROM (SELECT agent_id, ${MS('MIN(at)')} AS first_ms, MAX(at) AS last_at FROM agent_time_marks WHERE agent_id IN (?) GROUP BY agent_id) e
      JOIN agent_time_marks m ON e.agent_id = m.agent_id AND m.at = e.last_at
     ORDER BY m.agent_id, m.history_id`, [ids]);
  const first = new Map<number, number>();
  const last = new Map<number, Mark>();
  for (const r of edges as Array<Record<string, unknown>>) {
    first.set(n(r.agent_id), n(r.first_ms));
    last.set(n(r.agent_id), { at: n(r.at_ms), cat: n(r.category), ms: msOf(r) });
  }
  const [lastRows] = await db.raw(`SELECT STRAIGHT_JOIN t.*
      FROM (SELECT agent_id, MAX(slot) AS slot FROM agent_slot_totals WHERE agent_id IN (?) GROUP BY agent_id) l
      JOIN agent_slot_totals t ON l.agent_id = t.agent_id AND l.slot = t.slot`, [ids]);
  const lastSlot = new Map<number, { slot: number; calls: number; noAnswers: number }>();
  for (const r of lastRows as Array<Record<string, unknown>>) lastSlot.set(n(r.agent_id), { slot: n(r.slot), calls: n(r.calls), noAnswers: n(r.no_answers) });

  // The totals rows at every bound: one equality lookup each.
  const [rows] = await db.raw(`SELECT t.* FROM agents g
      JOIN JSON_TABLE(?, '$[*]' COLUMNS (s INT UNSIGNED PATH '$')) b
      JOIN agent_slot_totals t ON t.agent_id = g.id AND t.slot = b.s
     WHERE g.id IN (?)`, [JSON.stringify(lookups), ids]);
  const at = new Map<number, Map<number, Record<string, unknown>>>();
  for (const r of rows as Array<Record<string, unknown>>) {
    const id = n(r.agent_id);
    (at.get(id) ?? at.set(id, new Map()).get(id)!).set(n(r.slot), r);
  }

  // Calls after an agent's last totals row, or before its first: its own counts there.
  const own = new Map<number, Array<{ slot: number; calls: number; noAnswers: number }>>();
  // One range of the key per agent and side (an OR of them all was read as a scan of the table).
  const ranges = ids.flatMap((id) => {
    const l = lastSlot.get(id);
    return l ? [`agent_id = ${id} AND slot >= ${l.slot}`, `agent_id = ${id} AND slot < ${Math.floor(first.get(id)! / SLOT_MS) + 1}`] : [`agent_id = ${id}`];
  });
  const [counts] = await db.raw(ranges.map((w) => `(SELECT agent_id, slot, calls, no_answers FROM agent_call_counts WHERE ${w})`).join(' UNION ALL '));
  for (const r of counts as Array<Record<string, unknown>>) {
    const id = n(r.agent_id);
    (own.get(id) ?? own.set(id, []).get(id)!).push({ slot: n(r.slot), calls: n(r.calls), noAnswers: n(r.no_answers) });
  }

  // `end` inside an agent's history and off a quarter hour (a change dated after now): walk its marks from the quarter hour's start.
  const inside = ids.filter((id) => last.has(id) && endMs % SLOT_MS !== 0 && endMs > first.get(id)! && endMs <= last.get(id)!.at);
  const walk = new Map<number, Mark[]>();
  if (inside.length) {
    const [marks] = await db.raw(`SELECT m.*, ${MS('m.at')} AS at_ms FROM agent_time_marks m
      WHERE m.agent_id IN (?) AND m.at >= ? AND m.at < ? ORDER BY m.agent_id, m.at, m.history_id`,
    [inside, new Date(Math.floor(endMs / SLOT_MS) * SLOT_MS), end]);
    for (const r of marks as Array<Record<string, unknown>>) {
      const id = n(r.agent_id);
      (walk.get(id) ?? walk.set(id, []).get(id)!).push({ at: n(r.at_ms), cat: n(r.category), ms: msOf(r) });
    }
  }

  for (const id of ids) {
    const totals = bounds.map((s) => totalsAt(id, s));
    const m = new Map<number, AgentSlot>();
    let any = false;
    for (let i = 0; i < starts.length; i++) {
      const a = totals[i]!;
      const b = totals[i + 1]!;
      const v = emptyAgentSlot();
      CATEGORY.forEach((c, k) => { v.ms[c] = b.ms[k]! - a.ms[k]!; });
      v.calls = b.calls - a.calls;
      v.noAnswers = b.noAnswers - a.noAnswers;
      m.set(bounds[i]!, v);
      any ||= v.calls > 0 || v.noAnswers > 0 || CATEGORY.some((c) => v.ms[c] > 0);
    }
    // An agent with neither time nor calls in the range is left out.
    if (any) slots.set(id, m);
  }
  return { names, slots };

  /** The agent's totals at the start of quarter hour `s`, the time capped at `end`. */
  function totalsAt(id: number, s: number): Totals {
    const t = Math.min(s * SLOT_MS, endMs);
    const out: Totals = { ms: [0, 0, 0, 0, 0], ...callsBefore(id, s) };
    const lm = last.get(id);
    if (!lm || t <= first.get(id)!) return out;
    if (t > lm.at) {
      out.ms = lm.ms.slice();
      if (lm.cat >= 1) out.ms[lm.cat - 1]! += t - lm.at;
      return out;
    }
    const q = Math.floor(t / SLOT_MS);
    const row = at.get(id)?.get(q);
    if (t === q * SLOT_MS) return { ...out, ms: msOf(row!) };
    // Off a quarter hour: from its row (when the history began before it) through the marks since.
    let ms = row ? msOf(row) : [0, 0, 0, 0, 0];
    let cat = row ? n(row.category) : 0;
    let since = row ? q * SLOT_MS : first.get(id)!;
    for (const mk of walk.get(id) ?? []) {
      if (mk.at < since || mk.at >= t) continue;
      if (cat >= 1) ms[cat - 1]! += mk.at - since;
      since = mk.at;
      cat = mk.cat;
    }
    if (cat >= 1) ms[cat - 1]! += t - since;
    return { ...out, ms };
  }

  /** Calls and no-answers of the attempts created before quarter hour `s`. */
  function callsBefore(id: number, s: number): { calls: number; noAnswers: number } {
    const row = at.get(id)?.get(s);
    if (row) return { calls: n(row.calls), noAnswers: n(row.no_answers) };
    const l = lastSlot.get(id);
    const base = l && s > l.slot ? l : { slot: 0, calls: 0, noAnswers: 0 };
    let calls = base.calls;
    let noAnswers = base.noAnswers;
    for (const o of own.get(id) ?? []) {
      if (o.slot >= base.slot && o.slot < s) {
        calls += o.calls;
        noAnswers += o.noAnswers;
      }
    }
    return { calls, noAnswers };
  }
}

