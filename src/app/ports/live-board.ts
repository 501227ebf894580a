import type { AgentBoardRow, CampaignBoardRow } from '../../contract/live-board.js';

/** A campaign row's own fields: cheap to read (the row and an index lookup of its live calls). */
export type CampaignHead = Pick<CampaignBoardRow, 'id' | 'name' | 'state' | 'limit' | 'live_calls' | 'line_group' | 'agents_ready' | 'reason'>;

/** A campaign row's counts over its members and attempts: the costly part, read less often. */
export type CampaignCounts = Omit<CampaignBoardRow, 'name' | 'state' | 'limit' | 'live_calls' | 'line_group' | 'agents_ready' | 'reason'>;

/** What the live boards read (from MySQL, the truth): rows by id, or all when `ids` is absent. */
export interface LiveBoardReader {
  agents(now: Date, ids?: readonly number[]): Promise<AgentBoardRow[]>;
  campaignHeads(now: Date, ids?: readonly number[]): Promise<CampaignHead[]>;
  /** Only campaigns with members or attempts have a row; the others count zero. */
  campaignCounts(ids?: readonly number[]): Promise<CampaignCounts[]>;
}
