import type { Knex } from 'knex';
import type { BatchInsertResult, LinedMember, RejectedLine } from '../../app/members/member-batch.js';
import type { NumberedItem, ParsedMember } from '../../contract/member-input.js';
import type { DuplicateItem, InsertMembersResult } from '../../app/ports/member-writer.js';

export type { BatchInsertResult, LinedMember, RejectedLine };

/*
 * Writes members, their communications and their zones (SPEC M1, M2; DESIGN §3
 * campaign_zones). Rows go in multi-row INSERTs: a million-row CSV must not pay
 * one round trip per member.
 */

// Rows per INSERT statement: well under max_allowed_packet (16 MB by default)
// even with 20 numbers and a few variables per member.
const ROWS_PER_STATEMENT = 1000;
// IN (...) list length of the duplicate lookup.
const NUMBERS_PER_LOOKUP = 2000;
// A concurrent upload can take a number between our lookup and our INSERT; the
// unique index catches it and the batch is checked again this many times. A
// deadlock between concurrent uploads is retried the same way.
const RACE_RETRIES = 3;

/**
 * M2 for a JSON upload: every number at most once in the campaign. Duplicates
 * inside `members` and against the database are all reported, naming the
 * number, and then nothing is stored. Otherwise all members are stored in one
 * transaction and their ids come back in input order.
 */
export async function insertMembers(
  db: Knex,
  campaignId: number,
  members: ParsedMember[],
  now: Date,
): Promise<InsertMembersResult> {
  if (members.length === 0) return { kind: 'inserted', ids: [] };
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.transaction(async (trx) => {
        const items = await findDuplicates(trx, campaignId, members.map((m, index) => ({ index, numbers: m.communications.map((c) => c.number) })));
        if (items.length > 0) return { kind: 'duplicates', items };
        const ids = await writeMembers(trx, campaignId, members, now);
        await writeZones(trx, campaignId, members.flatMap((m) => (m.timezone === null ? [] : [m.timezone])));
        return { kind: 'inserted', ids };
      });
    } catch (err) {
      if (isDeadlock(err) && attempt < RACE_RETRIES) continue;
      if (!isDuplicateKey(err)) throw err;
      if (attempt >= RACE_RETRIES) return { kind: 'duplicates', items: duplicatesFromError(err, members) };
    }
  }
}

/** What one import carries from batch to batch. */
export interface ImportBatchState {
  /** Zones of the stored rows, written once at commit. */
  zones: Set<string>;
  /**
   * Look the numbers up before writing. Off until a batch meets a number
   * already stored: a new list into a campaign seldom has one, and the unique
   * index finds it anyway, for the price of redoing that batch.
   */
  lookUpFirst: boolean;
}

/**
 * The CSV variant, run inside an import's transaction (member-import-session.ts):
 * a row whose number repeats an earlier row of the batch or already exists in
 * the campaign (an earlier batch of the same file included) is rejected with
 * its line; the other rows are stored.
 */
export async function insertMemberBatch(
  trx: Knex.Transaction,
  campaignId: number,
  rows: LinedMember[],
  now: Date,
  state: ImportBatchState,
): Promise<BatchInsertResult> {
  const { candidates, rejected: repeats, numbers } = withoutRepeats(rows);
  for (let attempt = 0; ; attempt++) {
    let lookUp = false;
    try {
      // A savepoint: when a number is already stored (another upload committed it between our
      // lookup and our INSERT, or there was no lookup), only this batch is undone and done again.
      const res = await trx.transaction(async (sp) => {
        // Read when the batch's turn comes: the batch before it may have just turned it on.
        lookUp = state.lookUpFirst;
        const rejected = [...repeats];
        let keep = candidates;
        if (lookUp) {
          const existing = await existingNumbers(sp, campaignId, numbers);
          keep = [];
          for (const row of candidates) {
            const taken = row.member.communications.find((c) => existing.has(c.number));
            if (taken) rejected.push({ line: row.line, reason: `number ${taken.number} already exists in the campaign` });
            else keep.push(row);
          }
        }
        await writeMembers(sp, campaignId, keep.map((r) => r.member), now);
        rejected.sort((a, b) => a.line - b.line);
        return { inserted: keep.length, rejected, keep };
      });
      for (const r of res.keep) if (r.member.timezone !== null) state.zones.add(r.member.timezone);
      return { inserted: res.inserted, rejected: res.rejected };
    } catch (err) {
      // Only a number already stored is done again here: a deadlock has already rolled back
      // the whole transaction, and a retry would run outside it.
      if (!isDuplicateKey(err)) throw err;
      if (!lookUp) {
        state.lookUpFirst = true;
        attempt--;
      } else if (attempt >= RACE_RETRIES) throw err;
    }
  }
}

/** M2 inside one batch: a row whose number an earlier row has is rejected naming that line. */
function withoutRepeats(rows: LinedMember[]): { candidates: LinedMember[]; rejected: RejectedLine[]; numbers: string[] } {
  const rejected: RejectedLine[] = [];
  const firstLine = new Map<string, number>();
  const candidates: LinedMember[] = [];
  for (const row of rows) {
    const repeated = row.member.communications.find((c) => firstLine.has(c.number));
    if (repeated) {
      rejected.push({ line: row.line, reason: `number ${repeated.number} repeats line ${firstLine.get(repeated.number)}` });
      continue;
    }
    for (const c of row.member.communications) firstLine.set(c.number, row.line);
    candidates.push(row);
  }
  return { candidates, rejected, numbers: [...firstLine.keys()] };
}

