import { expect } from 'chai';
import { forecastFacts } from '../../src/adapters/mysql/forecast-store.js';
import { startTestApi, type TestApi } from '../helpers/http-api.js';
import { seeder } from '../helpers/seed.js';

describe('Q3: the finish forecast (facts query and REST)', function () {
  this.timeout(60_000);
  let api: TestApi;
  let campaignId: number;
  const now = new Date('2026-12-04T12:00:00Z');
  const later = new Date('2026-12-04T12:10:00Z');

  before(async () => {
    api = await startTestApi('forecast');
    const db = api.tdb.db;
    const seed = seeder(db);
    campaignId = await seed.campaign({ max_tries: 3 });
    await seed.agents(2, [campaignId]);
    await seed.agents(1, [campaignId], { status: 'Logged Out' });
    const [a, b, c, d, e, f] = await seed.members(campaignId, 6);
    await db('members').whereIn('id', [a!, b!]).update({ state: 'done', tries: 1, result: 'NORMAL_CLEARING' });
    await db('members').where('id', c).update({ state: 'done', tries: 3, result: 'MAX_TRY_COUNT' });
    await db('members').where('id', d).update({ tries: 1, ready_at: later });
    await db('members').where('id', e).update({ minus_tries: 2 });
    await db('members').where('id', f).update({ state: 'dialing' });
    let minute = 0;
    const attempt = (member: number, outcome: string | null) => ({ campaign_id: campaignId, member_id: member, communication_id: 1, number: '100',
      state: outcome ? 'done' : 'talking', outcome, created_at: new Date(Date.parse('2026-12-04T11:00:00Z') + ++minute * 60_000),
      ended_at: outcome ? new Date(Date.parse('2026-12-04T11:00:30Z') + minute * 60_000) : null });
    for (const row of [attempt(a!, 'success'), attempt(b!, 'success'), attempt(c!, 'retry'), attempt(c!, 'retry'), attempt(c!, 'retry'),
      attempt(d!, 'retry'), attempt(e!, 'minus'), attempt(e!, 'agent_failed'), attempt(f!, null)]) await db('attempts').insert(row);
  });
  after(async () => { await api?.close(); });

  it('Q3, C5: the facts: recent attempts by kind (a member\'s failed last try apart), tries left per member, agents logged in', async () => {
    const read = await forecastFacts(api.tdb.db, campaignId, now);
    expect(read!.state).to.equal('running');
    const f = read!.facts;
    expect(f.agents).to.equal(2);
    expect(f.recent).to.deep.equal({ since: new Date('2026-12-04T11:01:00Z'), attempts: 9, ended: 8, retries: 3, exhausted: 1, uncounted: 2, meanLengthMs: 30_000 });
    expect(f.remaining.map((g) => [g.members, g.triesLeft, g.minusLeft]).sort()).to.deep.equal([[1, 2, 10], [1, 3, 10], [1, 3, 8]]);
    expect(f.lastReadyAt).to.deep.equal(later);
    expect(await forecastFacts(api.tdb.db, 999_999, now)).to.equal(undefined);
  });

  it('Q3: GET …/forecast answers the range with its basis; S1: admin and operator only; S2: a bad id names params.id', async () => {
    const r = await api.call('GET', `/api/v2/dialer/${campaignId}/forecast`);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body).to.include({ campaign_id: campaignId, campaign_state: 'running', status: 'forecast', reason: null });
    expect(r.body.basis).to.include({ agents: 2, remaining_members: 3, measured_attempts: 9, retry_share: 0.6, uncounted_share: 0.25 });
    expect(Date.parse(r.body.earliest)).to.be.at.most(Date.parse(r.body.likely));
    expect(Date.parse(r.body.likely)).to.be.at.most(Date.parse(r.body.latest));
    expect((await api.call('GET', `/api/v2/dialer/${campaignId}/forecast`, undefined, await api.loginAs('operator'))).status).to.equal(200);
    expect((await api.call('GET', `/api/v2/dialer/${campaignId}/forecast`, undefined, await api.loginAs('api'))).status).to.equal(403);
    const bad = await api.call('GET', '/api/v2/dialer/abc/forecast');
    expect(bad.status).to.equal(400);
    expect(bad.body.error.message).to.include('params.id');
    const doc = (await api.call('GET', '/api/openapi.json', undefined, null)).body;
    const ok = doc.paths['/api/v2/dialer/{id}/forecast'].get.responses['200'].content['application/json'].schema;
    expect(JSON.stringify(ok)).to.contain('attempts_per_agent_hour');
  });
});
