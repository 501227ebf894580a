import type { Knex } from 'knex';
import { emptyCounts, SLOT_MS, type SlotCounts } from '../../domain/interval-buckets.js';

/**
 * Q2: a campaign's attempts created in [from, to), counted per UTC quarter hour and outcome
 * (the attempts_campaign_created index of migration 008 finds the range). The outcome of an
 * attempt still on the line is NULL: it is counted as `live`.
 */
export async function attemptSlots(db: Knex, campaignId: number, from: Date, to: Date): Promise<Map<number, SlotCounts>> {
  const [rows] = await db.raw(
    `SELECT TIMESTAMPDIFF(MINUTE, '1970-01-01', created_at) DIV 15 AS slot, COALESCE(outcome, 'live') AS outcome,
       COUNT(*) AS n,
       COUNT(answered_at) AS answered,
       SUM(CASE WHEN answered_at IS NOT NULL THEN talk_sec END) AS talk_sum,
       COUNT(CASE WHEN answered_at IS NOT NULL THEN talk_sec END) AS talk_n,
       SUM(TIMESTAMPDIFF(MICROSECOND, agent_answered_at, ended_at)) / 1e6 AS handle_sum,
       COUNT(CASE WHEN ended_at IS NOT NULL THEN agent_answered_at END) AS handle_n
     FROM attempts
     WHERE campaign_id = ? AND created_at >= ? AND created_at < ?
     GROUP BY slot, outcome`,
    [campaignId, new Date(Math.floor(from.getTime() / SLOT_MS) * SLOT_MS), to],
  );
  const slots = new Map<number, SlotCounts>();
  for (const r of rows as Array<Record<string, string | number | null>>) {
    const slot = Number(r.slot);
    let c = slots.get(slot);
    if (!c) slots.set(slot, (c = emptyCounts()));
    const n = Number(r.n);
    const outcome = String(r.outcome);
    c.attempts += n;
    c.answered += Number(r.answered);
    if (outcome === 'success') c.successful += n;
    c.talkSum += Number(r.talk_sum ?? 0);
    c.talkN += Number(r.talk_n);
    c.handleSum += Number(r.handle_sum ?? 0);
    c.handleN += Number(r.handle_n);
    c.outcomes[outcome] = (c.outcomes[outcome] ?? 0) + n;
  }
  return slots;
}

/** The zone a campaign's reports use: its calendar's. Undefined when the campaign does not exist. */
export async function campaignZone(db: Knex, campaignId: number): Promise<string | undefined> {
  const row = await db('campaigns as c').join('calendars as k', 'k.id', 'c.calendar_id').where('c.id', campaignId).first('k.timezone');
  return row?.timezone;
}