/**
 * M2 for the items of a JSON upload: a number repeated by a later item or already in the
 * campaign, one entry per item and number, by index. Also run for an upload with bad fields,
 * so its one answer names the duplicates too (read only; nothing is stored then anyway).
 */
export async function findDuplicates(db: Knex, campaignId: number, members: readonly NumberedItem[]): Promise<DuplicateItem[]> {
  const items: DuplicateItem[] = [];
  const firstIndex = new Map<string, number>();
  for (const { index, numbers } of members) {
    for (const number of numbers) {
      const first = firstIndex.get(number);
      if (first === undefined) firstIndex.set(number, index);
      else if (first !== index) {
        items.push({ index, number, reason: `number ${number} is also in item ${first}` });
      }
    }
  }
  const existing = await existingNumbers(db, campaignId, [...firstIndex.keys()]);
  for (const { index, numbers } of members) {
    for (const number of numbers) {
      if (existing.has(number)) {
        items.push({ index, number, reason: `number ${number} already exists in the campaign` });
      }
    }
  }
  return items.sort((a, b) => a.index - b.index);
}

async function existingNumbers(trx: Knex, campaignId: number, numbers: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < numbers.length; i += NUMBERS_PER_LOOKUP) {
    const rows: { number: string }[] = await trx('communications')
      .select('number')
      .where('campaign_id', campaignId)
      .whereIn('number', numbers.slice(i, i + NUMBERS_PER_LOOKUP));
    for (const r of rows) found.add(r.number);
  }
  return found;
}

/**
 * Inserts members and communications; returns member ids in input order.
 *
 * Ids: MariaDB/MySQL hand out consecutive ids (first = LAST_INSERT_ID(), step =
 * auto_increment_increment) to one multi-row INSERT only when
 * innodb_autoinc_lock_mode is 0 or 1. Mode 2 (the MySQL 8 default) may
 * interleave ids of concurrent INSERTs, so then each member is inserted alone.
 */
async function writeMembers(trx: Knex.Transaction, campaignId: number, members: ParsedMember[], now: Date): Promise<number[]> {
  if (members.length === 0) return [];
  const { consecutive, step } = await autoIncrementMode(trx);
  const ids: number[] = [];
  const chunk = consecutive ? ROWS_PER_STATEMENT : 1;
  for (let i = 0; i < members.length; i += chunk) {
    const part = members.slice(i, i + chunk);
    const [res] = (await trx('members').insert(part.map((m) => memberRow(campaignId, m, now)))) as [number];
    part.forEach((_, k) => ids.push(res + k * step));
  }

  const comms: Record<string, unknown>[] = [];
  members.forEach((m, i) => {
    m.communications.forEach((c, position) => {
      comms.push({ member_id: ids[i], campaign_id: campaignId, number: c.number, priority: c.priority, position });
    });
  });
  for (let i = 0; i < comms.length; i += ROWS_PER_STATEMENT) {
    await trx('communications').insert(comms.slice(i, i + ROWS_PER_STATEMENT));
  }
  return ids;
}

/** Records the zones members of the campaign use (DESIGN §3 campaign_zones); known ones are kept. */
export async function writeZones(trx: Knex.Transaction, campaignId: number, zones: Iterable<string>): Promise<void> {
  const list = [...new Set(zones)];
  if (list.length === 0) return;
  await trx('campaign_zones')
    .insert(list.map((timezone) => ({ campaign_id: campaignId, timezone })))
    .onConflict()
    .ignore();
}

function memberRow(campaignId: number, m: ParsedMember, now: Date): Record<string, unknown> {
  return {
    campaign_id: campaignId,
    name: m.name,
    priority: m.priority,
    expire_at: m.expire_at,
    timezone: m.timezone,
    variables: JSON.stringify(m.variables),
    state: 'ready',
    ready_at: now,
    tries: 0,
    created_at: now,
    updated_at: now,
  };
}

async function autoIncrementMode(trx: Knex.Transaction): Promise<{ consecutive: boolean; step: number }> {
  const [rows] = (await trx.raw(
    'SELECT @@innodb_autoinc_lock_mode AS mode, @@auto_increment_increment AS step',
  )) as [{ mode: number | string; step: number | string }[]];
  const row = rows[0];
  const mode = Number(row?.mode);
  return { consecutive: mode === 0 || mode === 1, step: Number(row?.step ?? 1) };
}

// "Duplicate entry '7-5551234' for key 'communications_campaign_number'" after a lost race.
function duplicatesFromError(err: unknown, members: ParsedMember[]): DuplicateItem[] {
  const msg = String((err as { sqlMessage?: string }).sqlMessage ?? (err as Error).message);
  const m = /Duplicate entry '\d+-([^']*)'/.exec(msg);
  const number = m?.[1] ?? '';
  const index = Math.max(0, members.findIndex((x) => x.communications.some((c) => c.number === number)));
  return [{ index, number, reason: `number ${number} already exists in the campaign` }];
}

function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === 'ER_DUP_ENTRY';
}

function isDeadlock(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === 'ER_LOCK_DEADLOCK';
}
