import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { expect } from 'chai';
import { webClient } from '../../src/adapters/http/web-routes.js';
import { startTestApi, TEST_ADMIN, type TestApi } from '../helpers/http-api.js';

/*
 * The web client's log-in: the key and token travel as headers; a session cookie holding the
 * same signed pair lets a reloaded page resume, and opens the queue dashboard.
 */
describe('web session cookie: log in, resume, log out, queue dashboard (S1)', () => {
  let api: TestApi;
  let queue: Queue;
  let web: ReturnType<typeof webClient>;
  let nowMs = Date.now();

  before(async () => {
    queue = new Queue('timers', { connection: { host: '127.0.0.1', port: 6379 }, prefix: `{web-s-${randomBytes(4).toString('hex')}}` });
    web = webClient({ feed: undefined, queues: [queue] });
    api = await startTestApi('web_session', { extraRouters: web.routers, ttlSec: 3600, now: () => new Date(nowMs) });
  });
  after(async () => {
    web?.close();
    await api?.close();
    await queue?.close();
  });

  const post = (path: string, init: { body?: unknown; cookie?: string; headers?: Record<string, string> } = {}) =>
    fetch(api.url + path, {
      method: 'POST', redirect: 'manual',
      headers: { ...(init.body ? { 'content-type': 'application/json' } : {}), ...(init.cookie ? { cookie: init.cookie } : {}), ...init.headers },
      body: init.body ? JSON.stringify(init.body) : null,
    });
  const webLogin = async (username = TEST_ADMIN.username, password = TEST_ADMIN.password) => {
    const r = await post('/api/v2/session/login', { body: { username, password } });
    expect(r.status).to.equal(200);
    const setCookie = r.headers.get('set-cookie')!;
    return { body: await r.json(), setCookie, cookie: setCookie.split(';')[0]! };
  };

  it('S1: a web login answers the pair and sets an HttpOnly, SameSite=Strict session cookie with no lifetime of its own', async () => {
    const { body, setCookie } = await webLogin();
    expect(body).to.include({ role: 'admin', username: TEST_ADMIN.username });
    expect(body.key).to.match(/^[0-9a-f-]{36}$/);
    expect(setCookie).to.equal(`dialer_session=${body.key}.${body.token}; Path=/; HttpOnly; SameSite=Strict`);
    expect(setCookie).to.not.match(/Max-Age|Expires/i);
    const list = await api.call('GET', '/api/v2/calendars', undefined, { key: body.key, token: body.token });
    expect(list.status).to.equal(200);
  });

  it('S1, S2: a wrong password or a bad body sets no cookie', async () => {
    const wrong = await post('/api/v2/session/login', { body: { username: TEST_ADMIN.username, password: 'nope' } });
    expect(wrong.status).to.equal(401);
    expect(wrong.headers.get('set-cookie')).to.equal(null);
    const bad = await post('/api/v2/session/login', { body: { username: '' } });
    expect(bad.status).to.equal(400);
    const err = await bad.json();
    expect(err.error.details.issues.map((i: { path: string }) => i.path)).to.include.members(['body.username', 'body.password']);
    expect(bad.headers.get('set-cookie')).to.equal(null);
  });

  it('S1: resume gives the cookie\'s pair back; without a cookie, or with a forged one, it is 401', async () => {
    const { body, cookie } = await webLogin();
    const r = await post('/api/v2/session/resume', { cookie });
    expect(r.status).to.equal(200);
    expect(r.headers.get('cache-control')).to.equal('no-store');
    expect(await r.json()).to.deep.equal({ key: body.key, token: body.token, expires: body.expires, role: 'admin', username: TEST_ADMIN.username });

    expect((await post('/api/v2/session/resume')).status).to.equal(401);
    const forged = await post('/api/v2/session/resume', { cookie: cookie.replace(/[\w-]{43}$/, 'A'.repeat(43)) });
    expect(forged.status).to.equal(401);
    expect(forged.headers.get('set-cookie')).to.match(/^dialer_session=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0/);
  });

  it('S1: the cookie alone opens no /api route', async () => {
    const { cookie } = await webLogin();
    const r = await api.call('GET', '/api/v2/calendars', undefined, null, { cookie });
    expect(r.status).to.equal(401);
  });

  it('S1: logout revokes the key and clears the cookie; the old cookie resumes nothing', async () => {
    const { body, cookie } = await webLogin();
    const out = await post('/api/v2/session/logout', { headers: { 'x-key': body.key, 'x-access-token': body.token } });
    expect(out.status).to.equal(204);
    expect(out.headers.get('set-cookie')).to.match(/^dialer_session=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0/);
    const again = await post('/api/v2/session/resume', { cookie });
    expect(again.status).to.equal(401);
    expect((await again.json()).error.message).to.include('revoked');
    expect((await post('/api/v2/session/logout')).status).to.equal(401);
  });

  it('S1: once the token has expired the cookie resumes nothing (401, cookie cleared)', async () => {
    const { cookie } = await webLogin();
    nowMs += 3601_000;
    try {
      const r = await post('/api/v2/session/resume', { cookie });
      expect(r.status).to.equal(401);
      expect((await r.json()).error.message).to.include('expired');
      expect(r.headers.get('set-cookie')).to.include('Max-Age=0');
    } finally {
      nowMs = Date.now();
    }
  });

  it('S1: /admin/queues is closed without the cookie, closed to operators, open to an admin\'s session cookie', async () => {
    const bare = await fetch(`${api.url}/admin/queues`, { redirect: 'manual' });
    expect(bare.status).to.equal(401);
    const forged = await fetch(`${api.url}/admin/queues`, { headers: { cookie: 'dialer_session=nope' } });
    expect(forged.status).to.equal(401);

    await api.loginAs('operator'); // operator1 / operator-password-1
    const op = await webLogin('operator1', 'operator-password-1');
    expect((await fetch(`${api.url}/admin/queues`, { headers: { cookie: op.cookie } })).status).to.equal(403);

    const { cookie } = await webLogin();
    const page = await fetch(`${api.url}/admin/queues`, { headers: { cookie } });
    expect(page.status).to.equal(200);
    const html = await page.text();
    expect(html).to.include('<div id="root"');
    expect(html, 'a link back to the web client').to.include('Back to the dialer');
    const queues = await fetch(`${api.url}/admin/queues/api/queues`, { headers: { cookie } });
    expect(queues.status).to.equal(200);
    expect(JSON.stringify(await queues.json())).to.include('"timers"');
  });

  it('S1: logging out closes the queue dashboard opened with that login', async () => {
    const { body, cookie } = await webLogin();
    expect((await fetch(`${api.url}/admin/queues`, { headers: { cookie } })).status).to.equal(200);
    expect((await api.call('POST', '/logout', undefined, { key: body.key, token: body.token })).status).to.equal(204);
    expect((await fetch(`${api.url}/admin/queues`, { headers: { cookie } })).status).to.equal(401);
  });
});
