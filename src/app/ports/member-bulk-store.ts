import type { MemberFilter } from '../../contract/member-bulk-schemas.js';

/*
 * Issue 13 §3: bulk member actions work through a campaign's members in id order, one batch at a
 * time: each batch is one transaction (a member is changed wholly or not at all) over at most
 * `size` members, so a campaign of a million members never holds a long lock or a big result.
 */

export type BulkMemberAction = 'reset-tries' | 'delete';

/** One batch: members of the filter with an id above the cursor, at most `size` of them. */
export interface MemberBatchOutcome {
  /** Members the filter matched in this batch. */
  matched: number;
  /** Of them, changed (tries reset, or deleted). */
  changed: number;
  /** Of them, left alone: in a call or waiting for its result status. */
  inCall: number;
  /** The last id of the batch, the next batch's cursor; null when this was the last batch. */
  lastId: number | null;
}

/** One member as exported: the columns of MEMBER_EXPORT_COLUMNS, in order. */
export type MemberExportRow = readonly (string | number | null)[];

export interface MemberBulkStore {
  campaignExists(campaignId: number): Promise<boolean>;
  /** How many members the filter matches now, and how many of them are in a call. */
  count(campaignId: number, filter: MemberFilter, now: Date): Promise<{ matching: number; inCall: number }>;
  /** Applies `action` to one batch, members in a call excepted, in one transaction. */
  applyBatch(action: BulkMemberAction, campaignId: number, filter: MemberFilter, afterId: number, size: number, now: Date): Promise<MemberBatchOutcome>;
  /** One batch of the export, read without locks. */
  exportBatch(campaignId: number, filter: MemberFilter, afterId: number, size: number, now: Date): Promise<{ rows: MemberExportRow[]; lastId: number | null }>;
}
