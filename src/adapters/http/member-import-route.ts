import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import busboy from 'busboy';
import { Router, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { DIALER_ROLES, STAFF, type Role } from '../../app/auth/roles.js';
import { IdParams } from '../../contract/common-schemas.js';
import { importMembersCsv, type CsvImportOutcome } from '../../app/members/csv-import.js';
import type { BeginImportResult } from '../../app/members/member-batch.js';
import { CsvImportQuery, toImportOptions } from '../../app/members/csv-import-options.js';
import { CSV_LIMITS } from '../../app/members/csv-limits.js';
import { runCampaign } from '../../app/catalog/campaign-state.js';
import type { RouteContext } from './route-context.js';
import { RouteRegistry } from './route-registry.js';
import { ByteCap, TooManyBytes } from './byte-cap.js';

/*
 * POST /api/v2/dialer/:id/members/import (SPEC M6): the CSV is the raw body
 * (any content type but multipart) or the first file of a multipart form.
 * The body is streamed into the importer, never buffered (express.json only
 * touches application/json bodies). The file is imported as a whole or not at
 * all (S2): a broken CSV or a wrong charset is a 400 and changes nothing.
 * What an upload may cost is bounded (S5): its inflated bytes (413 past
 * `maxBytes`), and the length and fields of each record (400, csv-limits.ts).
 */

export interface MemberImportDeps {
  campaignExists(campaignId: number): Promise<boolean>;
  /** Starts the campaign's import session (one at a time per campaign). */
  beginImport(campaignId: number, now: Date): Promise<BeginImportResult>;
  log: Logger;
  now(): Date;
  /** Largest body, inflated, in bytes (DIALER_MAX_IMPORT_BYTES); 413 past it. */
  maxBytes: number;
  /** Told after rows were committed, so the engine dispatches (DESIGN §2 step 1). */
  onMembersAdded(campaignId: number): void;
  /** `autoRun=true` runs the campaign after the import; refused when absent. */
  runCampaign?(campaignId: number): Promise<unknown>;
  /** Where the route is documented for /api/openapi.json; a private one when absent. */
  registry?: RouteRegistry;
  /** Roles allowed (S1). @defaultValue every role ('api' uploads members); 'public' skips the check */
  roles?: readonly Role[] | 'public';
}

const PATH = '/api/v2/dialer/:id/members/import';
const NOTHING = 'nothing was imported';
/** PATH as a request URL matches it (query string allowed): its body is never parsed as JSON. */
export const CSV_IMPORT_URL = /^\/api\/v2\/dialer\/[^/]+\/members\/import(\?|$)/;

const ImportQuery = CsvImportQuery.extend({
  autoRun: z.enum(['true', 'false', '1', '0']).optional().meta({ description: 'run the campaign after the import (M6)' }),
});

const ImportAnswer = z.object({
  inserted: z.number().int(),
  rejected_count: z.number().int(),
  rejected: z.array(z.object({ line: z.number().int(), reason: z.string() })).meta({ description: 'first 1000 rejected rows by line' }),
});

export function memberImportRouter(deps: MemberImportDeps): Router {
  const router = Router();
  const reg = deps.registry ?? new RouteRegistry();
  reg.add(router, {
    method: 'post',
    path: PATH,
    tag: 'members',
    summary: 'Import members from a CSV (raw body or multipart file), streamed; rejected rows are reported by line',
    roles: deps.roles ?? DIALER_ROLES,
    params: IdParams,
    query: ImportQuery,
    docRawBody: { contentType: 'text/csv', description: 'the CSV file, or multipart/form-data with the file as the first file field; either may be sent with `Content-Encoding: gzip`' },
    responses: {
      200: { description: 'imported; rows with bad values are listed with line and reason, the others are stored', schema: ImportAnswer },
      400: { description: `nothing stored: VALIDATION_FAILED (an option, named; query.charset when the bytes are not in that charset, with the line) or BAD_CSV (a quote the parser cannot get past, or a record over ${CSV_LIMITS.recordChars} characters or ${CSV_LIMITS.fieldsPerRecord} fields, with the line and the limit)` },
      403: { description: 'autoRun=true by a role that may not run campaigns (api)' },
      404: { description: 'no such campaign' },
      409: { description: 'another import into this campaign is running; nothing read' },
      413: { description: 'PAYLOAD_TOO_LARGE: the body, inflated, is over the server\'s import limit (DIALER_MAX_IMPORT_BYTES, in the message and details.limit_bytes); nothing stored' },
    },
  }, async ({ params, query, principal, req, res }) => {
    const campaignId = params.id;
    const log = deps.log.child({ component: 'member-import', campaignId });
    const autoRun = query.autoRun === 'true' || query.autoRun === '1';
    // S1: the api role uploads members but may not run a campaign (POST …/run is 403 for it too).
    if (autoRun && principal && !STAFF.includes(principal.role)) {
      return fail(res, 403, 'FORBIDDEN', `query.autoRun: role "${principal.role}" may not run a campaign; import without autoRun`, {
        issues: [{ path: 'query.autoRun', message: 'not allowed for this role' }], allowed_roles: STAFF,
      });
    }
    if (autoRun && !deps.runCampaign) {
      return fail(res, 400, 'VALIDATION_FAILED', 'query.autoRun: not available on this server', { issues: [{ path: 'query.autoRun', message: 'not available' }] });
    }
    if (!(await deps.campaignExists(campaignId))) return fail(res, 404, 'NOT_FOUND', `campaign ${campaignId} not found`, { campaign_id: campaignId });

    const options = toImportOptions({ ...query, charset: query.charset ?? contentTypeCharset(req) });
    const now = deps.now();
    const run = (input: Readable) => importMembersCsv(input, options, { begin: () => deps.beginImport(campaignId, now) });

    const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding !== 'identity' && encoding !== 'gzip') {
      const message = `content-encoding ${encoding} is not supported (send gzip or none)`;
      return fail(res, 415, 'VALIDATION_FAILED', `header.content-encoding: ${message}`, { issues: [{ path: 'header.content-encoding', message }] });
    }
    const tooLarge = (): void => fail(res, 413, 'PAYLOAD_TOO_LARGE',
      `body: larger than the import limit of ${deps.maxBytes} bytes (inflated); ${NOTHING}`, { limit_bytes: deps.maxBytes });
    if (encoding === 'identity' && Number(req.headers['content-length']) > deps.maxBytes) return tooLarge();
    // A 45 MB file of a million members is 9 MB gzipped; it is inflated as it streams, and counted
    // as it flows (S5): a bomb stops inflating at the limit.
    let badGzip: Error | undefined;
    const inflated: Readable = encoding === 'gzip' ? req.pipe(createGunzip().once('error', (err) => { badGzip = err; })) : req;
    const body = inflated.pipe(new ByteCap(deps.maxBytes));
    inflated.once('error', (err) => body.destroy(err));
    const outcome = await (req.is('multipart/form-data') ? fromMultipart(req, body, run) : run(body)).catch((err: unknown) => {
      if (body.errored instanceof TooManyBytes) return 'too-large' as const;
      // A body that stopped arriving, or does not inflate, is the client's doing (S2), not a server error.
      if (badGzip) throw Object.assign(new Error(`body: not valid gzip (${badGzip.message})`), { status: 400 });
      if (req.readableAborted || req.destroyed) throw Object.assign(new Error('body: the upload was aborted'), { status: 400 });
      throw err;
    });
    if (outcome === 'too-large') return tooLarge();
    if (outcome === 'no-file') {
      return fail(res, 400, 'VALIDATION_FAILED', 'body: the multipart form has no file field', { issues: [{ path: 'body', message: 'no file' }] });
    }
    log.info({ kind: outcome.kind, inserted: outcome.kind === 'done' ? outcome.report.inserted : 0 }, 'csv import finished');
    switch (outcome.kind) {
      case 'done':
        // After COMMIT: an engine told earlier would look for members it cannot see yet.
        if (outcome.report.inserted > 0) deps.onMembersAdded(campaignId);
        if (autoRun && deps.runCampaign) await deps.runCampaign(campaignId);
        return res.status(200).json(outcome.report);
      case 'bad-option':
        return fail(res, 400, 'VALIDATION_FAILED', `query.${outcome.field}: ${outcome.message}`, {
          issues: [{ path: `query.${outcome.field}`, message: outcome.message }],
        });
      case 'busy':
        return fail(res, 409, 'CONFLICT', `another CSV import into campaign ${campaignId} is running; ${NOTHING}, send the file again when it has finished`, {
          campaign_id: campaignId,
        });
      case 'campaign-gone':
        return fail(res, 404, 'NOT_FOUND', `campaign ${campaignId} was deleted during the import; ${NOTHING}`, { campaign_id: campaignId });
      case 'broken-csv':
        // The report fields keep the shape of a 200 for clients that show one either way.
        return fail(res, 400, 'BAD_CSV', `line ${outcome.line}: ${outcome.reason}; ${NOTHING}`, {
          line: outcome.line, reason: outcome.reason, inserted: 0, rejected_count: 0, rejected: [],
        });
      case 'wrong-charset': {
        const message = `line ${outcome.line}: ${outcome.reason}; set charset to the file's charset (${NOTHING})`;
        return fail(res, 400, 'VALIDATION_FAILED', `query.charset: ${message}`, {
          issues: [{ path: 'query.charset', message }], line: outcome.line, charset: options.charset,
        });
      }
      default:
        return assertNever(outcome);
    }
  });
  return router;
}

