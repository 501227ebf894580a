import type { ParsedMember } from '../../contract/member-input.js';

/*
 * The port between the CSV import and the store: one all-or-nothing session
 * per import (S2), batches of validated rows in, per-row rejects out (SPEC M2,
 * M6). The MySQL member import session implements it.
 */

/** A member of a CSV batch with the file line it starts on. */
export interface LinedMember {
  line: number;
  member: ParsedMember;
}

export interface RejectedLine {
  line: number;
  reason: string;
}

export interface BatchInsertResult {
  inserted: number;
  /** Rows not stored, in line order. */
  rejected: RejectedLine[];
}

/** Stores what it can of one batch; rows whose number is already taken come back rejected. */
export type InsertMemberBatch = (rows: LinedMember[]) => Promise<BatchInsertResult>;

/**
 * One import into one campaign. Nothing it stores is visible to anyone else
 * before `commit`, and `rollback` forgets all of it, so a file found broken
 * on its last line changes nothing (S2).
 */
export interface MemberImportSession {
  /** Batches are stored one after another, in the order given (M2: the earlier line wins). */
  insertBatch: InsertMemberBatch;
  /** Makes every stored row visible at once; `campaign-gone` (nothing stored) when the campaign was deleted meanwhile. */
  commit(): Promise<'committed' | 'campaign-gone'>;
  /** Forgets every stored row. Safe after a failure and more than once. */
  rollback(): Promise<void>;
}

export type BeginImportResult =
  | { kind: 'begun'; session: MemberImportSession }
  /** Another import into the same campaign is running. */
  | { kind: 'busy' };

export type BeginMemberImport = () => Promise<BeginImportResult>;
