import type { Knex } from 'knex';
import { emptyCounts, SLOT_MS, type SlotCounts } from '../../domain/interval-buckets.js';

/** The outcome classes an attempt is written with (call-store.ts, result-status-store.ts); NULL while live. */
const OUTCOMES = ['success', 'retry', 'error', 'minus', 'waiting_result', 'agent_failed', 'expired'] as const;

/**
 * Q2: a campaign's attempts created in [from, to), counted per UTC quarter hour. The
 * attempts_report index (migration 009) holds every column read here, so only the index is read.
 * Grouped by the quarter hour alone, the outcomes counted in columns: grouping by outcome too
 * doubles the time over 1M attempts. An attempt still on the line (outcome NULL) is `live`, an
 * outcome this list does not know yet is `other`, so the classes always add up to the attempts.
 */
export const SLOTS_SQL = `SELECT TIMESTAMPDIFF(MINUTE, '1970-01-01', created_at) DIV 15 AS slot,
       COUNT(*) AS n,
       COUNT(answered_at) AS answered,
       SUM(CASE WHEN answered_at IS NOT NULL THEN talk_sec END) AS talk_sum,
       COUNT(CASE WHEN answered_at IS NOT NULL THEN talk_sec END) AS talk_n,
       SUM(TIMESTAMPDIFF(MICROSECOND, agent_answered_at, ended_at)) / 1e6 AS handle_sum,
       COUNT(CASE WHEN ended_at IS NOT NULL THEN agent_answered_at END) AS handle_n,
       COUNT(*) - COUNT(outcome) AS o_live,
       ${OUTCOMES.map((o) => `SUM(outcome = '${o}') AS o_${o}`).join(',\n       ')}
     FROM attempts
     WHERE campaign_id = ? AND created_at >= ? AND created_at < ?
     GROUP BY slot`;

export async function attemptSlots(db: Knex, campaignId: number, from: Date, to: Date): Promise<Map<number, SlotCounts>> {
  const [rows] = await db.raw(SLOTS_SQL, [campaignId, new Date(Math.floor(from.getTime() / SLOT_MS) * SLOT_MS), to]);
  const slots = new Map<number, SlotCounts>();
  for (const r of rows as Array<Record<string, string | number | null>>) {
    const c = emptyCounts();
    c.attempts = Number(r.n);
    c.answered = Number(r.answered);
    c.successful = Number(r.o_success);
    c.talkSum = Number(r.talk_sum ?? 0);
    c.talkN = Number(r.talk_n);
    c.handleSum = Number(r.handle_sum ?? 0);
    c.handleN = Number(r.handle_n);
    let known = 0;
    for (const o of ['live', ...OUTCOMES]) {
      const n = Number(r[`o_${o}`] ?? 0);
      known += n;
      if (n) c.outcomes[o] = n;
    }
    if (c.attempts > known) c.outcomes.other = c.attempts - known;
    slots.set(Number(r.slot), c);
  }
  return slots;
}

/** The zone a campaign's reports use: its calendar's. Undefined when the campaign does not exist. */
export async function campaignZone(db: Knex, campaignId: number): Promise<string | undefined> {
  const row = await db('campaigns as c').join('calendars as k', 'k.id', 'c.calendar_id').where('c.id', campaignId).first('k.timezone');
  return row?.timezone;
}
