import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import type { Knex } from 'knex';
import { exportQuery, streamAttempts, streamRows } from '../src/adapters/mysql/attempt-export-store.js';
import { dropDatabase, openMigratedDatabase, parseDbUrl } from '../src/adapters/mysql/database.js';
import { attemptSlots, SLOTS_SQL } from '../src/adapters/mysql/report-store.js';
import type { ExportStyle } from '../src/app/reports/attempt-export.js';
import { writeExport } from '../src/app/reports/export-writer.js';
import { loadConfig } from '../src/config.js';
import { bucketise } from '../src/domain/interval-buckets.js';
import { writeSection } from './write-section.js';

/*
 * `npm run bench:export [-- --rows N] [--keep]`: SPEC Q1 and Q2 over N attempts (default 1M) of one
 * campaign, on a fresh scratch database filled by INSERT … SELECT from MariaDB's sequence engine.
 *
 *   raw:     the export's own SELECT streamed with the same driver settings, rows counted and
 *            dropped (no formatting, no output): what the database and driver can give
 *   csv:     the real export (streamAttempts → writeExport) into an output that drops the bytes
 *   ndjson:  the same as NDJSON
 *   report:  GET /reports' query and bucketing (interval=hour) over every attempt
 *
 * The passes alternate (raw, csv, ndjson, twice), so they see the same machine load. Peak RSS
 * is sampled every 50 ms during each pass; the process's own maximum is printed too.
 */

const START = Date.UTC(2026, 9, 1);
const STEP_SEC = 5;

async function fill(db: Knex, rows: number): Promise<number> {
  const [calendarId] = await db('calendars').insert({ name: 'bench', timezone: 'Europe/Kyiv', windows: '[]', holidays: '[]' });
  const [campaignId] = await db('campaigns').insert({ name: 'Кампанія "Зима"; bench', calendar_id: calendarId, call_limit: 10,
    retry_wait_sec: 60, max_tries: 3, min_success_sec: 5, wrapup_sec: 0, variables: '{}', causes: '{}' });
  const members = Math.max(1, Math.min(100_000, Math.ceil(rows / 10)));
  await db.raw(`INSERT INTO members (campaign_id, name, variables, state, ready_at, tries)
    SELECT ?, CONCAT('Іваненко; "Петро" ', seq), CONCAT('{"city":"Київ","debt":', seq, '}'), 'done', NOW(3), 3 FROM seq_1_to_${members}`, [campaignId!]);
  const [[first]] = await db.raw('SELECT MIN(id) AS id FROM members');
  await db.raw(`INSERT INTO agents (name, sip_user, call_timeout, wrapup_sec, max_no_answer, busy_delay_sec, reject_delay_sec, no_answer_delay_sec)
    SELECT CONCAT('Оля ', seq), CONCAT('10', seq, '@bench'), 20, 10, 3, 5, 5, 5 FROM seq_1_to_20`);
  const [[agent]] = await db.raw('SELECT MIN(id) AS id FROM agents');
  const chunk = 200_000;
  for (let from = 1; from <= rows; from += chunk) {
    const to = Math.min(rows, from + chunk - 1);
    await db.raw(`INSERT INTO attempts (campaign_id, member_id, communication_id, number, agent_id, state, created_at,
        agent_answered_at, answered_at, message_at, ended_at, hangup_cause, talk_sec, outcome, result_status, comment)
      SELECT ?, ? + seq % ?, seq % ? + 1, CONCAT('38050', LPAD(seq % ?, 7, '0')), ? + seq % 20, 'done',
        TIMESTAMPADD(SECOND, seq * ${STEP_SEC}, ?),
        IF(seq % 10 = 0, NULL, TIMESTAMPADD(SECOND, seq * ${STEP_SEC} + 3, ?)),
        IF(seq % 3 = 0, TIMESTAMPADD(SECOND, seq * ${STEP_SEC} + 10, ?), NULL),
        IF(seq % 99 = 0, TIMESTAMPADD(SECOND, seq * ${STEP_SEC} + 11, ?), NULL),
        TIMESTAMPADD(SECOND, seq * ${STEP_SEC} + 40, ?),
        IF(seq % 3 = 0, IF(seq % 99 = 0, 'ABANDONED', 'NORMAL_CLEARING'), 'NO_ANSWER'), IF(seq % 3 = 0, 30, 0),
        CASE WHEN seq % 9 = 0 THEN 'success' WHEN seq % 10 = 0 THEN 'agent_failed' ELSE 'retry' END,
        IF(seq % 9 = 0, '{"success":true,"comment":"Згоден; \\\\"так\\\\""}', NULL),
        IF(seq % 9 = 0, 'Згоден; "так"\\nпередзвонити', NULL)
      FROM seq_${from}_to_${to}`,
    [campaignId!, first.id, members, members, members, agent.id, ...Array<Date>(5).fill(new Date(START))]);
    process.stdout.write(`  filled ${to.toLocaleString('en-US')} attempts\n`);
  }
  await db.raw('ANALYZE TABLE attempts, members');
  return campaignId!;
}

