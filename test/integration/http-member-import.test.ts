import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import type { EngineSignals } from '../../src/app/ports/engine-signals.js';
import { startTestApi, type TestApi } from '../helpers/http-api.js';
import { httpClient } from '../helpers/http-client.js';
import { countRows, seedCampaign } from '../helpers/member-fixtures.js';

describe('http member import', () => {
  let api: TestApi;
  const added: number[] = [];
  const signals: EngineSignals = {
    campaignChanged: () => undefined,
    agentChanged: () => undefined,
    membersAdded: (id) => added.push(id),
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

  it('S2: an unknown campaign is 404', async () => {
    const r = await api.raw('POST', path(999_999), 'Ann,5551301\n', 'text/csv');
    expect(r.status).to.equal(404);
    expect(r.body.error).to.deep.include({ code: 'NOT_FOUND', message: 'campaign 999999 not found' });
  });

  it('S2: a quote the parser cannot get past is 400 BAD_CSV with the line; rows before it are kept', async () => {
    const id = await seedCampaign(api.tdb.db, 'badcsv');
    const r = await api.raw('POST', path(id), 'Ann,5551401\n"Bob"x,5551402\nCy,5551403\n', 'text/csv');
    expect(r.status).to.equal(400);
    expect(r.body.error.code).to.equal('BAD_CSV');
    expect(r.body.error.message).to.match(/^line 2: unbalanced quotes/);
    expect(r.body.error.details).to.deep.include({ line: 2, inserted: 1 });
    expect(await countRows(api.tdb.db, 'members', { campaign_id: id })).to.equal(1);
  });

  it('S2: a file in the wrong charset has its rows rejected naming the charset', async () => {
    const id = await seedCampaign(api.tdb.db, 'wrongcharset');
    const r = await api.raw('POST', path(id), iconv.encode('Іван,5551501\n', 'windows-1251'), 'text/csv');
    expect(r.status).to.equal(200);
    expect(r.body).to.deep.equal({ inserted: 0, rejected_count: 1, rejected: [{ line: 1, reason: 'column 1: bytes that are not valid utf-8' }] });
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
