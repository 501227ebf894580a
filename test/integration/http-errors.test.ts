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
