import type { Knex } from 'knex';
import { RESULT_MAX_TRIES } from '../../domain/attempt-rules.js';
import type { CampaignForecastFacts } from '../../app/ports/report-reader.js';
import { toCalendar } from './calendar-row.js';

/** Q3: the rate is measured over this many of the campaign's latest attempts. */
export const RECENT_ATTEMPTS = 200;

/**
 * Q3: what the forecast is computed from, read now. Undefined when the campaign does not exist.
 * The recent attempts are the latest RECENT_ATTEMPTS by creation (attempts_campaign_created);
 * a retry is an ended attempt with outcome `retry` after which the member was tried again or is
 * still to be; `exhausted` is the member's latest attempt that ended it with MAX_TRY_COUNT (C5);
 * an uncounted one is `minus`, `agent_failed` or a `skipped` preview (P2). The latest attempt of a member is one lookup on
 * (member_id, id) per recent attempt.
 */
export async function forecastFacts(db: Knex, campaignId: number, now: Date): Promise<CampaignForecastFacts | undefined> {
  const c = await db('campaigns as c').join('calendars as k', 'k.id', 'c.calendar_id').where('c.id', campaignId)
    .first('c.state', 'c.retry_wait_sec', 'c.max_tries', 'c.max_minus_attempts',
      'k.timezone', 'k.start_at', 'k.end_at', 'k.windows', 'k.holidays');
  if (!c) return undefined;
  const [[recent], groups, [agents]] = await Promise.all([
    db.raw(`SELECT MIN(created_at) AS since, COUNT(*) AS attempts, COUNT(ended_at) AS ended,
              COUNT(CASE WHEN ended_at IS NOT NULL AND outcome = 'retry' AND NOT exhausted THEN 1 END) AS retries,
              COUNT(CASE WHEN ended_at IS NOT NULL AND outcome = 'retry' AND exhausted THEN 1 END) AS exhausted,
              COUNT(CASE WHEN ended_at IS NOT NULL AND outcome IN ('minus', 'agent_failed', 'skipped') THEN 1 END) AS uncounted,
              AVG(TIMESTAMPDIFF(MICROSECOND, created_at, ended_at)) / 1000 AS mean_length_ms
            FROM (SELECT a.created_at, a.ended_at, a.outcome,
                    m.result <=> ? AND a.id = (SELECT MAX(b.id) FROM attempts b WHERE b.member_id = a.member_id) AS exhausted
                  FROM attempts a JOIN members m ON m.id = a.member_id
                  WHERE a.campaign_id = ? AND a.created_at <= ?
                  ORDER BY a.created_at DESC LIMIT ${RECENT_ATTEMPTS}) recent`, [RESULT_MAX_TRIES, campaignId, now]),
    db('members').where('campaign_id', campaignId).whereNot('state', 'done')
      .groupBy('tries', 'minus_tries').select('tries', 'minus_tries', db.raw('COUNT(*) AS n'), db.raw('MAX(ready_at) AS last_ready')),
    db.raw(`SELECT COUNT(*) AS n FROM tiers t JOIN agents a ON a.id = t.agent_id
            WHERE t.campaign_id = ? AND a.status <> 'Logged Out'`, [campaignId]).then(([rows]) => rows),
  ]);
  const r = (recent as Array<Record<string, unknown>>)[0]!;
  let lastReadyAt: Date | null = null;
  for (const g of groups as Array<{ last_ready: Date }>) {
    if (lastReadyAt === null || g.last_ready.getTime() > lastReadyAt.getTime()) lastReadyAt = g.last_ready;
  }
  return {
    state: c.state,
    facts: {
      now, calendar: toCalendar(c), retryWaitSec: c.retry_wait_sec, agents: Number((agents as { n: number }).n),
      recent: {
        since: (r.since as Date | null) ?? now, attempts: Number(r.attempts), ended: Number(r.ended),
        retries: Number(r.retries), exhausted: Number(r.exhausted), uncounted: Number(r.uncounted),
        meanLengthMs: Number(r.mean_length_ms ?? 0),
      },
      remaining: (groups as Array<{ tries: number; minus_tries: number; n: number }>).map((g) => ({
        members: Number(g.n), triesLeft: Math.max(1, c.max_tries - g.tries), minusLeft: Math.max(0, c.max_minus_attempts - g.minus_tries),
      })),
      lastReadyAt,
    },
  };
}
