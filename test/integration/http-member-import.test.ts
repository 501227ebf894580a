import { expect } from 'chai';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import type { Knex } from 'knex';
import { beginMemberImport } from '../../src/adapters/mysql/member-import-session.js';
import type { EngineSignals } from '../../src/app/ports/engine-signals.js';
import { startTestApi, type TestApi } from '../helpers/http-api.js';
import { httpClient } from '../helpers/http-client.js';
import { countRows, seedCampaign } from '../helpers/member-fixtures.js';
import { rawPost } from '../helpers/raw-post.js';

/** Members and numbers of a campaign, to show that a refused upload changed nothing. */
async function snapshot(db: Knex, campaignId: number): Promise<{ members: number; communications: number; zones: number }> {
  return {
    members: await countRows(db, 'members', { campaign_id: campaignId }),
    communications: await countRows(db, 'communications', { campaign_id: campaignId }),
    zones: await countRows(db, 'campaign_zones', { campaign_id: campaignId }),
  };
}

describe('http member import', () => {
  let api: TestApi;
  const added: number[] = [];
  const signals: EngineSignals = {
    campaignChanged: () => undefined,
    agentChanged: () => undefined,
    membersAdded: (id) => added.push(id),
    hangUp: () => undefined,
    previewAccepted: () => undefined,
  };
  const path = (id: number, q = '') => `/api/v2/dialer/${id}/members/import${q}`;

  before(async () => {
    api = await startTestApi('http_member_import', { signals });
  });
  after(async () => api.close());

  it('M6: a raw text/csv body is imported and rejected rows come back by line', async () => {
    const id = await seedCampaign(api.tdb.db, 'raw');
    const r = await api.raw('POST', path(id, '?columns=name,number,var:debt&skip_header=true'),
      'name,phone,debt\nAnn,5551001,10\nBob,12,20\nCy,5551003,30\n', 'text/csv');
    expect(r.status).to.equal(200);
    expect(r.body).to.deep.equal({
      inserted: 2,
      rejected_count: 1,
      rejected: [{ line: 3, reason: 'column 2 (number): must be 3..32 characters of 0-9 + * #' }],
    });
    expect(await countRows(api.tdb.db, 'members', { campaign_id: id })).to.equal(2);
    expect(added).to.include(id);
  });

  it('M6: a CSV sent as application/json (a common client mistake) is still read as the CSV', async () => {
    const id = await seedCampaign(api.tdb.db, 'json-typed');
    const r = await api.raw('POST', path(id), 'Ann,5551401\nBob,5551402\n', 'application/json');
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.inserted).to.equal(2);
  });

  it('M6: a gzip-compressed CSV (Content-Encoding: gzip) is inflated as it streams; other encodings get 415, bad gzip 400', async () => {
    const id = await seedCampaign(api.tdb.db, 'gzip');
    const { send } = httpClient(api.url);
    const csv = Array.from({ length: 2000 }, (_, i) => `m${i},${5552000 + i}`).join('\n');
    const ok = await send('POST', path(id), gzipSync(csv), 'text/csv', api.admin, { 'content-encoding': 'gzip' });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    expect(ok.body.inserted).to.equal(2000);
    const br = await send('POST', path(id), 'Ann,5559001\n', 'text/csv', api.admin, { 'content-encoding': 'br' });
    expect(br.status).to.equal(415);
    expect(br.body.error.message).to.match(/content-encoding/);
    const bad = await send('POST', path(id), 'Ann,5559002\n', 'text/csv', api.admin, { 'content-encoding': 'gzip' });
    expect(bad.status, JSON.stringify(bad.body)).to.equal(400);
    expect(bad.body.error.message).to.match(/gzip/);
    expect(await countRows(api.tdb.db, 'members', { campaign_id: id })).to.equal(2000);
  });

  it('M6: multipart/form-data with the file as a field, windows-1251 and ";"', async () => {
    const id = await seedCampaign(api.tdb.db, 'multipart');
    const form = new FormData();
    form.append('note', 'not a file');
    form.append('file', new Blob([new Uint8Array(iconv.encode('Іван;5551101\nПетро;5551102\n', 'windows-1251'))], { type: 'text/csv' }), 'm.csv');
    const res = await fetch(api.url + path(id, '?charset=windows-1251&separator=%3B'), {
      method: 'POST',
      headers: { 'x-key': api.admin.key, 'x-access-token': api.admin.token },
      body: form,
      signal: AbortSignal.timeout(30_000),
    });
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.equal({ inserted: 2, rejected_count: 0, rejected: [] });
    const names = (await api.tdb.db('members').where({ campaign_id: id }).orderBy('id')).map((m) => m.name);
    expect(names).to.deep.equal(['Іван', 'Петро']);
  });

  it('S2: bad options get 400 naming the field and store nothing', async () => {
    const id = await seedCampaign(api.tdb.db, 'options');
    const cases: [string, string][] = [
      ['?separator=%3B%3B', 'query.separator'],
      ['?columns=name,phone', 'query.columns'],
      ['?columns=name', 'query.columns'],
      ['?charset=klingon-8', 'query.charset'],
      ['?skip_header=maybe', 'query.skip_header'],
    ];
    for (const [q, field] of cases) {
      const r = await api.raw('POST', path(id, q), 'Ann,5551201\n', 'text/csv');
      expect(r.status, q).to.equal(400);
      expect(r.body.error.code, q).to.equal('VALIDATION_FAILED');
      expect(r.body.error.message, q).to.contain(field);
    }
    expect(await countRows(api.tdb.db, 'members', { campaign_id: id })).to.equal(0);
  });

  it('S2: an unknown campaign is 404, and nothing is stored', async () => {
    const before = { members: await countRows(api.tdb.db, 'members', {}), communications: await countRows(api.tdb.db, 'communications', {}) };
    const r = await api.raw('POST', path(999_999), 'Ann,5551301\n', 'text/csv');
    expect(r.status).to.equal(404);
    expect(r.body.error).to.deep.include({ code: 'NOT_FOUND', message: 'campaign 999999 not found' });
    expect({ members: await countRows(api.tdb.db, 'members', {}), communications: await countRows(api.tdb.db, 'communications', {}) }).to.deep.equal(before);
  });

  it('S2: an unbalanced quote after many good rows is 400 BAD_CSV naming the line, and nothing is stored', async () => {
    const id = await seedCampaign(api.tdb.db, 'badcsv');
    await api.raw('POST', path(id), 'Old,5551400\n', 'text/csv');
    const before = await snapshot(api.tdb.db, id);
    const good = Array.from({ length: 12_000 }, (_, i) => `M${i},${7100000000 + i},Europe/Kyiv`);
    const body = `${good.join('\n')}\n"Bob"x,5551402,UTC\nCy,5551403,UTC\n`;
    added.length = 0;
    const r = await api.raw('POST', path(id, '?columns=name,number,timezone'), body, 'text/csv');
    expect(r.status, JSON.stringify(r.body)).to.equal(400);
    expect(r.body.error.code).to.equal('BAD_CSV');
    expect(r.body.error.message).to.equal('line 12001: unbalanced quotes: a closing quote is followed by a character other than the separator; nothing was imported');
    expect(r.body.error.details).to.deep.include({ line: 12_001, inserted: 0 });
    expect(await snapshot(api.tdb.db, id)).to.deep.equal(before);
    expect(added, 'no members-added news for a refused file').to.deep.equal([]);
  });

  it('S2: a quote left open at the end of the file is 400 BAD_CSV naming the line it opens on; nothing is stored', async () => {
    const id = await seedCampaign(api.tdb.db, 'openeof');
    const r = await api.raw('POST', path(id), 'Ann,5551411\nBob,5551412\n"Cy,5551413\nDi,5551414\n', 'text/csv');
    expect(r.status).to.equal(400);
    expect(r.body.error.code).to.equal('BAD_CSV');
    expect(r.body.error.message).to.equal('line 3: unbalanced quotes: a quoted field that opens on this line is not closed before the end of the file; nothing was imported');
    expect(await snapshot(api.tdb.db, id)).to.deep.equal({ members: 0, communications: 0, zones: 0 });
  });

  it('S2: a windows-1251 file sent as UTF-8 (the default) is 400 naming charset and the line; nothing is stored', async () => {
    const id = await seedCampaign(api.tdb.db, 'wrongcharset');
    const body = Buffer.concat([Buffer.from('Ann,5551501\n'), iconv.encode('Іван,5551502\n', 'windows-1251')]);
    const r = await api.raw('POST', path(id), body, 'text/csv');
    expect(r.status).to.equal(400);
    expect(r.body.error.code).to.equal('VALIDATION_FAILED');
    expect(r.body.error.message).to.equal("query.charset: line 2: bytes that are not valid utf-8; set charset to the file's charset (nothing was imported)");
    expect(r.body.error.details.issues[0].path).to.equal('query.charset');
    expect(await snapshot(api.tdb.db, id)).to.deep.equal({ members: 0, communications: 0, zones: 0 });
  });

  it('S2: a UTF-8 file sent with charset=windows-1251 is 400 (it would be stored as "Р†РІР°РЅ"); nothing is stored', async () => {
    const id = await seedCampaign(api.tdb.db, 'utf8as1251');
    const r = await api.raw('POST', path(id, '?charset=windows-1251'), 'Ann,5551511\nІван,5551512\n', 'text/csv');
    expect(r.status).to.equal(400);
    expect(r.body.error.message).to.equal(
      "query.charset: line 2: the file is UTF-8, not windows-1251: every byte is valid UTF-8 and line 2 has characters beyond ASCII; set charset to the file's charset (nothing was imported)",
    );
    // The same through the charset of the Content-Type.
    const ct = await api.raw('POST', path(id), 'Ann,5551511\nІван,5551512\n', 'text/csv; charset=windows-1251');
    expect(ct.status).to.equal(400);
    expect(ct.body.error.message).to.match(/^query\.charset: line 2: the file is UTF-8, not windows-1251/);
    expect(await snapshot(api.tdb.db, id)).to.deep.equal({ members: 0, communications: 0, zones: 0 });
  });

  it('M6: a windows-1251 file sent as windows-1251 (query or Content-Type) is decoded right', async () => {
    const id = await seedCampaign(api.tdb.db, 'cp1251');
    const q = await api.raw('POST', path(id, '?charset=windows-1251'), iconv.encode('Іван Петренко,5551521\n', 'windows-1251'), 'text/csv');
    expect(q.status, JSON.stringify(q.body)).to.equal(200);
    const ct = await api.raw('POST', path(id), iconv.encode('Олена Ковальчук,5551522\n', 'windows-1251'), 'text/csv; charset=windows-1251');
    expect(ct.status, JSON.stringify(ct.body)).to.equal(200);
    const names = (await api.tdb.db('members').where({ campaign_id: id }).orderBy('id')).map((m) => m.name);
    expect(names).to.deep.equal(['Іван Петренко', 'Олена Ковальчук']);
  });

  it('M6: a row with the wrong number of columns is rejected with its line; the rest is imported', async () => {
    const id = await seedCampaign(api.tdb.db, 'width');
    const r = await api.raw('POST', path(id), 'Ann,5551531\nBob,5551532,extra\nCy,5551533\n', 'text/csv');
    expect(r.status).to.equal(200);
    expect(r.body).to.deep.equal({ inserted: 2, rejected_count: 1, rejected: [{ line: 2, reason: 'expected 2 columns, found 3' }] });
    expect(await countRows(api.tdb.db, 'members', { campaign_id: id })).to.equal(2);
  });

  it('M6: a second import into a campaign while one runs is 409 and stores nothing; other campaigns go on', async () => {
    const id = await seedCampaign(api.tdb.db, 'busy');
    const running = await beginMemberImport(api.tdb.db, id, new Date());
    if (running.kind !== 'begun') throw new Error('the first import did not begin');
    try {
      const r = await api.raw('POST', path(id), 'Ann,5551541\n', 'text/csv');
      expect(r.status).to.equal(409);
      expect(r.body.error).to.deep.include({
        code: 'CONFLICT',
        message: `another CSV import into campaign ${id} is running; nothing was imported, send the file again when it has finished`,
      });
      const other = await seedCampaign(api.tdb.db, 'busy-other');
      expect((await api.raw('POST', path(other), 'Ann,5551541\n', 'text/csv')).status).to.equal(200);
    } finally {
      await running.session.rollback();
    }
    expect(await countRows(api.tdb.db, 'members', { campaign_id: id })).to.equal(0);
    expect((await api.raw('POST', path(id), 'Ann,5551541\n', 'text/csv')).status).to.equal(200);
  });

  it('M2: a number already in the campaign is rejected with its line', async () => {
    const id = await seedCampaign(api.tdb.db, 'dup');
    await api.raw('POST', path(id), 'Ann,5551601\n', 'text/csv');
    const r = await api.raw('POST', path(id), 'Bob,5551602\nCy,5551601\n', 'text/csv');
    expect(r.body).to.deep.equal({ inserted: 1, rejected_count: 1, rejected: [{ line: 2, reason: 'number 5551601 already exists in the campaign' }] });
  });

  it('M6: autoRun=true runs the campaign after the import', async () => {
    const id = await seedCampaign(api.tdb.db, 'autorun');
    const r = await api.raw('POST', path(id, '?autoRun=true'), 'Ann,5551701\n', 'text/csv');
    expect(r.status).to.equal(200);
    const c = await api.tdb.db('campaigns').where({ id }).first('state');
    expect(c.state).to.equal('running');
  });

  it('S1: the api role may import; no credentials is 401', async () => {
    const id = await seedCampaign(api.tdb.db, 'roles');
    const apiUser = await api.loginAs('api');
    expect((await api.raw('POST', path(id), 'Ann,5551801\n', 'text/csv', apiUser)).status).to.equal(200);
    expect((await api.raw('POST', path(id), 'Bob,5551802\n', 'text/csv', null)).status).to.equal(401);
    expect(await countRows(api.tdb.db, 'members', { campaign_id: id })).to.equal(1);
  });

  it('S1: the api role may not run a campaign through autoRun=true (CSV or JSON): 403 naming autoRun, nothing stored', async () => {
    const id = await seedCampaign(api.tdb.db, 'api-autorun');
    const apiUser = await api.loginAs('api');
    const csv = await api.raw('POST', path(id, '?autoRun=true'), 'Ann,5551811\n', 'text/csv', apiUser);
    expect(csv.status).to.equal(403);
    expect(csv.body.error.code).to.equal('FORBIDDEN');
    expect(csv.body.error.message).to.match(/^query\.autoRun: role "api" may not run a campaign/);
    const json = await api.call('POST', `/api/v2/dialer/${id}/members?autoRun=true`, { communications: [{ number: '5551812' }] }, apiUser);
    expect(json.status).to.equal(403);
    expect(json.body.error.message).to.match(/^query\.autoRun: role "api" may not run a campaign/);
    expect(await snapshot(api.tdb.db, id)).to.deep.equal({ members: 0, communications: 0, zones: 0 });
    const c = await api.tdb.db('campaigns').where({ id }).first('state');
    expect(c.state).to.equal('idle');
  });

  it('M6: 100k generated rows streamed over HTTP from a file on disk are all imported', async function () {
    this.timeout(300_000);
    const id = await seedCampaign(api.tdb.db, 'big');
    const dir = await mkdtemp(join(tmpdir(), 'dialer-import-'));
    try {
      const file = join(dir, 'members.csv');
      const out = createWriteStream(file);
      out.write('name;phone;debt\n');
      for (let i = 0; i < 100_000; i++) {
        const bad = i === 54_321;
        if (!out.write(`Member ${i};${bad ? 'x1' : 7200000000 + i};${i % 1000}\n`)) await once(out, 'drain');
      }
      out.end();
      await once(out, 'finish');
      const res = await fetch(api.url + path(id, '?separator=%3B&skip_header=true&columns=name,number,var:debt'), {
        method: 'POST',
        headers: { 'x-key': api.admin.key, 'x-access-token': api.admin.token, 'content-type': 'text/csv', 'content-length': String((await stat(file)).size) },
        body: Readable.toWeb(createReadStream(file)) as ReadableStream,
        duplex: 'half',
        signal: AbortSignal.timeout(280_000),
      } as RequestInit);
      const body = await res.json();
      expect(res.status, JSON.stringify(body)).to.equal(200);
      expect(body).to.deep.equal({
        inserted: 99_999,
        rejected_count: 1,
        rejected: [{ line: 54_323, reason: 'column 2 (number): must be 3..32 characters of 0-9 + * #' }],
      });
      expect(await snapshot(api.tdb.db, id)).to.deep.equal({ members: 99_999, communications: 99_999, zones: 0 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('S2: a multipart form without a file is 400', async () => {
    const id = await seedCampaign(api.tdb.db, 'nofile');
    const form = new FormData();
    form.append('note', 'no file here');
    const res = await fetch(api.url + path(id), {
      method: 'POST', headers: { 'x-key': api.admin.key, 'x-access-token': api.admin.token }, body: form, signal: AbortSignal.timeout(30_000),
    });
    expect(res.status).to.equal(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).to.contain('no file');
  });
});

describe('http member import: broken forms', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi('http_member_import_forms');
  });
  after(async () => api.close());

  it('S2: a multipart body cut before its closing boundary is 400, not a hang or a 500', async () => {
    const id = await seedCampaign(api.tdb.db, 'cut');
    const body = '--XyZ\r\nContent-Disposition: form-data; name="file"; filename="m.csv"\r\nContent-Type: text/csv\r\n\r\nAnn,5551901\nBob,5551902\n';
    const r = await api.raw('POST', `/api/v2/dialer/${id}/members/import`, body, 'multipart/form-data; boundary=XyZ');
    expect(r.status).to.equal(400);
    expect(r.body.error.message).to.match(/^body: /);
  });

  it('S2: a multipart content type without a boundary is 400', async () => {
    const id = await seedCampaign(api.tdb.db, 'noboundary');
    const r = await api.raw('POST', `/api/v2/dialer/${id}/members/import`, 'Ann,5552001\n', 'multipart/form-data');
    expect(r.status).to.equal(400);
    expect(await countRows(api.tdb.db, 'members', { campaign_id: id })).to.equal(0);
  });
});

describe('http member import: what an upload may cost (S5)', () => {
  const LIMIT = 1024 * 1024;
  let api: TestApi;
  let headers: Record<string, string>;
  before(async () => {
    api = await startTestApi('http_member_import_limits', { maxImportBytes: LIMIT });
    headers = { 'x-key': api.admin.key, 'x-access-token': api.admin.token, 'content-type': 'text/csv' };
  });
  after(async () => api.close());
  const path = (id: number) => `/api/v2/dialer/${id}/members/import`;
  const tooLarge = { code: 'PAYLOAD_TOO_LARGE', message: `body: larger than the import limit of ${LIMIT} bytes (inflated); nothing was imported`, details: { limit_bytes: LIMIT } };

  it('S5: a gzip body inflating past the import limit (good rows, then blank lines) is 413 naming the limit; nothing is stored', async () => {
    const id = await seedCampaign(api.tdb.db, 'bomb');
    // 8 MB of line breaks gzip to 8 KB; the rows before them would be stored if the file were read whole.
    const bomb = gzipSync(Buffer.concat([Buffer.from('Ann,5553001\nBob,5553002\n'), Buffer.alloc(8 * LIMIT, '\n')]));
    const r = await rawPost(api.url, path(id), bomb, { ...headers, 'content-encoding': 'gzip' });
    expect(r.status, JSON.stringify(r.body)).to.equal(413);
    expect(r.body.error).to.deep.equal(tooLarge);
    expect(await snapshot(api.tdb.db, id)).to.deep.equal({ members: 0, communications: 0, zones: 0 });
  });

  it('S5: the same in a multipart form, and a plain body declared or sent over the limit: 413, nothing stored', async () => {
    const id = await seedCampaign(api.tdb.db, 'bomb-forms');
    const big = Buffer.concat([Buffer.from('Ann,5553101\n'), Buffer.alloc(2 * LIMIT, '\n')]);
    const form = Buffer.concat([
      Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="file"; filename="m.csv"\r\nContent-Type: text/csv\r\n\r\n'),
      big, Buffer.from('\r\n--XyZ--\r\n'),
    ]);
    const multipart = await rawPost(api.url, path(id), gzipSync(form), { ...headers, 'content-type': 'multipart/form-data; boundary=XyZ', 'content-encoding': 'gzip' });
    expect(multipart.status, JSON.stringify(multipart.body)).to.equal(413);
    expect(multipart.body.error).to.deep.equal(tooLarge);
    const declared = await rawPost(api.url, path(id), big, headers);
    expect(declared.status, JSON.stringify(declared.body)).to.equal(413);
    expect(declared.body.error).to.deep.equal(tooLarge);
    // Chunked: no length is declared, the bytes are counted as they come.
    const chunked = await rawPost(api.url, path(id), Readable.from([big.subarray(0, LIMIT / 2), big.subarray(LIMIT / 2)]), headers);
    expect(chunked.status, JSON.stringify(chunked.body)).to.equal(413);
    expect(await snapshot(api.tdb.db, id)).to.deep.equal({ members: 0, communications: 0, zones: 0 });
  });

  it('S5: a file just under the limit is imported', async () => {
    const id = await seedCampaign(api.tdb.db, 'under');
    const rows = Buffer.from('Ann,5553201\nBob,5553202\n');
    const r = await rawPost(api.url, path(id), gzipSync(Buffer.concat([rows, Buffer.alloc(LIMIT - rows.length, '\n')])), { ...headers, 'content-encoding': 'gzip' });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.inserted).to.equal(2);
  });
});
