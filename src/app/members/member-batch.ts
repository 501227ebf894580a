import type { ParsedMember } from './member-input.js';

/*
 * The port between the CSV import and the store: a batch of validated rows in,
 * per-row rejects out (SPEC M2, M6). The MySQL member writer implements it.
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
