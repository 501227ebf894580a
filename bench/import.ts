import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, stat } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Knex } from 'knex';
import { dropDatabase, openMigratedDatabase, parseDbUrl } from '../src/adapters/mysql/database.js';
import { insertMemberBatch } from '../src/adapters/mysql/member-writer.js';
import { parseColumns } from '../src/app/members/csv-columns.js';
import { importMembersCsv } from '../src/app/members/csv-import.js';
import { loadConfig } from '../src/config.js';

/*
 * `npm run bench:import [-- --rows N] [--keep]`: the member import of SPEC M6
 * against a raw knex batchInsert of the same rows, on a fresh scratch database.
 *
 *   real path: CSV file → iconv → csv-parse → MemberInput → insertMemberBatch
 *              (duplicate lookup, members + communications + zones, one
 *              transaction per 1000 rows)
 *   baseline:  knex.batchInsert(rows, 1000) into a scratch table shaped like
 *              members (same indexes) plus the number with the M2 unique key,
 *              from rows already in memory: no CSV, no validation, no lookup.
 */

const DATA_DIR = join(dirname(fileURLToPath(import.meta.url)), 'data');
const COLUMNS = 'name,number,priority,timezone,var:debt';
const ZONES = ['Europe/Kyiv', 'Europe/Berlin', 'America/New_York', ''];

/** Row i of the data set, as CSV fields and as the values both paths store. */
function row(i: number) {
  return {
    name: `Member ${i}`,
    number: `7${String(i).padStart(10, '0')}`,
    priority: i % 10,
    timezone: ZONES[i % ZONES.length]!,
    debt: String((i * 37) % 100_000),
  };
}

async function generate(rows: number): Promise<string> {
  await mkdir(DATA_DIR, { recursive: true });
  const file = join(DATA_DIR, `members-${rows}.csv`);
  if (existsSync(file)) return file;
  const tmp = `${file}.${process.pid}.tmp`;
  const out = createWriteStream(tmp);
  let chunk = '';
  for (let i = 1; i <= rows; i++) {
    const r = row(i);
    chunk += `${r.name},${r.number},${r.priority},${r.timezone},${r.debt}\n`;
    if (chunk.length > 1 << 16 || i === rows) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end();
  await once(out, 'finish');
  await rename(tmp, file);
  return file;
}

async function seedCampaign(db: Knex): Promise<number> {
  const [calendarId] = await db('calendars').insert({ name: 'bench', timezone: 'UTC', windows: '[]', holidays: '[]' });
  const [id] = await db('campaigns').insert({
    name: 'bench', calendar_id: calendarId, call_limit: 1, retry_wait_sec: 60, max_tries: 3, min_success_sec: 5,
    wrapup_sec: 0, variables: '{}', causes: '{}',
  });
  return id!;
}

async function realImport(db: Knex, file: string, campaignId: number): Promise<{ sec: number; inserted: number; rejected: number }> {
  const cols = parseColumns(COLUMNS.split(','));
  if (cols.kind !== 'ok') throw new Error(cols.message);
  const size = (await stat(file)).size;
  const now = new Date();
  const t0 = performance.now();
  let lastPct = -1;
  const out = await importMembersCsv(
    createReadStream(file, { highWaterMark: 256 * 1024 }),
    { charset: 'utf-8', separator: ',', skipHeader: false, columns: cols.columns },
    {
      insertBatch: (rows) => insertMemberBatch(db, campaignId, rows, now),
      onProgress: (p) => {
        const pct = Math.floor((p.bytes / size) * 10);
        if (pct !== lastPct && process.stderr.isTTY) process.stderr.write(`\r  import ${pct * 10}%`);
        lastPct = pct;
      },
    },
  );
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  const sec = (performance.now() - t0) / 1000;
  if (out.kind !== 'done') throw new Error(`import did not finish: ${JSON.stringify(out).slice(0, 300)}`);
  return { sec, inserted: out.report.inserted, rejected: out.report.rejected_count };
}

async function rawBatchInsert(db: Knex, rows: number, campaignId: number): Promise<number> {
  await db.raw('CREATE TABLE bench_raw_members LIKE members');
  await db.raw('ALTER TABLE bench_raw_members ADD COLUMN number VARCHAR(32) NOT NULL, ADD UNIQUE KEY bench_raw_number (campaign_id, number)');
  const now = new Date();
  const t0 = performance.now();
  // Fed in slices so the baseline does not hold a million objects (RSS is the import's figure).
  const SLICE = 50_000;
  for (let from = 1; from <= rows; from += SLICE) {
    const slice = [];
    for (let i = from; i < Math.min(from + SLICE, rows + 1); i++) {
      const r = row(i);
      slice.push({
        campaign_id: campaignId, name: r.name, number: r.number, priority: r.priority,
        timezone: r.timezone || null, variables: JSON.stringify({ debt: r.debt }),
        state: 'ready', ready_at: now, tries: 0, created_at: now, updated_at: now,
      });
    }
    await db.batchInsert('bench_raw_members', slice, 1000);
  }
  return (performance.now() - t0) / 1000;
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
    const imp = await realImport(db, file, campaignId);
    const rssMb = process.resourceUsage().maxRSS / 1024;
    const rawSec = await rawBatchInsert(db, rows, campaignId);
    const impRate = imp.inserted / imp.sec;
    const rawRate = rows / rawSec;
    const [[ver]] = (await db.raw('SELECT VERSION() AS v')) as [[{ v: string }]];
    const lines = [
      `rows                 ${rows.toLocaleString('en-US')} (${file})`,
      `real import          ${imp.sec.toFixed(1)} s, ${Math.round(impRate).toLocaleString('en-US')} rows/s (inserted ${imp.inserted}, rejected ${imp.rejected})`,
      `raw batchInsert      ${rawSec.toFixed(1)} s, ${Math.round(rawRate).toLocaleString('en-US')} rows/s`,
      `ratio                ${(impRate / rawRate).toFixed(2)} (goal >= 0.5)`,
      `peak RSS             ${rssMb.toFixed(0)} MB during the import (goal < 300 MB)`,
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
