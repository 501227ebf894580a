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
 * `npm run bench:export [-- --rows N] [--keep] [--reuse DB] [--report-only]`: SPEC Q1 and Q2 over N
 * attempts (default 1M) of one campaign, on a fresh scratch database filled by INSERT … SELECT from
 * MariaDB's sequence engine (or on a database a run with --keep left, migrated to the latest: --reuse).
 *
 *   raw:     the export's own SELECT streamed with the same driver settings, rows counted and
 *            dropped (no formatting, no output): what the database and driver can give
 *   csv:     the real export (streamAttempts → writeExport) into an output that drops the bytes
 *   ndjson:  the same as NDJSON
 *   report:  GET /reports' query and bucketing (interval=hour) over every attempt, alternated with a
 *            COUNT of the same range (the floor) and with the query before migration 018 (the
 *            outcome and cause strings compared per row) on its index, rebuilt beside for the run
 *
 * The passes alternate (raw, csv, ndjson, twice), so they see the same machine load. Peak RSS
 * is sampled every 50 ms during each pass; the process's own maximum is printed too.
 * --report-only leaves out the export passes.
 */

/** The report's query and index before migration 018 (017's), for the same-run comparison. */
const INDEX_017 = '(campaign_id, created_at, outcome, answered_at, agent_answered_at, ended_at, talk_sec, wrap_up_sec, hangup_cause)';
const SLOTS_SQL_017 = `SELECT TO_SECONDS(created_at) DIV 900 AS slot,
       IF(outcome IS NULL, -1, FIELD(outcome, 'success', 'retry', 'error', 'minus', 'waiting_result', 'agent_failed', 'expired', 'skipped')) AS class,
       COUNT(*) AS n, COUNT(answered_at) AS answered,
       COUNT(CASE WHEN answered_at IS NOT NULL AND hangup_cause = 'ABANDONED' THEN 1 END) AS abandoned,
       SUM(CASE WHEN answered_at IS NOT NULL THEN talk_sec END) AS talk_sum,
       COUNT(CASE WHEN answered_at IS NOT NULL THEN talk_sec END) AS talk_n,
       (SUM(TIMESTAMPDIFF(MICROSECOND, agent_answered_at, ended_at)) / 1e6
         + COALESCE(SUM(CASE WHEN ended_at IS NOT NULL AND agent_answered_at IS NOT NULL THEN wrap_up_sec END), 0)) AS handle_sum,
       COUNT(CASE WHEN ended_at IS NOT NULL THEN agent_answered_at END) AS handle_n
     FROM bench_attempts_017 FORCE INDEX (attempts_report)
     WHERE campaign_id = ? AND created_at >= ? AND created_at < ?
     GROUP BY slot, class
     ORDER BY NULL`;

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

/** A copy of attempts as migration 017 left it: no report_class, attempts_report holding the strings. */
async function copy017(db: Knex): Promise<void> {
  const [[kept]] = await db.raw(`SELECT (SELECT COUNT(*) FROM attempts) AS n,
    (SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'bench_attempts_017') AS copied`);
  // A kept database's copy (--keep, --reuse) is used again when it holds as many rows.
  if (kept.copied !== null && Number((await db('bench_attempts_017').count({ n: '*' }))[0]!.n) === Number(kept.n)) return;
  await db.raw('DROP TABLE IF EXISTS bench_attempts_017');
  await db.raw('CREATE TABLE bench_attempts_017 LIKE attempts');
  await db.raw(`ALTER TABLE bench_attempts_017 DROP INDEX attempts_report, DROP COLUMN report_class, ADD INDEX attempts_report ${INDEX_017}`);
  const [cols] = await db.raw(`SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY ORDINAL_POSITION) AS c FROM information_schema.COLUMNS
    WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'bench_attempts_017'`);
  await db.raw(`INSERT INTO bench_attempts_017 (${cols[0].c}) SELECT ${cols[0].c} FROM attempts`);
  await db.raw('ANALYZE TABLE bench_attempts_017');
}

/**
 * What attempts_report costs the engine: an attempt's lifecycle updates of the columns the index
 * holds (agent answer, subscriber answer, end with talk time and outcome, cause), each its own
 * transaction as in call-store.ts, on the attempts table (018: report_class worked out by MariaDB
 * from outcome, answer and cause) and on the copy as 017 left it, alternated in slices.
 * Returns ms per attempt (three updates) for each.
 */
