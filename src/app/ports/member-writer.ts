import type { NumberedItem, ParsedMember } from '../../contract/member-input.js';

/** An item of an upload refused for a number the campaign (or the upload) has twice (M2). */
export interface DuplicateItem {
  /** Index of the member in the request. */
  index: number;
  number: string;
  reason: string;
}

export type InsertMembersResult =
  | { kind: 'inserted'; ids: number[] }
  | { kind: 'duplicates'; items: DuplicateItem[] };

/** M1, M2: adds the members of an upload, all or none. */
export interface MemberWriter {
  /** Every number of the items the campaign or another item has already. */
  findDuplicates(campaignId: number, items: readonly NumberedItem[]): Promise<DuplicateItem[]>;
  /** All in one transaction, ids in input order; nothing when a number is taken. */
  insertMembers(campaignId: number, members: ParsedMember[], now: Date): Promise<InsertMembersResult>;
}
