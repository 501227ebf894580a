import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { expect } from 'chai';
import { webClient } from '../../src/adapters/http/web-routes.js';
import { TicketStore } from '../../src/adapters/http/web-ticket.js';
import { LiveFeed } from '../../src/app/engine/live-feed.js';
import type { EngineSignals } from '../../src/app/ports/engine-signals.js';
import { startTestApi, type TestApi } from '../helpers/http-api.js';
import { takeSseEvents, type SseEvent } from '../helpers/sse-client.js';
import { ensureWebBuild } from '../helpers/web-browser.js';

/** Reads Server-Sent Events from a fetch body until `want` returns a value. */
async function readEvents<T>(res: Response, want: (ev: SseEvent[]) => T | undefined): Promise<T> {
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  const events: SseEvent[] = [];
  let buf = '';
  const deadline = Date.now() + 10_000;
  try {
    while (Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      buf = takeSseEvents(buf + dec.decode(value, { stream: true }), events);
      const got = want(events);
      if (got !== undefined) return got;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  throw new Error(`stream ended without the expected event; got ${JSON.stringify(events.map((e) => e.event))}`);
}

describe('web client server side: live push, static files', function () {
  this.timeout(60_000);
  let api: TestApi;
  let queue: Queue;
  let web: ReturnType<typeof webClient>;
  const feed = new LiveFeed();
  // What the engine does on REST changes: announce them on its live feed.
  const signals: EngineSignals = {
    campaignChanged: (id) => feed.campaign(id),
    agentChanged: (id) => feed.agent(id),
    membersAdded: (id) => feed.campaign(id),
    hangUp: () => undefined,
    previewAccepted: () => undefined,
  };

  before(async () => {
    ensureWebBuild();
    queue = new Queue('timers', { connection: { host: '127.0.0.1', port: 6379 }, prefix: `{web-t-${randomBytes(4).toString('hex')}}` });
    web = webClient({ feed, queues: [queue] });
    api = await startTestApi('web_push', { signals, extraRouters: web.routers });
  });
  after(async () => {
    web?.close();
    await api?.close();
    await queue?.close();
  });

  const ticket = async (auth = api.admin): Promise<string> => {
    const r = await api.call('POST', '/api/v2/live/ticket', undefined, auth);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    return r.body.ticket;
  };
  const openStream = (t: string) => fetch(`${api.url}/api/v2/live?ticket=${encodeURIComponent(t)}`, { signal: AbortSignal.timeout(20_000) });

  it('S1: the live stream needs a ticket; the key and token in the URL are not accepted', async () => {
    const none = await fetch(`${api.url}/api/v2/live`);
    expect(none.status).to.equal(401);
    const asQuery = await fetch(`${api.url}/api/v2/live?key=${api.admin.key}&token=${encodeURIComponent(api.admin.token)}&ticket=${encodeURIComponent(api.admin.token)}`);
    expect(asQuery.status).to.equal(401);
    const noAuthTicket = await api.call('POST', '/api/v2/live/ticket', undefined, null);
    expect(noAuthTicket.status).to.equal(401);
  });

  it('S1: a ticket opens one stream only, and carries no part of the access token', async () => {
    const t = await ticket();
    expect(t).to.not.include(api.admin.token);
    expect(api.admin.token).to.not.include(t);
    const first = await openStream(t);
    expect(first.status).to.equal(200);
    expect(first.headers.get('content-type')).to.match(/^text\/event-stream/);
    await first.body!.cancel();
    const again = await openStream(t);
    expect(again.status).to.equal(401);
  });

  it('S1: a ticket is refused once its time is up', () => {
    let nowMs = 1_000_000;
    const tickets = new TicketStore({ ttlMs: 30_000, now: () => nowMs });
    const t = tickets.issue({ key: 'k', token: 't' });
    nowMs += 30_000;
    expect(tickets.redeem(t)).to.equal(undefined);
    expect(tickets.redeem(undefined)).to.equal(undefined);
  });

  it('S1: the api role may not watch the boards (403)', async () => {
    const apiUser = await api.loginAs('api');
    const r = await api.call('POST', '/api/v2/live/ticket', undefined, apiUser);
    expect(r.status).to.equal(403);
  });

  it('A5: a snapshot on connect, then an update naming the agent that changed', async () => {
    const a = await api.call('POST', '/api/v2/agents', { name: 'Zoe', sip_user: '3001@pbx' });
    expect(a.status).to.equal(201);
    const res = await openStream(await ticket());
    let changed = false;
    const got = await readEvents(res, (evs) => {
      const snap = evs.find((e) => e.event === 'snapshot');
      if (snap && !changed) {
        changed = true;
        expect(snap.data.agents.map((x: any) => x.sip_user)).to.include('3001@pbx');
        void api.call('PUT', `/api/v2/agents/${a.body.id}/status`, { status: 'Available' });
      }
      return evs.find((e) => e.event === 'update' && e.data.agents.some((x: any) => x.id === a.body.id && x.status === 'Available'));
    });
    const row = got.data.agents.find((x: any) => x.id === a.body.id);
    expect(row).to.include({ name: 'Zoe', status: 'Available', state: 'Waiting', registered_node: null });
    expect(row.call).to.equal(null);
    expect(row.ready_in_ms).to.be.a('number');
  });

  it('C2, M6: a campaign update carries live calls against the limit and members by state', async () => {
    const cal = await api.call('POST', '/api/v2/calendars', { name: 'c', timezone: 'UTC', windows: [{ day: 1, start: '09:00', end: '17:00' }] });
    const c = await api.call('POST', '/api/v2/dialer', { name: 'Push campaign', calendar_id: cal.body.id, limit: 7 });
    expect(c.status).to.equal(201);
    const res = await openStream(await ticket());
    let added = false;
    const got = await readEvents(res, (evs) => {
      if (!added && evs.some((e) => e.event === 'snapshot')) {
        added = true;
        void api.call('POST', `/api/v2/dialer/${c.body.id}/members`, [
          { name: 'a', communications: [{ number: '5550001' }] }, { name: 'b', communications: [{ number: '5550002' }] }]);
      }
      return evs.find((e) => e.event === 'update' && e.data.campaigns.some((x: any) => x.id === c.body.id && x.members.total === 2));
    });
    const row = got.data.campaigns.find((x: any) => x.id === c.body.id);
    expect(row).to.deep.include({ name: 'Push campaign', state: 'idle', limit: 7, live_calls: 0, dialled: 0, succeeded: 0, failed: 0, remaining: 2 });
    expect(row.members).to.deep.equal({ ready: 2, dialing: 0, waiting_result: 0, done: 0, total: 2 });
  });

  it('S1: a logout ends the live streams of that login at the next news', async () => {
    const op = await api.loginAs('operator');
    const res = await openStream(await ticket(op));
    let loggedOut = false;
    const got = await readEvents(res, (evs) => {
      if (!loggedOut && evs.some((e) => e.event === 'snapshot')) {
        loggedOut = true;
        void api.call('POST', '/logout', undefined, op).then(() => feed.agent(1));
      }
      return evs.find((e) => e.event === 'end');
    });
    expect(got.data.reason).to.include('revoked');
  });

  it('web: pages are the client\'s index.html, the API keeps its JSON 404', async () => {
    for (const path of ['/', '/campaigns/3', '/login']) {
      const r = await fetch(`${api.url}${path}`, { headers: { accept: 'text/html' } });
      expect(r.status, path).to.equal(200);
      expect(await r.text(), path).to.include('<main id="main"').and.to.include('/assets/');
    }
    const asset = await fetch(`${api.url}/assets/missing.js`);
    expect(asset.status).to.equal(404);
    const missing = await api.call('GET', '/api/v2/nothing-here');
    expect(missing.status).to.equal(404);
    expect(missing.body.error.code).to.equal('NOT_FOUND');
    const openapi = await api.call('GET', '/api/openapi.json', undefined, null);
    expect(Object.keys(openapi.body.paths)).to.include('/api/v2/live');
  });
});
