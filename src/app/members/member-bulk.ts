import type { MemberBulkOutcome, MemberFilter } from '../../contract/member-bulk-schemas.js';
import type { EngineSignals } from '../ports/engine-signals.js';
import type { BulkMemberAction, MemberBulkStore, MemberExportRow } from '../ports/member-bulk-store.js';

/*
 * Issue 13 §3: reset tries, delete and export, applied to the members a filter of the members
 * list matches. Members in a call (dialing) or waiting for its result status (C7) are never reset
 * or deleted: their attempt is still live and its settling owns them. They are skipped and
 * counted, so the answer says how many were left alone. The work goes batch by batch (each batch
 * one transaction, DESIGN: no long locks beside the claim), yielding to the event loop between
 * batches so a big campaign does not starve dialling in the same process.
 */

/** Members per batch: one transaction locks at most this many member rows, for a few ms. */
export const MEMBER_BULK_BATCH = 500;

export type BulkResult = { kind: 'done'; outcome: MemberBulkOutcome } | { kind: 'no-campaign' };

export async function applyToMembers(store: MemberBulkStore, signals: EngineSignals, action: BulkMemberAction, campaignId: number,
  filter: MemberFilter, now: () => Date, size = MEMBER_BULK_BATCH): Promise<BulkResult> {
  if (!(await store.campaignExists(campaignId))) return { kind: 'no-campaign' };
  const outcome: MemberBulkOutcome = { matched: 0, changed: 0, skipped_in_call: 0 };
  // `now` once for the whole action: the "wait" filter must mean the same instant in every batch.
  const at = now();
  let cursor: number | null = 0;
  while (cursor !== null) {
    const b = await store.applyBatch(action, campaignId, filter, cursor, size, at);
    outcome.matched += b.matched;
    outcome.changed += b.changed;
    outcome.skipped_in_call += b.inCall;
    cursor = b.lastId;
    if (cursor !== null) await new Promise<void>((r) => setImmediate(r));
  }
  // Members ready again are dialled (and the boards recount) without waiting for a timer.
  if (outcome.changed > 0) signals.membersAdded(campaignId);
  return { kind: 'done', outcome };
}

/** The export's rows, batch after batch in id order (bounded memory whatever the campaign's size). */
export async function* exportMembers(store: MemberBulkStore, campaignId: number, filter: MemberFilter, now: Date,
  size = MEMBER_BULK_BATCH): AsyncIterable<MemberExportRow> {
  let cursor: number | null = 0;
  while (cursor !== null) {
    const b = await store.exportBatch(campaignId, filter, cursor, size, now);
    yield* b.rows;
    cursor = b.lastId;
  }
}
