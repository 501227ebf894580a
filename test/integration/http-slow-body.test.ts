import { connect, type Socket } from 'node:net';
import { expect } from 'chai';
import { startTestApi, type Credentials, type TestApi } from '../helpers/http-api.js';
import { countRows, seedCampaign } from '../helpers/http-fixtures.js';

/** A raw HTTP/1.1 client: what it received, and a promise of the connection's end. */
function rawClient(port: number): { socket: Socket; received: () => string; ended: Promise<void> } {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (c: Buffer) => { text += c.toString('latin1'); });
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  return { socket, received: () => text, ended };
}

function head(method: string, path: string, length: number, auth: Credentials | null, type = 'application/json'): string {
  const creds = auth ? `X-Key: ${auth.key}\r\nX-Access-Token: ${auth.token}\r\n` : '';
  return `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${type}\r\nContent-Length: ${length}\r\n${creds}\r\n`;
}

function answerOf(text: string): { status: number; body: any } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
  const body = text.slice(text.indexOf('\r\n\r\n') + 4);
  return { status, body: body ? JSON.parse(body) : undefined };
}

describe('REST slow request bodies are cut off (S5)', function () {
  this.timeout(30_000);
  let api: TestApi;
  let port: number;
  let campaignId: number;

  before(async () => {
    // Small on purpose: these tests wait for them.
    api = await startTestApi('http_slow_body', { bodyTimeouts: { idleMs: 300, deadlineMs: 1200 } });
    port = Number(new URL(api.url).port);
    campaignId = await seedCampaign(api);
  });
  after(async () => {
    await api?.close();
  });

  it('S5: headers and one byte of a body, then silence: 408 naming the idle limit, and the connection is closed', async () => {
    const c = rawClient(port);
    c.socket.write(head('POST', '/login', 100, null) + '{');
    await c.ended;
    const a = answerOf(c.received());
    expect(a.status).to.equal(408);
    expect(a.body.error).to.deep.equal({
      code: 'REQUEST_TIMEOUT', message: 'request body stopped: nothing received for 0.3 s', details: { idle_timeout_sec: 0.3 },
    });
  });

  it('S5: a body that keeps coming a byte at a time is cut off at the body deadline, and stores nothing', async () => {
    const body = JSON.stringify({ name: 'slow', capacity: 1 }) + ' '.repeat(200);
    const c = rawClient(port);
    c.socket.write(head('POST', '/api/v2/line-groups', body.length, api.admin));
    let i = 0;
    const drip = setInterval(() => { if (i < body.length && !c.socket.destroyed) c.socket.write(body[i++]!); }, 50);
    await c.ended;
    clearInterval(drip);
    const a = answerOf(c.received());
    expect(a.status).to.equal(408);
    expect(a.body.error).to.include({ code: 'REQUEST_TIMEOUT', message: 'request body too slow: not complete within 1.2 s' });
    expect(i).to.be.below(body.length);
    expect(await countRows(api, 'line_groups')).to.equal(0);
  });

  it('S5: without credentials a stalled body gets its 401 at once and the connection still ends', async () => {
    const c = rawClient(port);
    c.socket.write(head('POST', '/api/v2/line-groups', 1000, null) + '{');
    await c.ended;
    expect(answerOf(c.received()).status).to.equal(401);
  });

  it('S5: a CSV import whose body goes silent is cut off (408) and stores nothing', async () => {
    const rows = Array.from({ length: 50 }, (_, k) => `Name ${k},38060${String(k).padStart(7, '0')}\n`).join('');
    const c = rawClient(port);
    c.socket.write(head('POST', `/api/v2/dialer/${campaignId}/members/import`, rows.length + 1000, api.admin, 'text/csv') + rows);
    await c.ended;
    expect(answerOf(c.received()).status).to.equal(408);
    expect(await countRows(api, 'members')).to.equal(0);
  });

  it('S5: the CSV import may take longer than the body deadline while its body keeps coming', async () => {
    // A campaign of its own: the import cut off above may still be rolling back on the other.
    const other = await seedCampaign(api, { name: 'Other' });
    const csv = Array.from({ length: 30 }, (_, k) => `Name ${k},38050${String(k).padStart(7, '0')}\n`).join('');
    const c = rawClient(port);
    c.socket.write(head('POST', `/api/v2/dialer/${other}/members/import`, csv.length, api.admin, 'text/csv'));
    // 30 pieces every 60 ms: past the 1.2 s deadline, never silent for the 0.3 s idle limit.
    const pieces = csv.match(/[^\n]*\n/g)!;
    for (const p of pieces) {
      c.socket.write(p);
      await new Promise((r) => setTimeout(r, 60));
    }
    const deadline = Date.now() + 20_000;
    while (!/\r\n\r\n.*\}$/s.test(c.received()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    c.socket.end();
    const a = answerOf(c.received());
    expect(a.status, c.received()).to.equal(200);
    expect(a.body.inserted).to.equal(30);
    expect(await countRows(api, 'members')).to.equal(30);
  });
});
