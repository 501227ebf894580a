import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import type { Knex } from 'knex';
import { dropDatabase, openMigratedDatabase, parseDbUrl } from '../src/adapters/mysql/database.js';
import { beginMemberImport } from '../src/adapters/mysql/member-import-session.js';
import { parseColumns } from '../src/app/members/csv-columns.js';
import { importMembersCsv } from '../src/app/members/csv-import.js';
import type { LinedMember } from '../src/app/members/member-batch.js';
import { loadConfig } from '../src/config.js';
import { COLUMNS, generate, row } from './import-data.js';

/*
 * `npm run bench:import [-- --rows N] [--keep]`: the member import of SPEC M6
 * against a raw knex batchInsert of the same rows, on a fresh scratch database.
 *
 *   real path: CSV file → charset check → iconv → csv-parse → MemberInput →
 *              insertMemberBatch (duplicate lookup, members + communications,
 *              batches of 5000 rows, each under a savepoint) in one transaction
 *              for the whole file (S2), zones and COMMIT at the end
 *   baseline:  knex.batchInsert(rows, 1000) into a scratch table shaped like
 *              members (same indexes) plus the number with the M2 unique key,
 *              from rows already in memory: no CSV, no validation, no lookup.
 *
 * The two run interleaved by tenths of the file (see interleaved()).
 */

async function seedCampaign(db: Knex): Promise<number> {
  const [calendarId] = await db('calendars').insert({ name: 'bench', timezone: 'UTC', windows: '[]', holidays: '[]' });
  const [id] = await db('campaigns').insert({
    name: 'bench', calendar_id: calendarId, call_limit: 1, retry_wait_sec: 60, max_tries: 3, min_success_sec: 5,
    wrapup_sec: 0, variables: '{}', causes: '{}',
  });
  return id!;
}

/** The scratch table of the baseline: shaped like members (same indexes) plus the number with its M2 key. */
async function createRawTable(db: Knex): Promise<void> {
  await db.raw('CREATE TABLE bench_raw_members LIKE members');
  await db.raw('ALTER TABLE bench_raw_members ADD COLUMN number VARCHAR(32) NOT NULL, ADD UNIQUE KEY bench_raw_number (campaign_id, number)');
}

/** knex.batchInsert of rows [from, to] built in memory (no CSV, no checks); returns seconds. */
async function rawSlice(db: Knex, from: number, to: number, campaignId: number): Promise<number> {
  // Built 20k at a time so the baseline's arrays do not set the peak RSS.
  let sec = 0;
  for (let start = from; start <= to; start += 20_000) sec += await rawPart(db, start, Math.min(to, start + 19_999), campaignId);
  return sec;
}

async function rawPart(db: Knex, from: number, to: number, campaignId: number): Promise<number> {
  const now = new Date();
  const slice = [];
  for (let i = from; i <= to; i++) {
    const r = row(i);
    slice.push({
      campaign_id: campaignId, name: r.name, number: r.number, priority: r.priority,
      timezone: r.timezone || null, variables: JSON.stringify({ debt: r.debt }),
      state: 'ready', ready_at: now, tries: 0, created_at: now, updated_at: now,
    });
  }
  const t0 = performance.now();
  await db.batchInsert('bench_raw_members', slice, 1000);
  return (performance.now() - t0) / 1000;
}

/**
 * The real import of the whole file, with the baseline run in slices in between:
 * after each tenth of the file the import pauses (no batch in flight, none
 * started), the same tenth is batch-inserted raw, then the import goes on.
 * Both see the same machine load (other work on the host varies over minutes)
 * and the same table sizes. Import time = wall time minus the pauses.
 */