/**
 * What attempts_report (migration 009) costs the engine: an attempt's lifecycle updates of the
 * columns the index holds (agent answer, subscriber answer, end with talk time and outcome),
 * each its own transaction as in call-store.ts, on the attempts table and on a copy of it without
 * that index, alternated in slices. Returns ms per attempt (three updates) for each.
 */
async function indexWriteCost(db: Knex, campaignId: number, rows: number): Promise<{ withIndex: number; without: number }> {
  await db.raw('CREATE TABLE bench_attempts_plain LIKE attempts');
  await db.raw('DROP INDEX attempts_report ON bench_attempts_plain');
  await db.raw('INSERT INTO bench_attempts_plain SELECT * FROM attempts');
  const sample = Math.min(3000, rows);
  const ids = Array.from({ length: sample }, (_, i) => 1 + Math.floor((i * rows) / sample));
  const cost = { withIndex: 0, without: 0 };
  const lifecycle = async (table: string, id: number) => {
    const at = new Date(START + id * STEP_SEC * 1000);
    await db(table).where({ id, campaign_id: campaignId }).update({ agent_answered_at: new Date(at.getTime() + 1000) });
    await db(table).where({ id, campaign_id: campaignId }).update({ answered_at: new Date(at.getTime() + 2000) });
    await db(table).where({ id, campaign_id: campaignId }).update({ ended_at: new Date(at.getTime() + 9000), talk_sec: 7, outcome: 'error' });
  };
  for (let slice = 0; slice < 10; slice++) {
    const part = ids.slice((slice * sample) / 10, ((slice + 1) * sample) / 10);
    for (const [table, key] of [['attempts', 'withIndex'], ['bench_attempts_plain', 'without']] as const) {
      const t0 = performance.now();
      for (const id of part) await lifecycle(table, id);
      cost[key] += performance.now() - t0;
    }
  }
  await db.raw('DROP TABLE bench_attempts_plain');
  return { withIndex: cost.withIndex / sample, without: cost.without / sample };
}

