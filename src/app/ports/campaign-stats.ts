import type { CampaignStats } from '../../contract/campaign-schemas.js';

/** GET /api/v2/dialer/:id/stats: members by state, finished members by result, live calls. */
export interface CampaignStatsReader {
  campaignStats(campaignId: number): Promise<CampaignStats>;
}