async function interleaved(db: Knex, file: string, rows: number, campaignId: number) {
  const cols = parseColumns(COLUMNS.split(','));
  if (cols.kind !== 'ok') throw new Error(cols.message);
  const size = (await stat(file)).size;
  const sliceRows = Math.ceil(rows / 10);
  let rawSec = 0;
  let rawDone = 0;
  let pausedMs = 0;
  let stored = 0;
  let active = 0;
  let idle: (() => void) | undefined;
  let gate: Promise<void> = Promise.resolve();
  let rssMb = 0;
  const now = new Date();

  let pausing = false;
  const pauseForRaw = (): void => {
    if (pausing) return;
    pausing = true;
    gate = (async () => {
      while (active > 0) await new Promise<void>((r) => (idle = r));
      const t0 = performance.now();
      while (rawDone + sliceRows <= stored || (stored >= rows && rawDone < rows)) {
        const to = Math.min(rows, rawDone + sliceRows);
        rawSec += await rawSlice(db, rawDone + 1, to, campaignId);
        rawDone = to;
      }
      pausedMs += performance.now() - t0;
    })().finally(() => {
      pausing = false;
    });
    gate.catch(() => undefined); // awaited by the next batch or at the end; not an unhandled rejection
  };

  const t0 = performance.now();
  const out = await importMembersCsv(
    createReadStream(file, { highWaterMark: 256 * 1024 }),
    { charset: 'utf-8', separator: ',', skipHeader: false, columns: cols.columns },
    {
      begin: async () => {
        const begun = await beginMemberImport(db, campaignId, now);
        if (begun.kind !== 'begun') return begun;
        const { session } = begun;
        const insertBatch = async (batch: LinedMember[]) => {
          await gate;
          active++;
          try {
            return await session.insertBatch(batch);
          } finally {
            active--;
            stored += batch.length;
            if (active === 0) idle?.();
            if (stored >= rawDone + sliceRows) pauseForRaw();
          }
        };
        return { kind: 'begun', session: { insertBatch, commit: () => session.commit(), rollback: () => session.rollback() } };
      },
      onProgress: (p) => {
        rssMb = Math.max(rssMb, process.memoryUsage().rss / 1048576);
        if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K  ${((p.bytes / size) * 100).toFixed(0)}% of the file`);
      },
    },
  );
  await gate;
  if (rawDone < rows) rawSec += await rawSlice(db, rawDone + 1, rows, campaignId);
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  const importSec = (performance.now() - t0 - pausedMs) / 1000;
  if (out.kind !== 'done') throw new Error(`import did not finish: ${JSON.stringify(out).slice(0, 300)}`);
  return { importSec, rawSec, inserted: out.report.inserted, rejected: out.report.rejected_count };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, keep: { type: 'boolean', default: false } } });
  const rows = Number(values.rows);
  if (!Number.isInteger(rows) || rows <= 0) throw new Error('--rows must be a positive integer');
  const file = await generate(rows);
  const { serverUrl } = parseDbUrl(loadConfig().dbUrl);
  const url = `${serverUrl.replace(/\/$/, '')}/dialer_bench_${randomBytes(3).toString('hex')}`;
  const db = await openMigratedDatabase(url, 4);
  try {
    const campaignId = await seedCampaign(db);
    await createRawTable(db);
    const r = await interleaved(db, file, rows, campaignId);
    const rssMb = process.resourceUsage().maxRSS / 1024;
    const imp = { sec: r.importSec, inserted: r.inserted, rejected: r.rejected };
    const rawSec = r.rawSec;
    const impRate = imp.inserted / imp.sec;
    const rawRate = rows / rawSec;
    const [[ver]] = (await db.raw('SELECT VERSION() AS v')) as [[{ v: string }]];
    const lines = [
      `rows                 ${rows.toLocaleString('en-US')} (${file})`,
      `real import          ${imp.sec.toFixed(1)} s, ${Math.round(impRate).toLocaleString('en-US')} rows/s (inserted ${imp.inserted}, rejected ${imp.rejected})`,
      `raw batchInsert      ${rawSec.toFixed(1)} s, ${Math.round(rawRate).toLocaleString('en-US')} rows/s`,
      `ratio                ${(impRate / rawRate).toFixed(2)} (goal >= 0.5)`,
      `peak RSS             ${rssMb.toFixed(0)} MB, whole process (goal < 300 MB)`,
      `machine              ${cpus().length} cores, node ${process.version}, ${ver.v}, ${new Date().toISOString()}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await db.destroy();
    if (!values.keep) await dropDatabase(url);
    else process.stdout.write(`kept ${url}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
