import { expect } from 'chai';
import { startTestApi, TEST_ADMIN, type HttpAnswer, type TestApi } from '../helpers/http-api.js';

const WRONG = 'not-the-password';

describe('REST login limits (S5, S1)', function () {
  this.timeout(60_000);
  let api: TestApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  /** POST /login as `username` from `address` (X-Forwarded-For, trusted in these tests). */
  function login(a: TestApi, password: string, address = '10.0.0.1', username = TEST_ADMIN.username): Promise<HttpAnswer> {
    return a.call('POST', '/login', { username, password }, null, { 'x-forwarded-for': address });
  }

  function expectThrottled(r: HttpAnswer): number {
    expect(r.status, JSON.stringify(r.body)).to.equal(429);
    expect(r.body.error.code).to.equal('TOO_MANY_REQUESTS');
    const retry = Number(r.headers.get('retry-after'));
    expect(Number.isInteger(retry) && retry >= 1, `Retry-After ${r.headers.get('retry-after')}`).to.equal(true);
    expect(r.body.error.message).to.equal(`too many failed logins; try again in ${retry} s`);
    return retry;
  }

  it('S5: failed logins of a user from one address get 429 with Retry-After, even with the right password; after the window it works', async () => {
    api = await startTestApi('login_user_addr', { trustProxy: true,
      login: { limits: { windowSec: 2, perUserAddress: 3, perAddress: 100, perUser: 100 } } });
    for (let i = 0; i < 3; i++) expect((await login(api, WRONG)).status).to.equal(401);
    expectThrottled(await login(api, WRONG));
    // The right password too: a throttled guess must not tell whether it was right.
    const retry = expectThrottled(await login(api, TEST_ADMIN.password));
    // Another address is not held back by this one's failures.
    expect((await login(api, TEST_ADMIN.password, '10.0.0.2')).status).to.equal(200);
    await new Promise((r) => setTimeout(r, retry * 1000 + 100));
    expect((await login(api, TEST_ADMIN.password)).status).to.equal(200);
  });

  it('S5: failures from one address over many users get 429 for any user from it', async () => {
    api = await startTestApi('login_addr', { trustProxy: true,
      login: { limits: { windowSec: 60, perUserAddress: 100, perAddress: 4, perUser: 100 } } });
    for (let i = 0; i < 4; i++) expect((await login(api, WRONG, '10.0.0.7', `user${i}`)).status).to.equal(401);
    expectThrottled(await login(api, TEST_ADMIN.password, '10.0.0.7'));
    expect((await login(api, TEST_ADMIN.password, '10.0.0.8')).status).to.equal(200);
  });

  it('S5: failures spread over many addresses hold a user back everywhere but where it logged in before (no lockout of the real user)', async () => {
    api = await startTestApi('login_user', { trustProxy: true,
      login: { limits: { windowSec: 60, perUserAddress: 100, perAddress: 100, perUser: 3 } } });
    expect((await login(api, TEST_ADMIN.password, '10.0.0.1')).status).to.equal(200);
    for (let i = 0; i < 3; i++) expect((await login(api, WRONG, `10.9.0.${i}`)).status).to.equal(401);
    expectThrottled(await login(api, TEST_ADMIN.password, '10.9.0.99'));
    // The case matters not: the database matches names without it, so do the limits.
    expectThrottled(await login(api, TEST_ADMIN.password, '10.9.0.98', TEST_ADMIN.username.toUpperCase()));
    expect((await login(api, TEST_ADMIN.password, '10.0.0.1')).status).to.equal(200);
  });

  it('S5: a burst of logins beyond the hash queue gets 503 with Retry-After at once, and other requests are answered meanwhile', async () => {
    api = await startTestApi('login_burst', { login: { hashConcurrency: 1, hashQueue: 1 } });
    const a = api;
    const order: string[] = [];
    const logins = Array.from({ length: 20 }, (_, i) =>
      a.call('POST', '/login', TEST_ADMIN, null).then((r) => { order.push(`login${i}`); return r; }));
    const other = a.call('GET', '/api/v2/calendars').then((r) => { order.push('other'); return r; });
    const answers = await Promise.all(logins);
    expect((await other).status).to.equal(200);
    const busy = answers.filter((r) => r.status === 503);
    expect(busy.length, answers.map((r) => r.status).join(',')).to.be.greaterThan(0);
    for (const r of busy) {
      expect(r.body.error.code).to.equal('BUSY');
      expect(r.headers.get('retry-after')).to.equal('1');
    }
    expect(answers.every((r) => r.status === 200 || r.status === 503)).to.equal(true);
    // The other request did not wait for the logins' hashing to finish.
    expect(order.indexOf('other')).to.be.below(order.length - 1);
  });
});
