import { expect } from 'chai';
import { startTestApi, type TestApi } from '../helpers/http-api.js';
import { countRows, seedCampaign } from '../helpers/http-fixtures.js';

describe('REST bad input (S2)', () => {
  let api: TestApi;
  let campaignId: number;

  before(async () => {
    api = await startTestApi('http_errors', { maxJsonBytes: 4096 });
    campaignId = await seedCampaign(api);
  });
  after(async () => {
    await api?.close();
  });

  it('S2: malformed JSON is 400 BAD_JSON and stores nothing', async () => {
    const r = await api.raw('POST', '/api/v2/line-groups', '{"name": "g", "capacity": 1', 'application/json');
    expect(r.status).to.equal(400);
    expect(r.body.error.code).to.equal('BAD_JSON');
    expect(r.body.error.message).to.match(/^request body is not valid JSON/);
    const members = await api.raw('POST', `/api/v2/dialer/${campaignId}/members`, '[{"communications": [}]', 'application/json');
    expect(members.status).to.equal(400);
    expect(members.body.error.code).to.equal('BAD_JSON');
    expect(await countRows(api, 'line_groups')).to.equal(0);
    expect(await countRows(api, 'members')).to.equal(0);
  });

  it('S2: an oversized body is 413 PAYLOAD_TOO_LARGE and stores nothing', async () => {
    const many = Array.from({ length: 200 }, (_, i) => ({ name: `member ${i}`, communications: [{ number: String(380500000000 + i) }] }));
    const r = await api.call('POST', `/api/v2/dialer/${campaignId}/members`, many);
    expect(r.status).to.equal(413);
    expect(r.body.error).to.include({ code: 'PAYLOAD_TOO_LARGE', message: 'request body is larger than 4096 bytes' });
    expect(await countRows(api, 'members')).to.equal(0);
  });

  it('S1/S2: without credentials, malformed JSON is 401 (not 400) and stores nothing', async () => {
    const r = await api.raw('POST', '/api/v2/line-groups', '{"name": "g", "capacity": 1', 'application/json', null);
    expect(r.status).to.equal(401);
    expect(r.body.error).to.include({ code: 'UNAUTHORIZED', message: 'X-Key and X-Access-Token headers are required' });
    const members = await api.raw('POST', `/api/v2/dialer/${campaignId}/members`, '[{"communications": [}]', 'application/json', null);
    expect(members.status).to.equal(401);
    expect(members.body.error.code).to.equal('UNAUTHORIZED');
    expect(await countRows(api, 'line_groups')).to.equal(0);
    expect(await countRows(api, 'members')).to.equal(0);
  });

  it('S1/S2: without credentials, a body over the limit is 401 (not 413) and stores nothing', async () => {
    const many = Array.from({ length: 2000 }, (_, i) => ({ name: `member ${i}`, communications: [{ number: String(380500000000 + i) }] }));
    const body = JSON.stringify(many);
    expect(body.length).to.be.greaterThan(4096 * 10);
    const r = await api.raw('POST', `/api/v2/dialer/${campaignId}/members`, body, 'application/json', null);
    expect(r.status).to.equal(401);
    expect(r.body.error).to.include({ code: 'UNAUTHORIZED', message: 'X-Key and X-Access-Token headers are required' });
    const forged = await api.raw('POST', `/api/v2/dialer/${campaignId}/members`, body, 'application/json', { key: api.admin.key, token: 'forged' });
    expect(forged.status).to.equal(401);
    expect(forged.body.error.message).to.equal('access token is not valid for this key');
    expect(await countRows(api, 'members')).to.equal(0);
  });

  it('S1/S2: a role that may not use a route gets 403 whatever its body (malformed, oversized); nothing changes', async () => {
    const apiUser = await api.loginAs('api');
    const bad = await api.raw('POST', '/api/v2/line-groups', '{"name": "g", "capacity": 1', 'application/json', apiUser);
    expect(bad.status).to.equal(403);
    expect(bad.body.error).to.deep.equal({
      code: 'FORBIDDEN', message: 'role "api" may not POST /api/v2/line-groups', details: { allowed_roles: ['admin', 'operator'] },
    });
    const big = await api.raw('PUT', `/api/v2/dialer/${campaignId}`, `{"name": "${'x'.repeat(10_000)}"}`, 'application/json', apiUser);
    expect(big.status).to.equal(403);
    expect(big.body.error.message).to.equal('role "api" may not PUT /api/v2/dialer/:id');
    // A route the role may use still parses its body: bad JSON there is 400.
    const allowed = await api.raw('POST', `/api/v2/dialer/${campaignId}/members`, '[{"communications": [}]', 'application/json', apiUser);
    expect(allowed.status).to.equal(400);
    expect(allowed.body.error.code).to.equal('BAD_JSON');
    expect(await countRows(api, 'line_groups')).to.equal(0);
    expect((await api.tdb.db('campaigns').where({ id: campaignId }).first('name')).name).to.equal('Campaign');
  });

  it('S2: wrong types name every field path; unknown fields are refused', async () => {
    const r = await api.call('POST', '/api/v2/dialer', { name: '', calendar_id: 'one', limit: -1, wait_result: 'yes', colour: 'red' });
    expect(r.status).to.equal(400);
    expect(r.body.error.code).to.equal('VALIDATION_FAILED');
    const paths = r.body.error.details.issues.map((i: { path: string }) => i.path);
    expect(paths).to.include.members(['body.name', 'body.calendar_id', 'body.limit', 'body.wait_result']);
    expect(r.body.error.message).to.include('body.calendar_id');
    expect(r.body.error.message).to.match(/colour/);
    expect(await countRows(api, 'campaigns')).to.equal(1);
  });

  it('S2: a body that is not JSON where JSON is expected is 400 naming the body', async () => {
    const r = await api.raw('POST', '/api/v2/line-groups', 'name=g&capacity=1', 'application/x-www-form-urlencoded');
    expect(r.status).to.equal(400);
    expect(r.body.error.message).to.match(/^body: /);
    expect(await countRows(api, 'line_groups')).to.equal(0);
  });

  it('S2: an unknown route is 404 NOT_FOUND; an unknown id is 404 naming it', async () => {
    const r = await api.call('GET', '/api/v2/nothing-here');
    expect(r.status).to.equal(404);
    expect(r.body.error).to.include({ code: 'NOT_FOUND', message: 'no route GET /api/v2/nothing-here' });
    const c = await api.call('GET', '/api/v2/calendars/31337');
    expect(c.status).to.equal(404);
    expect(c.body.error).to.deep.equal({ code: 'NOT_FOUND', message: 'calendar 31337 not found', details: { calendar_id: 31337 } });
    const lg = await api.call('PUT', '/api/v2/line-groups/31337', { capacity: 3 });
    expect(lg.status).to.equal(404);
    expect(lg.body.error.message).to.equal('line group 31337 not found');
  });

  it('S2: the request id is echoed, taken from X-Request-Id when given', async () => {
    const r = await api.call('GET', '/api/v2/calendars', undefined, undefined, { 'x-request-id': 'trace-123' });
    expect(r.status).to.equal(200);
    expect(r.headers.get('x-request-id')).to.equal('trace-123');
  });
});
