import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import type { z } from 'zod';
import { streamAttempts } from '../adapters/mysql/attempt-export-store.js';
import { currentWriterUrl, openMigratedDatabase } from '../adapters/mysql/database.js';
import { writeExport } from '../app/reports/export-writer.js';
import { AllExportQuery, CampaignExportQuery } from '../contract/report-schemas.js';
import { loadConfig } from '../config.js';
import { runCli, UsageError } from './cli-run.js';

const USAGE = `usage: npm run export -- [--campaign <id>] [--from <instant>] [--to <instant>]
                         [--format csv|ndjson] [--separator ,|;] [--output <file>]

Writes the attempts (SPEC Q1) of one campaign, or of every campaign created in [--from, --to)
(both required then), in creation order, as CSV (UTF-8, header line; --separator ; adds a first
line sep=; for spreadsheets) or NDJSON: the same columns as GET /api/v2/dialer/:id/attempts/export.
Instants are ISO-8601 with a zone, e.g. 2026-12-01T00:00:00Z.
The rows go to stdout, or to --output (removed again if the export fails). The count of rows
written goes to stderr. Exit code 0 when every row was written; 1 for a bad option, a
configuration error, an unknown campaign or a failure; 2 when the output closed early (e.g. | head).
The database is DIALER_DB_URL.
`;

const EXIT_OUTPUT_CLOSED = 2;

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      campaign: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      format: { type: 'string' },
      separator: { type: 'string' },
      output: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const campaignId = values.campaign === undefined ? undefined : Number(values.campaign);
  if (campaignId !== undefined && (!Number.isInteger(campaignId) || campaignId <= 0)) throw new UsageError('--campaign: must be a positive integer');
  const schema: z.ZodType<{ format?: 'csv' | 'ndjson' | undefined; sep?: ',' | ';' | undefined; from?: string | undefined; to?: string | undefined }> =
    campaignId === undefined ? AllExportQuery : CampaignExportQuery;
  const parsed = schema.safeParse({ format: values.format, sep: values.separator, from: values.from, to: values.to });
  if (!parsed.success) {
    throw new UsageError(parsed.error.issues.map((i) => `--${String(i.path[0]).replace('sep', 'separator')}: ${i.message}`).join('\n'));
  }
  const q = parsed.data;

  const cfg = loadConfig();
  const db = await openMigratedDatabase(await currentWriterUrl(cfg.dbUrl, cfg.dbHosts), 2);
  let out: Writable | undefined;
  let complete = false;
  try {
    if (campaignId !== undefined && !(await db('campaigns').where({ id: campaignId }).first('id'))) {
      process.stderr.write(`campaign ${campaignId} not found\n`);
      return 1;
    }
    out = values.output ? createWriteStream(values.output) : process.stdout;
    // A reader that goes away (| head) is the end of the export, not a crash.
    out.on('error', () => out!.destroy());
    const written = await writeExport(streamAttempts(db, {
      ...(campaignId !== undefined ? { campaignId } : {}),
      ...(q.from ? { from: new Date(q.from) } : {}),
      ...(q.to ? { to: new Date(q.to) } : {}),
    }), { format: q.format ?? 'csv', separator: q.sep ?? ',' }, out);
    if (!written.complete) {
      process.stderr.write(`the output closed after ${written.rows} rows\n`);
      return EXIT_OUTPUT_CLOSED;
    }
    if (values.output) {
      out.end();
      await finished(out);
    }
    complete = true;
    process.stderr.write(`${written.rows} attempts written\n`);
    return 0;
  } finally {
    if (!complete && values.output && out) {
      out.destroy();
      await rm(values.output, { force: true });
    }
    await db.destroy();
  }
}

runCli('export', USAGE, run);