/** The import wired to the API's context: `createApp(deps, [memberImportExtraRouter])`. */
export function memberImportExtraRouter(reg: RouteRegistry, ctx: RouteContext): Router {
  return memberImportRouter({
    campaignExists: (id) => ctx.repos.campaigns.exists(id),
    beginImport: (id, now) => ctx.repos.beginMemberImport(id, now),
    log: ctx.log,
    now: ctx.now,
    onMembersAdded: (id) => ctx.signals.membersAdded(id),
    runCampaign: (id) => runCampaign(ctx.repos.campaigns, ctx.signals, id, ctx.now()),
    registry: reg,
    maxBytes: ctx.maxImportBytes,
  });
}

/** The first file field goes to the importer; other files are drained. */
function fromMultipart(req: Request, body: Readable, run: (input: Readable) => Promise<CsvImportOutcome>): Promise<CsvImportOutcome | 'no-file'> {
  return new Promise((resolve, reject) => {
    let started = false;
    let formError: Error | undefined;
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { files: 1, fields: 100 } });
    } catch (err) {
      // busboy throws on a multipart Content-Type without a boundary.
      reject(Object.assign(new Error(`body: ${(err as Error).message}`), { status: 400 }));
      return;
    }
    bb.on('file', (_name, stream) => {
      if (started) {
        stream.resume();
        return;
      }
      started = true;
      // A broken form surfaces as an error of the file stream: answer it as the client's fault.
      run(stream).then(resolve, (err: unknown) => reject(formError ? Object.assign(formError, { status: 400 }) : err));
    });
    bb.on('error', (err) => {
      formError = new Error(`body: ${(err as Error).message}`);
      if (!started) reject(Object.assign(formError, { status: 400 }));
    });
    bb.on('close', () => {
      if (!started) resolve('no-file');
    });
    // Piping does not pass errors on: a body cut off (over the limit, bad gzip) ends the form.
    body.once('error', (err) => bb.destroy(err));
    body.pipe(bb);
  });
}

function contentTypeCharset(req: Request): string | undefined {
  const m = /;\s*charset="?([^";]+)"?/i.exec(req.headers['content-type'] ?? '');
  return m?.[1];
}

// Errors are answered here, not thrown: when the body is left unread the
// connection is closed rather than reading a large upload only to discard it.
function fail(res: Response, status: number, code: string, message: string, details: unknown): void {
  if (!res.req.complete) res.setHeader('Connection', 'close');
  res.status(status).json({ error: { code, message, details } });
}

function assertNever(x: never): never {
  throw new Error(`unexpected outcome ${JSON.stringify(x)}`);
}
