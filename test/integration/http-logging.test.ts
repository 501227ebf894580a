import { Writable } from 'node:stream';
import { expect } from 'chai';
import { pino } from 'pino';
import { startTestApi, TEST_ADMIN, type TestApi } from '../helpers/http-api.js';

/** Every line the API logs, as written (JSON text). */
function captured(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { lines, stream };
}

describe('REST request log (S1)', () => {
  const log = captured();
  let api: TestApi;

  before(async () => {
    api = await startTestApi('http_logging', { log: pino({ level: 'info' }, log.stream) });
  });
  after(async () => {
    await api?.close();
  });

  /** The log line of a request is written when its response ends, which may come just after the client read it. */
  async function lineOf(requestId: string): Promise<Record<string, any>> {
    for (let i = 0; i < 200; i++) {
      const line = log.lines.map((l) => JSON.parse(l) as Record<string, any>).find((l) => l.req?.id === requestId);
      if (line) return line;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no log line for request ${requestId}`);
  }

  it('S1: keys, access tokens, cookies, Authorization, tickets and login passwords never appear in the log', async () => {
    const password = 'operator-secret-pass';
    await api.call('POST', '/api/v2/users', { username: 'olena', password, role: 'operator' });
    const login = await api.call('POST', '/login', { username: 'olena', password }, null, { 'x-request-id': 'login-ok' });
    expect(login.status).to.equal(200);
    const creds = { key: login.body.key as string, token: login.body.token as string };
    const wrong = await api.call('POST', '/login', { username: 'olena', password: 'wrong-secret-pass' }, null, { 'x-request-id': 'login-wrong' });
    expect(wrong.status).to.equal(401);
    const secretHeaders = { cookie: 'dialer_session=cookie-secret-value', authorization: 'Bearer bearer-secret-value' };
    const ok = await api.call('GET', '/api/v2/calendars', undefined, creds, { ...secretHeaders, 'x-request-id': 'list-ok' });
    expect(ok.status).to.equal(200);
    const bad = await api.call('POST', '/api/v2/line-groups', { capacity: 'many' }, creds, { ...secretHeaders, 'x-request-id': 'create-bad' });
    expect(bad.status).to.equal(400);
    const forged = await api.call('GET', '/api/v2/calendars', undefined, { key: creds.key, token: 'forged-token-value' }, { 'x-request-id': 'forged' });
    expect(forged.status).to.equal(401);
    const ticket = await api.call('GET', '/api/openapi.json?ticket=ticket-secret-value', undefined, null, { 'x-request-id': 'ticket' });
    expect(ticket.status).to.equal(200);

    // The lines are there, with what is useful: method, URL, status, the headers' presence.
    const listed = await lineOf('list-ok');
    expect(listed.req).to.include({ method: 'GET', url: '/api/v2/calendars' });
    expect(listed.res.statusCode).to.equal(200);
    expect(listed.req.headers).to.include({ 'x-key': '[Redacted]', 'x-access-token': '[Redacted]', cookie: '[Redacted]', authorization: '[Redacted]' });
    expect((await lineOf('create-bad')).res.statusCode).to.equal(400);
    expect((await lineOf('forged')).req.headers['x-access-token']).to.equal('[Redacted]');
    expect((await lineOf('ticket')).req.url).to.equal('/api/openapi.json?ticket=[Redacted]');
    expect((await lineOf('login-ok')).req.url).to.equal('/login');
    expect((await lineOf('login-wrong')).res.statusCode).to.equal(401);

    const text = log.lines.join('');
    for (const secret of [creds.key, creds.token, api.admin.key, api.admin.token, password, 'wrong-secret-pass', TEST_ADMIN.password,
      'cookie-secret-value', 'bearer-secret-value', 'forged-token-value', 'ticket-secret-value']) {
      expect(text, secret).not.to.include(secret);
    }
  });
});
