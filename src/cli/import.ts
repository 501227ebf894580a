import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { pino } from 'pino';
import { currentWriterUrl, openMigratedDatabase } from '../adapters/mysql/database.js';
import { beginMemberImport } from '../adapters/mysql/member-import-session.js';
import { RedisDispatchNews } from '../adapters/queue/redis-dispatch-news.js';
import { loadConfig, type Config } from '../config.js';
import { importMembersCsv } from '../app/members/csv-import.js';
import { CsvImportQuery, DEFAULT_COLUMNS, toImportOptions } from '../app/members/csv-import-options.js';
import { assertNever } from '../domain/assert-never.js';
import { runCli, UsageError } from './cli-run.js';
import { ProgressBar } from './progress-bar.js';

const USAGE = `usage: npm run import -- --campaign <id> [--charset utf-8] [--separator ,] [--skip-header]
                         [--columns ${DEFAULT_COLUMNS}] <file | ->

  --columns  target of each CSV column in order: name, priority, expire_at, timezone,
             number (repeatable, earlier = higher priority), number:<priority>, var:<name>, - (skip)

The file is imported as a whole or not at all: rows with bad values are rejected one by one
and the rest is stored, but a file the CSV parser cannot get through (a quote that never
closes, a stray quote) or whose bytes are not in --charset stores nothing.
Prints {inserted, rejected_count, rejected:[{line, reason}]} as JSON on stdout and exits 0
once the file is imported (rejected rows are in the report). Otherwise nothing is stored,
the reason goes to stderr and the exit code is 2 for a broken file or a wrong charset,
3 when another import into the campaign is running, 1 for anything else.
A file whose name ends in .gz is inflated as it is read.
The database is DIALER_DB_URL; the running engines are told over Redis (DIALER_REDIS_URL,
DIALER_QUEUE_PREFIX) and dial the new members at once.
`;

/** Exit codes besides 0 (imported) and 1 (usage, configuration, unknown campaign, failure). */
const EXIT_REFUSED = 2;
const EXIT_BUSY = 3;

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
  const db = await openMigratedDatabase(await currentWriterUrl(cfg.dbUrl, cfg.dbHosts), 2);
  try {
    if (!(await db('campaigns').where({ id: campaignId }).first('id'))) {
      process.stderr.write(`campaign ${campaignId} not found\n`);
      return 1;
    }
    const bar = new ProgressBar(process.stderr, totalBytes);
    let last = { rows: 0, bytes: 0 };
    const now = new Date();
    const out = await importMembersCsv(input, options, {
      begin: () => beginMemberImport(db, campaignId, now),
      onProgress: (p) => {
        last = p;
        bar.update(p.rows, p.bytes);
      },
    });
    bar.done(last.rows, last.bytes);
    const nothing = 'nothing was imported';
    switch (out.kind) {
      case 'done':
        // After COMMIT: an engine told earlier would look for members it cannot see yet.
        if (out.report.inserted > 0) await tellEngines(cfg, campaignId);
        process.stdout.write(`${JSON.stringify(out.report, null, 2)}\n`);
        return 0;
      case 'broken-csv':
        process.stderr.write(`line ${out.line}: ${out.reason}; ${nothing}\n`);
        return EXIT_REFUSED;
      case 'wrong-charset':
        process.stderr.write(`--charset: line ${out.line}: ${out.reason}; set --charset to the file's charset (${nothing})\n`);
        return EXIT_REFUSED;
      case 'busy':
        process.stderr.write(`another import into campaign ${campaignId} is running; ${nothing}, run it again when that one has finished\n`);
        return EXIT_BUSY;
      case 'campaign-gone':
        process.stderr.write(`campaign ${campaignId} was deleted during the import; ${nothing}\n`);
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

runCli('import', USAGE, run);