async function indexWriteCost(db: Knex, campaignId: number, rows: number): Promise<{ now: number; before: number }> {
  const sample = Math.min(1500, rows);
  const ids = Array.from({ length: sample }, (_, i) => 1 + Math.floor((i * rows) / sample));
  const cost = { now: 0, before: 0 };
  const lifecycle = async (table: string, id: number) => {
    const at = new Date(START + id * STEP_SEC * 1000);
    await db(table).where({ id, campaign_id: campaignId }).update({ agent_answered_at: new Date(at.getTime() + 1000) });
    await db(table).where({ id, campaign_id: campaignId }).update({ answered_at: new Date(at.getTime() + 2000) });
    await db(table).where({ id, campaign_id: campaignId }).update({ ended_at: new Date(at.getTime() + 9000), talk_sec: 7, outcome: 'error',
      hangup_cause: 'NORMAL_CLEARING' });
  };
  for (let slice = 0; slice < 10; slice++) {
    const part = ids.slice((slice * sample) / 10, ((slice + 1) * sample) / 10);
    for (const [table, key] of [['attempts', 'now'], ['bench_attempts_017', 'before']] as const) {
      const t0 = performance.now();
      for (const id of part) await lifecycle(table, id);
      cost[key] += performance.now() - t0;
    }
  }
  return { now: cost.now / sample, before: cost.before / sample };
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
    'no-write': { type: 'boolean', default: false }, reuse: { type: 'string' }, 'report-only': { type: 'boolean', default: false },
    runs: { type: 'string', default: '3' } } });
  let rows = Number(values.rows);
  if (!Number.isInteger(rows) || rows <= 0) throw new Error('--rows must be a positive integer');
  const { serverUrl } = parseDbUrl(loadConfig().dbUrl);
  const url = `${serverUrl.replace(/\/$/, '')}/${values.reuse ?? `dialer_bench_${randomBytes(3).toString('hex')}`}`;
  const m0 = performance.now();
  const db = await openMigratedDatabase(url, 4);
  const migrateSec = (performance.now() - m0) / 1000;
  const lines: string[] = [];
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  try {
    let campaignId: number;
    if (values.reuse) {
      const [[r]] = await db.raw('SELECT MIN(campaign_id) AS c, COUNT(*) AS n FROM attempts');
      [campaignId, rows] = [Number(r.c), Number(r.n)];
      lines.push(`attempts             ${n(rows)} of one campaign (a kept database, migrated to the latest in ${migrateSec.toFixed(0)} s)`);
    } else {
      const t0 = performance.now();
      campaignId = await fill(db, rows);
      lines.push(`attempts             ${n(rows)} of one campaign (filled by INSERT … SELECT in ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    }
    if (!values['report-only']) {
      const kinds = ['raw', 'csv', 'ndjson'] as const;
      const runs: Record<(typeof kinds)[number], Array<{ sec: number; cpuSec: number; rows: number; peakMb: number }>> = { raw: [], csv: [], ndjson: [] };
      for (let round = 0; round < 2; round++) {
        for (const k of kinds) {
          const r = await measured(() => (k === 'raw' ? rawPass(db, campaignId) : exportPass(db, campaignId, { format: k, separator: ',' })));
          if (r.rows !== rows) throw new Error(`${k}: ${r.rows} rows, expected ${rows}`);
          runs[k].push(r);
          process.stdout.write(`  ${k.padEnd(6)} ${r.sec.toFixed(1)} s, node CPU ${r.cpuSec.toFixed(1)} s, peak RSS ${r.peakMb.toFixed(0)} MB, load ${loadavg()[0]!.toFixed(1)}\n`);
        }
      }
      const rate = (k: (typeof kinds)[number]) => rows * runs[k].length / runs[k].reduce((sum, r) => sum + r.sec, 0);
      const peak = (k: (typeof kinds)[number]) => Math.max(...runs[k].map((r) => r.peakMb));
      // Node's own CPU per row: less at the mercy of the other work on the machine than the wall clock.
      const cpuUs = (k: (typeof kinds)[number]) => runs[k].reduce((sum, r) => sum + r.cpuSec, 0) * 1e6 / (rows * runs[k].length);
      lines.push(
        `raw SELECT stream    ${n(rate('raw'))} rows/s, node CPU ${cpuUs('raw').toFixed(1)} µs/row, peak RSS ${peak('raw').toFixed(0)} MB`,
        `export CSV           ${n(rate('csv'))} rows/s, node CPU ${cpuUs('csv').toFixed(1)} µs/row, peak RSS ${peak('csv').toFixed(0)} MB, ratio ${(rate('csv') / rate('raw')).toFixed(2)} (goal >= 0.7)`,
        `export NDJSON        ${n(rate('ndjson'))} rows/s, node CPU ${cpuUs('ndjson').toFixed(1)} µs/row, peak RSS ${peak('ndjson').toFixed(0)} MB, ratio ${(rate('ndjson') / rate('raw')).toFixed(2)} (goal >= 0.7)`,
        `process max RSS      ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (goal < 250 MB)`);
    }

    const c0 = performance.now();
    await copy017(db);
    process.stdout.write(`  copy as 017 left it: ${((performance.now() - c0) / 1000).toFixed(0)} s\n`);
    const from = new Date(START);
    const to = new Date(START + (rows + 1) * STEP_SEC * 1000);
    // The report beside the least any query over that range of the index costs (a COUNT) and the query before 018, alternated.
    const times = { report: [] as number[], before: [] as number[], count: [] as number[], load: [] as number[] };
    let buckets = 0;
    const timed = async (work: () => Promise<unknown>) => { const t0 = performance.now(); await work(); return (performance.now() - t0) / 1000; };
    for (let i = 0; i < Number(values.runs); i++) {
      times.count.push(await timed(() => db.raw('SELECT COUNT(*) FROM attempts WHERE campaign_id = ? AND created_at >= ? AND created_at < ?', [campaignId, from, to])));
      const order = i % 2 === 0 ? ['before', 'report'] as const : ['report', 'before'] as const;
      for (const k of order) {
        times[k].push(await timed(async () => {
          if (k === 'before') return db.raw(SLOTS_SQL_017, [campaignId, from, to]);
          buckets = bucketise('Europe/Kyiv', 'hour', from, to, await attemptSlots(db, campaignId, from, to)).length;
        }));
      }
      times.load.push(loadavg()[0]!);
      process.stdout.write(`  report ${times.report.at(-1)!.toFixed(2)} s, before 018 ${times.before.at(-1)!.toFixed(2)} s, COUNT ${times.count.at(-1)!.toFixed(2)} s, load ${loadavg()[0]!.toFixed(1)}\n`);
    }
    const [[size]] = await db.raw(`SELECT SUM(IF(table_name = 'attempts', stat_value, 0)) * @@innodb_page_size AS now,
      SUM(IF(table_name = 'bench_attempts_017', stat_value, 0)) * @@innodb_page_size AS prior FROM mysql.innodb_index_stats
      WHERE database_name = DATABASE() AND index_name = 'attempts_report' AND stat_name = 'size'`);
    const [plan] = await db.raw(`EXPLAIN ${SLOTS_SQL}`, [campaignId, from, to]);
    const planText = (p: Array<Record<string, unknown>>) => p.map((r) => `${r.table}: ${r.type}, key ${r.key}, ${r.Extra ?? ''}`).join('; ');
    const secs = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' / ');
    lines.push(
      `report, hour         ${secs(times.report)} s (${times.report.length} runs, ${buckets} buckets over every attempt; goal < 1 s)`,
      `report before 018    ${secs(times.before)} s (017's query on its index, a copy of the table; alternated)`,
      `COUNT(*) of range    ${secs(times.count)} s (the same index range, counted only; alternated with the report)`,
      `load at each run     ${times.load.map((l) => l.toFixed(1)).join(' / ')} (1-minute load average)`,
      `report index size    ${(Number(size.now) / 1e6).toFixed(0)} MB (018: report_class) vs ${(Number(size.prior) / 1e6).toFixed(0)} MB (017: outcome, answered_at, hangup_cause)`,
      `report plan          ${planText(plan)}`);
    const writes = await indexWriteCost(db, campaignId, rows);
    lines.push(`index write cost     ${writes.now.toFixed(2)} ms per attempt with 018's attempts_report, ${writes.before.toFixed(2)} ms with 017's (3 updates each, autocommit, alternated)`);
    if (!values.keep && !values.reuse) await db.raw('DROP TABLE bench_attempts_017');
    if (!values['report-only']) {
      const [campaignPlan] = await db.raw(`EXPLAIN ${exportQuery({ campaignId }).sql}`, [campaignId]);
      const [allPlan] = await db.raw(`EXPLAIN ${exportQuery({ from, to }).sql}`, [from, to]);
      lines.push(`export plan          ${planText(campaignPlan)}`, `all-campaigns plan   ${planText(allPlan)}`);
    }
    const [[ver]] = (await db.raw('SELECT VERSION() AS v')) as [[{ v: string }]];
    lines.push(`machine              ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}, node ${process.version}, ${ver.v}, ${new Date().toISOString()}`);
    process.stdout.write(`${lines.join('\n')}\n`);
    const flags = values['report-only'] ? ' --report-only' : '';
    if (!values['no-write']) writeSection('Attempt export and reports (Q1, Q2)', `\`npm run bench:export -- --rows ${rows}${flags}\`\n\n\`\`\`\n${lines.join('\n')}\n\`\`\``);
  } finally {
    await db.destroy();
    if (!values.keep && !values.reuse) await dropDatabase(url);
    else process.stdout.write(`kept ${url}\n`);
  }
}

await main();
