import type { Knex } from 'knex';
import { reasonView } from '../../domain/dial-reason.js';
import type { CampaignStats } from '../../contract/campaign-schemas.js';
import { countsAsDialled, succeededAndFailed } from '../../domain/campaign-figures.js';
import type { CampaignStatsReader } from '../../app/ports/campaign-stats.js';

/** Counts for GET /api/v2/dialer/:id/stats: members by state, finished members by result, live calls. */
export class StatsRepository implements CampaignStatsReader {
  constructor(private readonly db: Knex) {}

  async campaignStats(campaignId: number): Promise<CampaignStats> {
    const [states, results, live, attempts, campaign, withSuccess] = await Promise.all([
      this.db('members').where({ campaign_id: campaignId }).groupBy('state').select('state').count({ n: '*' }),
      this.db('members').where({ campaign_id: campaignId, state: 'done' }).groupBy('result').select('result').count({ n: '*' }),
      this.db('attempts').where({ live_campaign: campaignId }).count({ n: '*' }).first(),
      this.db('attempts').where({ campaign_id: campaignId }).groupBy('outcome').select('outcome').count({ n: '*' }),
      this.db('campaigns').where({ id: campaignId }).first('reason'),
      this.db('attempts').where({ campaign_id: campaignId, outcome: 'success' }).countDistinct({ n: 'member_id' }).first(),
    ]);
    const members = { ready: 0, dialing: 0, waiting_result: 0, done: 0, total: 0 };
    for (const r of states as Array<{ state: keyof typeof members; n: number | string }>) {
      members[r.state] = Number(r.n);
      members.total += Number(r.n);
    }
    const byResult: Record<string, number> = {};
    for (const r of results as Array<{ result: string | null; n: number | string }>) byResult[r.result ?? 'UNKNOWN'] = Number(r.n);
    let all = 0;
    let dialled = 0;
    for (const a of attempts as Array<{ outcome: string | null; n: number | string }>) {
      all += Number(a.n);
      if (countsAsDialled(a.outcome)) dialled += Number(a.n);
    }
    return { members, results: byResult, live_calls: Number(live?.n ?? 0), attempts: all, dialled,
      ...succeededAndFailed(Number(withSuccess?.n ?? 0), members.done),
      reason: reasonView(campaign?.reason, new Date()) };
  }
}
