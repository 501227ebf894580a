import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createGzip, gzipSync } from 'node:zlib';
import { expect } from 'chai';
import iconv from 'iconv-lite';
import { pino } from 'pino';
import { freePort } from '../../src/adapters/free-port.js';
import { CSV_LIMITS } from '../../src/app/members/csv-limits.js';
import { loadConfig } from '../../src/config.js';
import { Simulator } from '../../src/simulator/index.js';
import { EngineProcess, npmStartFlags } from '../helpers/engine-process.js';
import { httpClient, type Credentials } from '../helpers/http-client.js';
import { countRows, seedCampaign } from '../helpers/member-fixtures.js';
import { rawPost } from '../helpers/raw-post.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';

/*
 * SPEC S5 from the outside: hostile uploads posted by the `api` role to `npm start`'s process (its
 * V8 memory flags, the default DIALER_MAX_IMPORT_BYTES). Each is refused with the 4xx naming its
 * limit, stores nothing, and the process stays up and under its memory bound. Before S5 the comma
 * bomb killed the process (heap out of memory) and the newline bomb kept it busy for minutes.
 */

const MiB = 1024 * 1024;
/** The bound on the process's peak RSS through all of it (README, "CSV import: all or nothing"). */
const RSS_BOUND_MB = 300;

/** gzip of `total` bytes of `byte`, made as a stream (1 GB of commas is 1 MB of gzip). */
async function gzipOf(byte: string, total: number): Promise<Buffer> {
  const gz = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gz.on('data', (c: Buffer) => out.push(c));
  const ended = new Promise((resolve) => gz.once('end', resolve));
  const chunk = Buffer.alloc(MiB, byte);
  for (let sent = 0; sent < total; sent += chunk.length) {
    if (!gz.write(chunk)) await new Promise((resolve) => gz.once('drain', resolve));
  }
  gz.end();
  await ended;
  return Buffer.concat(out);
}

function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) / 1024;
}

