import type { Knex } from 'knex';
import type { AbandonCap } from '../../app/ports/report-reader.js';
import type { ComplianceWindow } from '../../domain/campaign-type.js';
import { emptyCounts, SLOT_MS, type SlotCounts } from '../../domain/interval-buckets.js';

/**
 * The outcome classes an attempt is written with (call-store.ts, result-status-store.ts); NULL while live.
 * Migration 018's report_class numbers them in this order: keep both lists the same.
 */
const OUTCOMES = ['success', 'retry', 'error', 'minus', 'waiting_result', 'agent_failed', 'expired', 'skipped'] as const;

/**
 * Q2: a campaign's attempts created in [from, to), counted per UTC quarter hour and report_class
 * (migration 018: outcome class * 4 + answered * 2 + abandoned, a number MariaDB keeps in the
 * index). The attempts_report index holds every column read here, so only the index is read, and
 * no string is compared per row: the outcome and the cause (ABANDONED, P3) were, before 018, and
 * cost more than the index read itself (BENCHMARKS.md). Likewise the quarter hour is
 * TO_SECONDS … DIV 900, not TIMESTAMPDIFF from a string date; ORDER BY NULL spares the sort of
 * the groups. Talk time is summed per group and kept for the answered groups only. The sums are
 * of doubles (`* 1e0`): a SUM of integers adds DECIMALs, which cost MariaDB 0.15-0.2 s of CPU more
 * over 1M rows (0.77-0.80 s against 0.94-0.96 s for the whole query, measured); a double holds
 * these sums exactly (whole seconds; microseconds up to 2^53, 285 years of talk).
 * An attempt still on the line (outcome NULL) is `live`, an outcome the list does not know is
 * `other`, so the classes always add up to the attempts. Abandoned counts among the answered as
 * the live board and the pacer do.
 */
export const SLOTS_SQL = `SELECT TO_SECONDS(created_at) DIV 900 AS slot, report_class AS class,
       COUNT(*) AS n,
       SUM(talk_sec * 1e0) AS talk_sum,
       COUNT(talk_sec) AS talk_n,
       (SUM(TIMESTAMPDIFF(MICROSECOND, agent_answered_at, ended_at) * 1e0) / 1e6
         + COALESCE(SUM(CASE WHEN ended_at IS NOT NULL AND agent_answered_at IS NOT NULL THEN wrap_up_sec * 1e0 END), 0)) AS handle_sum,
       COUNT(CASE WHEN ended_at IS NOT NULL THEN agent_answered_at END) AS handle_n
     FROM attempts
     WHERE campaign_id = ? AND created_at >= ? AND created_at < ?
     GROUP BY slot, class
     ORDER BY NULL`;

/** TO_SECONDS counts from year 0: the quarter hour of the Unix epoch. */
const EPOCH_SLOT = 62_167_219_200 / 900;

export async function attemptSlots(db: Knex, campaignId: number, from: Date, to: Date): Promise<Map<number, SlotCounts>> {
  const [rows] = await db.raw(SLOTS_SQL, [campaignId, new Date(Math.floor(from.getTime() / SLOT_MS) * SLOT_MS), to]);
  const slots = new Map<number, SlotCounts>();
  for (const r of rows as Array<Record<string, string | number | null>>) {
    const slot = Number(r.slot) - EPOCH_SLOT;
    let c = slots.get(slot);
    if (!c) slots.set(slot, (c = emptyCounts()));
    const n = Number(r.n);
    const k = Number(r.class);
    const cls = k >> 2;
    const outcome = cls === 0 ? 'live' : cls === 1 ? 'other' : OUTCOMES[cls - 2] ?? 'other';
    c.attempts += n;
    if (k & 2) {
      c.answered += n;
      c.talkSum += Number(r.talk_sum ?? 0);
      c.talkN += Number(r.talk_n);
    }
    if (k & 1) c.abandoned += n;
    if (outcome === 'success') c.successful += n;
    c.handleSum += Number(r.handle_sum ?? 0);
    c.handleN += Number(r.handle_n);
    c.outcomes[outcome] = (c.outcomes[outcome] ?? 0) + n;
  }
  return slots;
}

/** P4: the abandon cap a predictive campaign's report is set against; null for another type or no such campaign. */
export async function campaignAbandonCap(db: Knex, campaignId: number): Promise<AbandonCap | null> {
  const row = await db('campaigns').where({ id: campaignId, type: 'predictive' })
    .first('abandon_cap_pct', 'abandon_target_pct', 'compliance_window');
  return row ? { capPct: Number(row.abandon_cap_pct), targetPct: Number(row.abandon_target_pct), window: row.compliance_window as ComplianceWindow } : null;
}

/** The zone a campaign's reports use: its calendar's. Undefined when the campaign does not exist. */
export async function campaignZone(db: Knex, campaignId: number): Promise<string | undefined> {
  const row = await db('campaigns as c').join('calendars as k', 'k.id', 'c.calendar_id').where('c.id', campaignId).first('k.timezone');
  return row?.timezone;
}
