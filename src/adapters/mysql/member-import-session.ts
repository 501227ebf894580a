import type { Knex } from 'knex';
import type { BeginImportResult, MemberImportSession } from '../../app/members/member-batch.js';
import { insertMemberBatch, writeZones, type ImportBatchState, type LinedMember } from './member-writer.js';
import { lockNameSql } from './named-lock.js';

/*
 * A CSV import as one transaction (S2: a file found broken, or in the wrong
 * charset, changes nothing), on a connection of its own so that:
 *
 * - a named lock (GET_LOCK) keeps one import per campaign at a time; a second
 *   one is told at once instead of waiting on the first one's row locks for
 *   innodb_lock_wait_timeout. Lock names are server-wide, so the database's
 *   name is part of it. The lock outlives COMMIT on the same connection: the
 *   next import's duplicate lookup sees every committed row (M2).
 * - foreign_key_checks is off: the check of members.campaign_id takes a shared
 *   lock on the campaign row until COMMIT, and the engine's claim locks that
 *   row FOR UPDATE (C2), so a long import into a running campaign would stall
 *   its dialling (measured: claims wait, then fail after the lock-wait
 *   timeout). The campaign is checked instead, under a share lock held only
 *   for the COMMIT.
 * - zones are written once, at COMMIT, so their row locks do not block other
 *   uploads of members in the same zone while the file is read.
 */

const LOCK_NAME = lockNameSql('import');

/**
 * Opens the import into `campaignId`: `busy` when another import into it is
 * running. The caller ends the session with `commit` or `rollback`, which
 * give the connection back.
 */
export async function beginMemberImport(db: Knex, campaignId: number, now: Date): Promise<BeginImportResult> {
  const conn: unknown = await db.client.acquireConnection();
  const onConn = (sql: string, bindings: Knex.RawBinding[] = []) => db.raw(sql, bindings).connection(conn);
  let locked = false;
  try {
    const [rows] = (await onConn(`SELECT GET_LOCK(${LOCK_NAME}, 0) AS got`, [campaignId])) as [{ got: number | null }[]];
    locked = Number(rows[0]?.got) === 1;
    if (!locked) {
      await db.client.releaseConnection(conn);
      return { kind: 'busy' };
    }
    await onConn('SET SESSION foreign_key_checks = 0');
    const trx = await db.transaction({ connection: conn });
    return { kind: 'begun', session: new MySqlImportSession(db, conn, trx, campaignId, now) };
  } catch (err) {
    await giveBack(db, conn, locked, campaignId);
    throw err;
  }
}

class MySqlImportSession implements MemberImportSession {
  readonly #state: ImportBatchState = { zones: new Set<string>(), lookUpFirst: false };
  #ended: Promise<void> | undefined;

  constructor(
    private readonly db: Knex,
    private readonly conn: unknown,
    private readonly trx: Knex.Transaction,
    private readonly campaignId: number,
    private readonly now: Date,
  ) {}

  insertBatch = (rows: LinedMember[]) => insertMemberBatch(this.trx, this.campaignId, rows, this.now, this.#state);

  async commit(): Promise<'committed' | 'campaign-gone'> {
    if (this.#ended) throw new Error('member import: commit after the session ended');
    let outcome: 'committed' | 'campaign-gone' = 'committed';
    this.#ended = (async () => {
      try {
        // Held until COMMIT: a campaign deleted meanwhile would leave these members without one.
        const campaign = await this.trx('campaigns').where('id', this.campaignId).forShare().first('id');
        if (!campaign) {
          outcome = 'campaign-gone';
          await this.trx.rollback();
          return;
        }
        await writeZones(this.trx, this.campaignId, this.#state.zones);
        await this.trx.commit();
      } catch (err) {
        if (!this.trx.isCompleted()) await this.trx.rollback().catch(() => undefined);
        throw err;
      } finally {
        await giveBack(this.db, this.conn, true, this.campaignId);
      }
    })();
    await this.#ended;
    return outcome;
  }

  rollback(): Promise<void> {
    this.#ended ??= (async () => {
      try {
        if (!this.trx.isCompleted()) await this.trx.rollback();
      } finally {
        await giveBack(this.db, this.conn, true, this.campaignId);
      }
    })();
    return this.#ended.catch(() => undefined);
  }
}

/**
 * Undoes the session settings and returns the connection to the pool; a
 * connection that cannot be reset is closed instead, never reused with
 * foreign key checks off.
 */
async function giveBack(db: Knex, conn: unknown, locked: boolean, campaignId: number): Promise<void> {
  try {
    await db.raw('SET SESSION foreign_key_checks = 1').connection(conn);
    if (locked) await db.raw(`DO RELEASE_LOCK(${LOCK_NAME})`, [campaignId]).connection(conn);
  } catch {
    (conn as { destroy(): void }).destroy();
  }
  await db.client.releaseConnection(conn);
}
