import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { pino } from 'pino';
import { openMigratedDatabase } from '../adapters/mysql/database.js';
import { insertMemberBatch } from '../adapters/mysql/member-writer.js';
import { RedisDispatchNews } from '../adapters/queue/redis-dispatch-news.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { importMembersCsv } from '../app/members/csv-import.js';
import { CsvImportQuery, DEFAULT_COLUMNS, toImportOptions } from '../app/members/csv-import-options.js';
import { ProgressBar } from './progress-bar.js';

const USAGE = `usage: npm run import -- --campaign <id> [--charset utf-8] [--separator ,] [--skip-header]
                         [--columns ${DEFAULT_COLUMNS}] <file | ->

  --columns  target of each CSV column in order: name, priority, expire_at, timezone,
             number (repeatable, earlier = higher priority), number:<priority>, var:<name>, - (skip)

Prints {inserted, rejected_count, rejected:[{line, reason}]} as JSON on stdout.
Exit code 0 when the whole file was read (rejected rows are in the report), 1 otherwise.
A file whose name ends in .gz is inflated as it is read.
The database is DIALER_DB_URL; the running engines are told over Redis (DIALER_REDIS_URL,
DIALER_QUEUE_PREFIX) and dial the new members at once.
`;

class UsageError extends Error {
  override name = 'UsageError';
}

/** `npm run import`: the CSV import of SPEC M6 from the command line, same path as REST. */
async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      campaign: { type: 'string' },
      charset: { type: 'string' },
      separator: { type: 'string' },
      'skip-header': { type: 'boolean', default: false },
      columns: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const campaignId = Number(values.campaign);
  if (!Number.isInteger(campaignId) || campaignId <= 0) throw new UsageError('--campaign <id> is required (a positive integer)');
  if (positionals.length !== 1) throw new UsageError('exactly one file is required (- reads stdin)');
  const file = positionals[0]!;
  const parsed = CsvImportQuery.safeParse({
    charset: values.charset,
    separator: values.separator,
    skip_header: values['skip-header'],
    columns: values.columns,
  });
  if (!parsed.success) {
    throw new UsageError(parsed.error.issues.map((i) => `--${String(i.path[0]).replace('_', '-')}: ${i.message}`).join('\n'));
  }
  const options = toImportOptions(parsed.data);

  const cfg = loadConfig();
  const gzipped = file.endsWith('.gz');
  // The bar counts CSV bytes, so it has no total for a compressed file (nor for stdin).
  const totalBytes = file === '-' || gzipped ? 0 : (await stat(file)).size;
  const source: Readable = file === '-' ? process.stdin : createReadStream(file, { highWaterMark: 256 * 1024 });
  const input: Readable = gzipped ? source.pipe(createGunzip()) : source;
  const db = await openMigratedDatabase(cfg.dbUrl, 2);
  try {
    if (!(await db('campaigns').where({ id: campaignId }).first('id'))) {
      process.stderr.write(`campaign ${campaignId} not found\n`);
      return 1;
    }
    const bar = new ProgressBar(process.stderr, totalBytes);
    let last = { rows: 0, bytes: 0 };
    const now = new Date();
    const out = await importMembersCsv(input, options, {
      insertBatch: (rows) => insertMemberBatch(db, campaignId, rows, now),
      onProgress: (p) => {
        last = p;
        bar.update(p.rows, p.bytes);
      },
    });
    bar.done(last.rows, last.bytes);
    if (out.kind !== 'bad-option' && out.report.inserted > 0) await tellEngines(cfg, campaignId);
    switch (out.kind) {
      case 'done':
        process.stdout.write(`${JSON.stringify(out.report, null, 2)}\n`);
        return 0;
      case 'stopped':
        process.stdout.write(`${JSON.stringify({ ...out.report, stopped: { line: out.line, reason: out.reason } }, null, 2)}\n`);
        process.stderr.write(`line ${out.line}: ${out.reason}; the import stopped there, rows before it were imported\n`);
        return 1;
      case 'bad-option':
        process.stderr.write(`--${out.field}: ${out.message}\n`);
        return 1;
      default:
        return assertNever(out);
    }
  } finally {
    if (file !== '-') source.destroy();
    await db.destroy();
  }
}

/** The running engines dial the new members at once and arm their expiry (DESIGN §1a). */
async function tellEngines(cfg: Config, campaignId: number): Promise<void> {
  const news = new RedisDispatchNews({ redisUrl: cfg.redisUrl, prefix: cfg.queuePrefix, instanceId: `${cfg.instanceId}-import`,
    log: pino({ level: 'silent' }) });
  news.announce({ kind: 'members-added', campaignId });
  await news.close();
}

function assertNever(x: never): never {
  throw new Error(`unexpected outcome ${JSON.stringify(x)}`);
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) process.stderr.write(`${err.message}\n\n${USAGE}`);
    else if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
    else process.stderr.write(`import failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
