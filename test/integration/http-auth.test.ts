import { expect } from 'chai';
import { ApiKeyRepository } from '../../src/adapters/mysql/api-key-repository.js';
import { UserRepository } from '../../src/adapters/mysql/user-repository.js';
import { signAccessToken } from '../../src/app/auth/access-token.js';
import { AuthService } from '../../src/app/auth/auth-service.js';
import { HashGate } from '../../src/app/auth/hash-gate.js';
import { startTestApi, TEST_ADMIN, TEST_TOKEN_SECRET, type TestApi } from '../helpers/http-api.js';
import { countRows, seedCampaign } from '../helpers/http-fixtures.js';

describe('REST auth and roles (S1)', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi('http_auth');
  });
  after(async () => {
    await api?.close();
  });

  it('S1: login answers a key, a token and its expiry; the pair opens /api', async () => {
    const r = await api.call('POST', '/login', TEST_ADMIN, null);
    expect(r.status).to.equal(200);
    expect(r.body.key).to.match(/^[0-9a-f-]{36}$/);
    expect(r.body.role).to.equal('admin');
    expect(Date.parse(r.body.expires)).to.be.greaterThan(Date.now());
    const list = await api.call('GET', '/api/v2/calendars', undefined, { key: r.body.key, token: r.body.token });
    expect(list.status).to.equal(200);
    expect(list.body).to.deep.equal([]);
  });

  it('S1: a login clears keys past their expiry (they open nothing), not the live ones', async () => {
    const first = await api.call('POST', '/login', TEST_ADMIN, null);
    const admin = await api.tdb.db('users').where('username', TEST_ADMIN.username).first('id');
    await api.tdb.db('api_keys').insert({ key: 'expired-key-0000-0000-000000000000', user_id: admin.id,
      created_at: new Date(Date.now() - 86_400_000), expires_at: new Date(Date.now() - 3_600_000) });
    const second = await api.call('POST', '/login', TEST_ADMIN, null);
    expect(second.status).to.equal(200);
    expect(await api.tdb.db('api_keys').where('key', 'expired-key-0000-0000-000000000000').first()).to.equal(undefined);
    const live = await api.call('GET', '/api/v2/calendars', undefined, { key: first.body.key, token: first.body.token });
    expect(live.status, 'the earlier login still works').to.equal(200);
  });

  it('S1: a wrong password gets 401 and creates no key', async () => {
    const before = await countRows(api, 'api_keys');
    const r = await api.call('POST', '/login', { username: 'admin', password: 'wrong-password' }, null);
    expect(r.status).to.equal(401);
    expect(r.body.error).to.include({ code: 'UNAUTHORIZED', message: 'wrong username or password' });
    const unknown = await api.call('POST', '/login', { username: 'nobody', password: 'whatever1' }, null);
    expect(unknown.status).to.equal(401);
    expect(await countRows(api, 'api_keys')).to.equal(before);
  });

  it('S1: missing headers get 401 naming them, and nothing is created', async () => {
    const r = await api.call('POST', '/api/v2/line-groups', { name: 'g', capacity: 1 }, null);
    expect(r.status).to.equal(401);
    expect(r.body.error.code).to.equal('UNAUTHORIZED');
    expect(r.body.error.message).to.include('X-Key and X-Access-Token');
    expect(await countRows(api, 'line_groups')).to.equal(0);
  });

  it('S1: a forged token, or a token of another key, gets 401', async () => {
    const forged = { key: api.admin.key, token: signAccessToken('another-secret-0123456789', api.admin.key, new Date(Date.now() + 60_000)) };
    const r1 = await api.call('POST', '/api/v2/line-groups', { name: 'g', capacity: 1 }, forged);
    expect(r1.status).to.equal(401);
    expect(r1.body.error.message).to.equal('access token is not valid for this key');
    const other = await api.loginAs('operator');
    const swapped = { key: api.admin.key, token: other.token };
    const r2 = await api.call('POST', '/api/v2/line-groups', { name: 'g', capacity: 1 }, swapped);
    expect(r2.status).to.equal(401);
    expect(r2.body.error).to.include({ code: 'UNAUTHORIZED', message: 'access token is not valid for this key' });
    const garbage = await api.call('POST', '/api/v2/line-groups', { name: 'g', capacity: 1 }, { key: api.admin.key, token: 'not-a-token' });
    expect(garbage.status).to.equal(401);
    expect(garbage.body.error).to.include({ code: 'UNAUTHORIZED', message: 'access token is not valid for this key' });
    const unknownKey = await api.call('POST', '/api/v2/line-groups', { name: 'g', capacity: 1 },
      { key: '00000000-0000-0000-0000-000000000000', token: signAccessToken(TEST_TOKEN_SECRET, '00000000-0000-0000-0000-000000000000', new Date(Date.now() + 60_000)) });
    expect(unknownKey.status).to.equal(401);
    expect(unknownKey.body.error).to.include({ code: 'UNAUTHORIZED', message: 'unknown key' });
    expect(await countRows(api, 'line_groups')).to.equal(0);
  });

  it('S1: an expired token gets 401 saying it expired', async () => {
    const expired = { key: api.admin.key, token: signAccessToken(TEST_TOKEN_SECRET, api.admin.key, new Date(Date.now() - 1000)) };
    const r = await api.call('POST', '/api/v2/line-groups', { name: 'g', capacity: 1 }, expired);
    expect(r.status).to.equal(401);
    expect(r.body.error.message).to.include('expired');
    expect(await countRows(api, 'line_groups')).to.equal(0);
  });

  it('S1: logout revokes the key; its token stops working', async () => {
    const creds = await api.loginAs('operator');
    expect((await api.call('GET', '/api/v2/agents', undefined, creds)).status).to.equal(200);
    const out = await api.call('POST', '/logout', undefined, creds);
    expect(out.status).to.equal(204);
    const after = await api.call('GET', '/api/v2/agents', undefined, creds);
    expect(after.status).to.equal(401);
    expect(after.body.error.message).to.equal('key was revoked by logout');
    expect((await api.call('POST', '/logout', undefined, creds)).status).to.equal(401);
  });

  it('S1: operator may not manage users (403) and nothing changes', async () => {
    const op = await api.loginAs('operator');
    const before = await countRows(api, 'users');
    const r = await api.call('POST', '/api/v2/users', { username: 'eve', password: 'password-1', role: 'admin' }, op);
    expect(r.status).to.equal(403);
    expect(r.body.error.code).to.equal('FORBIDDEN');
    expect(r.body.error.message).to.include('role "operator"');
    expect((await api.call('GET', '/api/v2/users', undefined, op)).status).to.equal(403);
    expect(await countRows(api, 'users')).to.equal(before);
  });

  it('S1: api role uploads members and posts statuses, and nothing else', async () => {
    const campaignId = await seedCampaign(api);
    const apiUser = await api.loginAs('api');
    const add = await api.call('POST', `/api/v2/dialer/${campaignId}/members`, { name: 'm', communications: [{ number: '380501112233' }] }, apiUser);
    expect(add.status).to.equal(201);
    const denied = [
      await api.call('GET', '/api/v2/dialer', undefined, apiUser),
      await api.call('POST', `/api/v2/dialer/${campaignId}/run`, undefined, apiUser),
      await api.call('GET', `/api/v2/dialer/${campaignId}/members`, undefined, apiUser),
      await api.call('POST', '/api/v2/calendars', { name: 'x', timezone: 'UTC' }, apiUser),
    ];
    expect(denied.map((d) => [d.status, d.body.error.code, d.body.error.message])).to.deep.equal([
      [403, 'FORBIDDEN', 'role "api" may not GET /api/v2/dialer'],
      [403, 'FORBIDDEN', 'role "api" may not POST /api/v2/dialer/:id/run'],
      [403, 'FORBIDDEN', 'role "api" may not GET /api/v2/dialer/:id/members'],
      [403, 'FORBIDDEN', 'role "api" may not POST /api/v2/calendars'],
    ]);
    for (const d of denied) expect(d.body.error.details).to.deep.equal({ allowed_roles: ['admin', 'operator'] });
    const campaign = await api.tdb.db('campaigns').where({ id: campaignId }).first('state');
    expect(campaign.state).to.equal('idle');
    expect(await countRows(api, 'calendars')).to.equal(1);
    expect(await countRows(api, 'members')).to.equal(1);
  });

  it('S1: admins manage users and roles; a new user can log in with its password', async () => {
    const created = await api.call('POST', '/api/v2/users', { username: 'olga', password: 'olga-password', role: 'operator' });
    expect(created.status).to.equal(201);
    expect(created.body).to.include({ username: 'olga', role: 'operator' });
    expect(created.body).not.to.have.property('password_hash');
    const dup = await api.call('POST', '/api/v2/users', { username: 'olga', password: 'other-password', role: 'api' });
    expect(dup.status).to.equal(409);
    expect(dup.body.error.message).to.equal('username "olga" is taken');
    const login = await api.call('POST', '/login', { username: 'olga', password: 'olga-password' }, null);
    expect(login.status).to.equal(200);
    const changed = await api.call('PUT', `/api/v2/users/${created.body.id}`, { role: 'api' });
    expect(changed.status).to.equal(200);
    expect(changed.body.role).to.equal('api');
    const got = await api.call('GET', `/api/v2/users/${created.body.id}`);
    expect(got.body.role).to.equal('api');
    // A role change applies to the running login at once: api may not list calendars.
    const asOlga = { key: login.body.key, token: login.body.token };
    expect((await api.call('GET', '/api/v2/calendars', undefined, asOlga)).status).to.equal(403);
    // A new password logs the user out everywhere.
    await api.call('PUT', `/api/v2/users/${created.body.id}`, { password: 'olga-new-password' });
    expect((await api.call('POST', `/api/v2/dialer/1/members`, {}, asOlga)).status).to.equal(401);
    const relogin = await api.call('POST', '/login', { username: 'olga', password: 'olga-new-password' }, null);
    expect(relogin.status).to.equal(200);
    const short = await api.call('POST', '/api/v2/users', { username: 'x', password: 'short', role: 'api' });
    expect(short.status).to.equal(400);
    expect(short.body.error.message).to.include('body.password: must be at least 8 characters');
    const del = await api.call('DELETE', `/api/v2/users/${created.body.id}`);
    expect(del.status).to.equal(204);
    // Its keys went with it: the login above no longer works.
    const gone = await api.call('GET', '/api/v2/users', undefined, { key: relogin.body.key, token: relogin.body.token });
    expect(gone.status).to.equal(401);
    expect((await api.call('GET', `/api/v2/users/${created.body.id}`)).status).to.equal(404);
  });

  it('S1: the first admin is created only while there is no user', async () => {
    const again = await api.call('GET', '/api/v2/users');
    const admins = again.body.filter((u: { role: string }) => u.role === 'admin');
    expect(admins.map((u: { username: string }) => u.username)).to.deep.equal(['admin']);
    const login = { gate: new HashGate(1, 0), throttle: { waitSec: async () => 0, failed: async () => undefined, succeeded: async () => undefined } };
    const auth = new AuthService({ users: new UserRepository(api.tdb.db), keys: new ApiKeyRepository(api.tdb.db), secret: TEST_TOKEN_SECRET, ttlSec: 60, login });
    expect(await auth.ensureFirstAdmin('root', undefined)).to.deep.equal({ kind: 'exists' });
    expect(await countRows(api, 'users')).to.equal(again.body.length);
  });

  it('S1: the OpenAPI document needs no credentials and lists every route with its roles', async () => {
    const r = await api.call('GET', '/api/openapi.json', undefined, null);
    expect(r.status).to.equal(200);
    expect(r.body.openapi).to.match(/^3\./);
    const paths = Object.keys(r.body.paths);
    for (const p of ['/login', '/logout', '/api/v2/users', '/api/v2/calendars/{id}', '/api/v2/line-groups', '/api/v2/dialer/{id}/run',
      '/api/v2/dialer/{id}/stop', '/api/v2/dialer/{id}/stats', '/api/v2/dialer/{id}/tiers', '/api/v2/agents/{id}/status',
      '/api/v2/dnc', '/api/v2/dialer/{id}/dnc', '/api/v2/dialer/{id}/members', '/api/v2/dialer/{id}/members/{mid}/status',
      '/api/v2/dialer/{id}/members/{mid}/attempts', '/api/v2/dialer/{id}/members/import']) {
      expect(paths, p).to.include(p);
    }
    const createCampaign = r.body.paths['/api/v2/dialer'].post;
    const schema = createCampaign.requestBody.content['application/json'].schema;
    expect(schema.required).to.include.members(['name', 'calendar_id', 'limit']);
    expect(schema.properties.causes.additionalProperties.enum).to.have.members(['error', 'retry', 'ok', 'minus']);
    expect(createCampaign['x-roles']).to.deep.equal(['admin', 'operator']);
    // M6: the CSV goes as the raw body or as a multipart form's file.
    const importBody = r.body.paths['/api/v2/dialer/{id}/members/import'].post.requestBody.content;
    expect(Object.keys(importBody)).to.have.members(['text/csv', 'multipart/form-data']);
    expect(importBody['multipart/form-data'].schema.properties.file).to.deep.equal({ type: 'string', format: 'binary' });
  });
});