describe('upload bombs against the running process (S5)', function () {
  this.timeout(180_000);
  let tdb: TestDatabase;
  let sim: Simulator;
  let engine: EngineProcess;
  let url: string;
  let admin: Credentials;
  let uploader: Credentials;
  let campaign: number;

  before(async () => {
    tdb = await createTestDatabase('upload_bombs');
    sim = new Simulator({ port: 0, scenario: {}, log: pino({ level: 'silent' }) });
    const { port: simPort } = await sim.start();
    engine = await EngineProcess.start({
      dbUrl: tdb.url, simPort, outboundPort: await freePort(), queuePrefix: `{dialer-b-${randomBytes(4).toString('hex')}}`,
      instanceId: 'bombs', nodeFlags: npmStartFlags(),
    });
    url = `http://127.0.0.1:${engine.httpPort}`;
    const { send, login } = httpClient(url);
    admin = await login('admin', 'fault-admin-password');
    const made = await send('POST', '/api/v2/users', JSON.stringify({ username: 'uploader', password: 'uploader-password', role: 'api' }), 'application/json', admin);
    expect(made.status, JSON.stringify(made.body)).to.equal(201);
    uploader = await login('uploader', 'uploader-password');
    campaign = await seedCampaign(tdb.db, 'bombed');
  });
  after(async () => {
    await engine?.killHard();
    await sim?.close();
    await tdb?.drop();
  });

  const post = (body: Buffer, o: { query?: string; type?: string; gzip?: boolean; path?: string } = {}) =>
    rawPost(url, o.path ?? `/api/v2/dialer/${campaign}/members/import${o.query ?? ''}`, body, {
      'x-key': uploader.key, 'x-access-token': uploader.token, 'content-type': o.type ?? 'text/csv',
      ...(o.gzip ? { 'content-encoding': 'gzip' } : {}),
    });

  /** The process is up and answers, and nothing of any upload was stored. */
  async function stillServingAndNothingStored(): Promise<void> {
    expect(engine.child.exitCode, engine.tail()).to.equal(null);
    expect(engine.child.signalCode, engine.tail()).to.equal(null);
    const r = await httpClient(url).send('GET', `/api/v2/dialer/${campaign}`, undefined, undefined, admin);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(await countRows(tdb.db, 'members', { campaign_id: campaign })).to.equal(0);
    expect(await countRows(tdb.db, 'communications', { campaign_id: campaign })).to.equal(0);
  }

  it('S5: the two gzip bombs, hostile records and charsets are each refused naming the limit; the process stays up, under its memory bound, and nothing is stored', async () => {
    const defaultLimit = loadConfig({}).http.maxImportBytes;
    const tooManyFields = `line 1: the record has more than ${CSV_LIMITS.fieldsPerRecord} fields (the limit of fields in a record); nothing was imported`;

    // 1 MB of gzip inflating to 1 GB of commas: one record of empty fields (it killed the process).
    const commas = await gzipOf(',', 1024 * MiB);
    let r = await post(commas, { gzip: true });
    expect(r.status, JSON.stringify(r.body)).to.equal(400);
    expect(r.body.error).to.include({ code: 'BAD_CSV', message: tooManyFields });
    await stillServingAndNothingStored();

    // 2 MB of gzip inflating to 2 GB of line breaks: blank lines are skipped, so only the byte cap
    // stops it, at the default limit.
    const newlines = await gzipOf('\n', 2048 * MiB);
    r = await post(newlines, { gzip: true });
    expect(r.status, JSON.stringify(r.body)).to.equal(413);
    expect(r.body.error).to.deep.equal({
      code: 'PAYLOAD_TOO_LARGE', message: `body: larger than the import limit of ${defaultLimit} bytes (inflated); nothing was imported`,
      details: { limit_bytes: defaultLimit },
    });
    await stillServingAndNothingStored();

    // The same bomb as a JSON body: line breaks are JSON whitespace; the JSON limit counts inflated bytes.
    r = await post(newlines, { gzip: true, type: 'application/json', path: `/api/v2/dialer/${campaign}/members` });
    expect(r.status, JSON.stringify(r.body)).to.equal(413);
    expect(r.body.error.code).to.equal('PAYLOAD_TOO_LARGE');
    expect(r.body.error.details).to.deep.equal({ limit_bytes: loadConfig({}).http.maxJsonBytes });
    await stillServingAndNothingStored();

    // A good row, then one record of 8 MB without a quote, then more good rows.
    r = await post(Buffer.from(`Ann,5550001\nBob,${'7'.repeat(8 * MiB)}\nCy,5550003\n`));
    expect(r.status, JSON.stringify(r.body)).to.equal(400);
    expect(r.body.error.message).to.equal('line 2: the record is longer than the limit of a record, 65536 characters; nothing was imported');
    await stillServingAndNothingStored();

    // A quote that never closes, over a big body.
    r = await post(Buffer.from(`Ann,5550001\n"Bob,${'x,'.repeat(4 * MiB)}\n`));
    expect(r.status, JSON.stringify(r.body)).to.equal(400);
    expect(r.body.error.message).to.match(/^line 2: unbalanced quotes: a quoted field is still open at line 2, past the limit of a record, 65536 characters;/);
    await stillServingAndNothingStored();

    // Many short fields in one record (under the record's length), plain and gzipped.
    const fields = Buffer.from(`${'1,'.repeat(200_000)}1\nAnn,5550001\n`);
    for (const [body, gzip] of [[fields, false], [gzipSync(fields), true]] as const) {
      r = await post(body, { gzip });
      expect(r.status, JSON.stringify(r.body)).to.equal(400);
      expect(r.body.error).to.include({ code: 'BAD_CSV', message: tooManyFields });
    }
    await stillServingAndNothingStored();

    // Bytes that are not the charset named, an unknown charset, a column mapping past the field limit.
    r = await post(Buffer.concat([Buffer.from('Ann,5550001\n'), iconv.encode('Іван,5550002\n', 'windows-1251'), randomBytes(MiB)]));
    expect(r.status, JSON.stringify(r.body)).to.equal(400);
    expect(r.body.error.message).to.match(/^query\.charset: line 2: bytes that are not valid utf-8/);
    r = await post(Buffer.from('Ann,5550001\n'), { query: '?charset=x-hostile' });
    expect(r.status, JSON.stringify(r.body)).to.equal(400);
    expect(r.body.error.message).to.match(/^query\.charset: /);
    r = await post(Buffer.from('Ann,5550001\n'), { query: `?columns=number${',-'.repeat(CSV_LIMITS.fieldsPerRecord)}` });
    expect(r.status, JSON.stringify(r.body)).to.equal(400);
    expect(r.body.error.message).to.contain(`at most ${CSV_LIMITS.fieldsPerRecord} columns`);
    await stillServingAndNothingStored();

    // A good file still goes in after all that.
    r = await post(Buffer.from('Ann,5550001\nBob,5550002\n'));
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.inserted).to.equal(2);
    // VmHWM: the peak over the process's whole life, so nothing between the samples is missed.
    expect(peakRssMb(engine.pid), engine.tail()).to.be.below(RSS_BOUND_MB);
  });
});
