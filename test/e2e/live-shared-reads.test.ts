import { expect } from 'chai';
import { liveRoutes, type LiveRouter } from '../../src/adapters/http/live-routes.js';
import { TicketStore } from '../../src/adapters/http/web-ticket.js';
import { LiveFeed } from '../../src/app/engine/live-feed.js';
import type { EngineSignals } from '../../src/app/ports/engine-signals.js';
import { startTestApi, type TestApi } from '../helpers/http-api.js';
import { SseClient } from '../helpers/sse-client.js';

/*
 * The live boards' cost does not grow with the number of supervisors watching: the rows are
 * read once per change for every open stream of the process, and a campaign's counts (a scan
 * of its index entries) once for all of them. Counted at the database (knex query events).
 */
describe('live boards: one read for every open stream', function () {
  this.timeout(60_000);
  const STREAMS = 6;
  let api: TestApi;
  let live: LiveRouter;
  const feed = new LiveFeed();
  const signals: EngineSignals = {
    campaignChanged: (id) => feed.campaign(id),
    agentChanged: (id) => feed.agent(id),
    membersAdded: (id) => feed.campaign(id),
    hangUp: () => undefined,
    previewAccepted: () => undefined,
  };
  const sql: string[] = [];
  const onQuery = (q: { sql: string }) => sql.push(q.sql);
  const streams: SseClient[] = [];
  // Members by state and result, attempts by outcome: the counts of a campaign.
  const memberCounts = () => sql.filter((s) => /from `members`/i.test(s) && /count\(/i.test(s)).length;
  const attemptCounts = () => sql.filter((s) => /from `attempts`/i.test(s) && /group by `campaign_id`, `outcome`/i.test(s)).length;

  before(async () => {
    live = liveRoutes({ feed, tickets: new TicketStore({ ttlMs: 30_000 }) });
    api = await startTestApi('live_shared', { signals, extraRouters: [live] });
    api.tdb.db.on('query', onQuery);
  });
  after(async () => {
    streams.forEach((s) => s.close());
    live?.closeAll();
    api?.tdb.db.off('query', onQuery);
    await api?.close();
  });

  it(`A5: ${STREAMS} streams opened at once cost one count of the campaigns; a change, one more`, async () => {
    const cal = await api.call('POST', '/api/v2/calendars', { name: 'c', timezone: 'UTC', windows: [{ day: 1, start: '09:00', end: '17:00' }] });
    const c = await api.call('POST', '/api/v2/dialer', { name: 'Watched', calendar_id: cal.body.id, limit: 2 });
    expect(c.status).to.equal(201);
    expect((await api.call('POST', `/api/v2/dialer/${c.body.id}/members`, [
      { name: 'a', communications: [{ number: '5551001' }] }, { name: 'b', communications: [{ number: '5551002' }] }])).status).to.equal(201);

    sql.length = 0;
    streams.push(...(await Promise.all(Array.from({ length: STREAMS }, () => SseClient.open(api.url, api.admin)))));
    const snaps = await Promise.all(streams.map((s) => s.waitFor('the snapshot', (e) => (e.event === 'snapshot' ? e.data : undefined))));
    for (const snap of snaps) {
      expect(snap.value.live).to.equal(true);
      expect(snap.value.campaigns.find((x: any) => x.id === c.body.id)).to.deep.include({ remaining: 2, limit: 2 });
    }
    // The streams opened one after another may each need a snapshot read, but the counts are kept.
    expect(memberCounts(), 'member count queries for the snapshots').to.equal(1);
    expect(attemptCounts(), 'attempt count queries for the snapshots').to.equal(1);

    sql.length = 0;
    expect((await api.call('POST', `/api/v2/dialer/${c.body.id}/members`, [{ name: 'c', communications: [{ number: '5551003' }] }])).status)
      .to.equal(201);
    await Promise.all(streams.map((s) => s.waitFor('the update', (e) =>
      e.event === 'update' && e.data.campaigns.some((x: any) => x.id === c.body.id && x.remaining === 3) ? true : undefined)));
    expect(memberCounts(), 'member count queries for one change').to.equal(1);
    expect(attemptCounts(), 'attempt count queries for one change').to.equal(1);
  });
});