/** Runs `work` while sampling the RSS; returns seconds and the peak RSS in MB. */
async function measured(work: () => Promise<number>): Promise<{ sec: number; cpuSec: number; rows: number; peakMb: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 50);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  try {
    const rows = await work();
    const cpu = process.cpuUsage(cpu0);
    return { sec: (performance.now() - t0) / 1000, cpuSec: (cpu.user + cpu.system) / 1e6, rows,
      peakMb: Math.max(peak, process.memoryUsage.rss()) / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

function sink(): Writable {
  return new Writable({ write(_c, _e, cb) { cb(); } });
}

async function rawPass(db: Knex, campaignId: number): Promise<number> {
  const q = exportQuery({ campaignId });
  let n = 0;
  for await (const _row of streamRows(db, q.sql, q.values)) n++;
  return n;
}

async function exportPass(db: Knex, campaignId: number, style: ExportStyle): Promise<number> {
  const out = await writeExport(streamAttempts(db, { campaignId }), style, sink());
  if (!out.complete) throw new Error('export incomplete');
  return out.rows;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, keep: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false } } });
  const rows = Number(values.rows);
  if (!Number.isInteger(rows) || rows <= 0) throw new Error('--rows must be a positive integer');
  const { serverUrl } = parseDbUrl(loadConfig().dbUrl);
  const url = `${serverUrl.replace(/\/$/, '')}/dialer_bench_${randomBytes(3).toString('hex')}`;
  const db = await openMigratedDatabase(url, 4);
  try {
    const t0 = performance.now();
    const campaignId = await fill(db, rows);
    const fillSec = (performance.now() - t0) / 1000;
    const kinds = ['raw', 'csv', 'ndjson'] as const;
    const runs: Record<(typeof kinds)[number], Array<{ sec: number; cpuSec: number; rows: number; peakMb: number }>> = { raw: [], csv: [], ndjson: [] };
    for (let round = 0; round < 2; round++) {
      for (const k of kinds) {
        const r = await measured(() => (k === 'raw' ? rawPass(db, campaignId) : exportPass(db, campaignId, { format: k, separator: ',' })));
        if (r.rows !== rows) throw new Error(`${k}: ${r.rows} rows, expected ${rows}`);
        runs[k].push(r);
        process.stdout.write(`  ${k.padEnd(6)} ${r.sec.toFixed(1)} s, node CPU ${r.cpuSec.toFixed(1)} s, peak RSS ${r.peakMb.toFixed(0)} MB\n`);
      }
    }
    const rate = (k: (typeof kinds)[number]) => rows * runs[k].length / runs[k].reduce((s, r) => s + r.sec, 0);
    const peak = (k: (typeof kinds)[number]) => Math.max(...runs[k].map((r) => r.peakMb));
    // Node's own CPU per row: less at the mercy of the other work on the machine than the wall clock.
    const cpuUs = (k: (typeof kinds)[number]) => runs[k].reduce((s, r) => s + r.cpuSec, 0) * 1e6 / (rows * runs[k].length);

    const from = new Date(START);
    const to = new Date(START + (rows + 1) * STEP_SEC * 1000);
    // The report beside the least any query over that range of the index costs (a COUNT), alternated.
    const reportRuns: number[] = [];
    const countRuns: number[] = [];
    let buckets = 0;
    for (let i = 0; i < 3; i++) {
      const c0 = performance.now();
      await db.raw('SELECT COUNT(*) FROM attempts WHERE campaign_id = ? AND created_at >= ? AND created_at < ?', [campaignId, from, to]);
      countRuns.push((performance.now() - c0) / 1000);
      const r0 = performance.now();
      const slots = await attemptSlots(db, campaignId, from, to);
      buckets = bucketise('Europe/Kyiv', 'hour', from, to, slots).length;
      reportRuns.push((performance.now() - r0) / 1000);
    }
    const [plan] = await db.raw(`EXPLAIN ${SLOTS_SQL}`, [campaignId, from, to]);
    const [campaignPlan] = await db.raw(`EXPLAIN ${exportQuery({ campaignId }).sql}`, [campaignId]);
    const [allPlan] = await db.raw(`EXPLAIN ${exportQuery({ from, to }).sql}`, [from, to]);
    const planText = (p: Array<Record<string, unknown>>) => p.map((r) => `${r.table}: ${r.type}, key ${r.key}, ${r.Extra ?? ''}`).join('; ');
    const writes = await indexWriteCost(db, campaignId, rows);
    const [[ver]] = (await db.raw('SELECT VERSION() AS v')) as [[{ v: string }]];
    const n = (x: number) => Math.round(x).toLocaleString('en-US');
    const lines = [
      `attempts             ${n(rows)} of one campaign (filled by INSERT … SELECT in ${fillSec.toFixed(0)} s)`,
      `raw SELECT stream    ${n(rate('raw'))} rows/s, node CPU ${cpuUs('raw').toFixed(1)} µs/row, peak RSS ${peak('raw').toFixed(0)} MB`,
      `export CSV           ${n(rate('csv'))} rows/s, node CPU ${cpuUs('csv').toFixed(1)} µs/row, peak RSS ${peak('csv').toFixed(0)} MB, ratio ${(rate('csv') / rate('raw')).toFixed(2)} (goal >= 0.7)`,
      `export NDJSON        ${n(rate('ndjson'))} rows/s, node CPU ${cpuUs('ndjson').toFixed(1)} µs/row, peak RSS ${peak('ndjson').toFixed(0)} MB, ratio ${(rate('ndjson') / rate('raw')).toFixed(2)} (goal >= 0.7)`,
      `process max RSS      ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (goal < 250 MB)`,
      `report, hour         ${reportRuns.map((s) => s.toFixed(2)).join(' / ')} s (3 runs, ${buckets} buckets over every attempt; goal < 1 s)`,
      `COUNT(*) of range    ${countRuns.map((s) => s.toFixed(2)).join(' / ')} s (the same index range, counted only; alternated with the report)`,
      `report plan          ${planText(plan)}`,
      `index write cost     ${writes.withIndex.toFixed(2)} ms per attempt with attempts_report, ${writes.without.toFixed(2)} ms without (3 updates each, autocommit, alternated)`,
      `export plan          ${planText(campaignPlan)}`,
      `all-campaigns plan   ${planText(allPlan)}`,
      `machine              ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}, node ${process.version}, ${ver.v}, ${new Date().toISOString()}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (!values['no-write']) writeSection('Attempt export and reports (Q1, Q2)', `\`npm run bench:export -- --rows ${rows}\`\n\n\`\`\`\n${lines.join('\n')}\n\`\`\``);
  } finally {
    await db.destroy();
    if (!values.keep) await dropDatabase(url);
    else process.stdout.write(`kept ${url}\n`);
  }
}

await main();
