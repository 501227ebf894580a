import { expect } from 'chai';
import { startTestApi, type TestApi } from '../helpers/http-api.js';
import { recordingSignals, seedCampaign } from '../helpers/http-fixtures.js';

/*
 * Issue 13 §3: bulk member actions by the members list's filter. 1,203 members span three
 * batches of 500; members in a call or waiting for a result (C7) are skipped and counted.
 */
describe('REST bulk member actions by filter (issue 13 §3; C5, C7, M5, S2)', function () {
  this.timeout(60_000);
  let api: TestApi;
  const signals = recordingSignals();
  let campaignId: number;
  let ids: number[] = [];
  const bulk = (what: string) => `/api/v2/dialer/${campaignId}/members/bulk/${what}`;
  const N = 1203;
  /** Two in a call, one waiting for its result: never reset nor deleted. */
  let live: number[];
  /** Ended with MAX_TRY_COUNT: ready again after a reset (C5). */
  let usedUp: number[];
  /** Ended by success: the tries go to 0, the member stays ended. */
  let succeeded: number[];

  before(async () => {
    api = await startTestApi('http_member_bulk', { signals });
    campaignId = await seedCampaign(api, { max_tries: 3 });
    const members = Array.from({ length: N }, (_v, i) => ({
      name: i === 7 ? 'Bulk, "quoted"' : `Bulk ${i}`, variables: { n: i },
      communications: [{ number: `38050${String(1_000_000 + i)}` }, { number: `38067${String(1_000_000 + i)}`, priority: 5 }],
    }));
    ids = (await api.call('POST', `/api/v2/dialer/${campaignId}/members`, [...members, { name: 'Other', communications: [{ number: '380991234567' }] }])).body.ids;
    const db = api.tdb.db;
    await db('members').where('campaign_id', campaignId).update({ tries: 2, minus_tries: 1 });
    await db('communications').where('campaign_id', campaignId).update({ tries: 1 });
    live = [ids[3]!, ids[600]!, ids[1100]!];
    await db('members').whereIn('id', live.slice(0, 2)).update({ state: 'dialing' });
    await db('members').where('id', live[2]!).update({ state: 'waiting_result' });
    usedUp = [ids[10]!, ids[700]!];
    await db('members').whereIn('id', usedUp).update({ state: 'done', result: 'MAX_TRY_COUNT', tries: 3, ended_at: new Date() });
    succeeded = [ids[11]!];
    await db('members').whereIn('id', succeeded).update({ state: 'done', result: 'NORMAL_CLEARING', ended_at: new Date() });
    // History that goes with a deleted member (M5).
    await db('attempts').insert({ campaign_id: campaignId, member_id: ids[12]!, communication_id: 0, number: '380501000012', state: 'done', created_at: new Date() });
  });
  after(async () => {
    await api?.close();
  });

  it('S2: a bad filter, unknown field or campaign gets a 4xx naming it, and changes nothing', async () => {
    const before = await api.tdb.db('members').sum({ t: 'tries' }).count({ n: '*' }).first();
    const bad = async (method: string, path: string, body: unknown, status: number, field: string) => {
      const r = await api.call(method, path, body);
      expect(r.status, `${method} ${path} ${JSON.stringify(body)}`).to.equal(status);
      expect(r.body.error.message).to.include(field);
    };
    await bad('POST', bulk('reset-tries'), { filter: { state: 'sleeping' } }, 400, 'body.filter.state');
    await bad('POST', bulk('reset-tries'), {}, 400, 'body.filter');
    await bad('POST', bulk('delete'), { filter: { colour: 'red' } }, 400, 'body.filter');
    await bad('POST', bulk('delete'), { filter: {}, all: true }, 400, 'body');
    await bad('POST', bulk('delete'), { filter: { wait: 'forever' } }, 400, 'body.filter.wait');
    await bad('GET', `${bulk('count')}?limit=5`, undefined, 400, 'query');
    await bad('GET', `${bulk('export')}?state=x`, undefined, 400, 'query.state');
    await bad('GET', `${bulk('export')}?sep=%7C`, undefined, 400, 'query.sep');
    await bad('POST', '/api/v2/dialer/999999/members/bulk/delete', { filter: {} }, 404, 'campaign');
    await bad('GET', '/api/v2/dialer/abc/members/bulk/count', undefined, 400, 'params.id');
    const op = await api.loginAs('api');
    expect((await api.call('POST', bulk('delete'), { filter: {} }, op)).status).to.equal(403);
    expect(await api.tdb.db('members').sum({ t: 'tries' }).count({ n: '*' }).first()).to.deep.equal(before);
  });

  it('issue 13 §3: the count says how many match and how many a bulk action would skip', async () => {
    expect((await api.call('GET', `${bulk('count')}?name=Bulk`)).body).to.deep.equal({ matching: N, in_call: 3 });
    expect((await api.call('GET', `${bulk('count')}?state=done`)).body).to.deep.equal({ matching: 3, in_call: 0 });
    expect((await api.call('GET', `${bulk('count')}?number=380501000600`)).body).to.deep.equal({ matching: 1, in_call: 1 });
  });

  it('C5, C7, R1: reset tries clears every count of the matched members (all batches), makes MAX_TRY_COUNT ones ready, and skips those in a call', async () => {
    signals.log.length = 0;
    const r = await api.call('POST', bulk('reset-tries'), { filter: { name: 'Bulk' } });
    expect(r.status).to.equal(200);
    expect(r.body).to.deep.equal({ matched: N, changed: N - 3, skipped_in_call: 3 });
    expect(signals.log).to.deep.equal([`members:${campaignId}`]);
    const db = api.tdb.db;
    const rows = await db('members').where('campaign_id', campaignId).select('id', 'state', 'tries', 'minus_tries', 'result', 'ended_at');
    const byId = new Map(rows.map((m) => [Number(m.id), m]));
    for (const id of live) expect(byId.get(id)).to.deep.include({ tries: 2, minus_tries: 1 });
    for (const id of usedUp) expect(byId.get(id)).to.deep.include({ state: 'ready', tries: 0, minus_tries: 0, result: null, ended_at: null });
    for (const id of succeeded) expect(byId.get(id)).to.deep.include({ state: 'done', tries: 0, result: 'NORMAL_CLEARING' });
    expect(rows.filter((m) => m.tries !== 0).map((m) => Number(m.id)).sort()).to.deep.equal([...live, ids[N]!].sort());
    const commTries = await db('communications').where('campaign_id', campaignId).where('tries', '>', 0).pluck('member_id');
    expect([...new Set(commTries.map(Number))].sort()).to.deep.equal([...live, ids[N]!].sort());
  });

  it('issue 13 §3: export writes the matched members as CSV, numbers in dialling order, in a call or not', async () => {
    const r = await api.call('GET', `${bulk('export')}?name=Bulk`);
    expect(r.status).to.equal(200);
    const text = String(r.body);
    const lines = text.trimEnd().split('\r\n');
    expect(lines[0]).to.equal('member_id,name,priority,state,ready_at,tries,minus_tries,result,ended_at,expire_at,timezone,numbers,variables,created_at');
    expect(lines).to.have.length(N + 1);
    const quoted = lines.find((l) => l.startsWith(`${ids[7]},`))!;
    expect(quoted).to.include(',"Bulk, ""quoted""",0,ready,');
    expect(quoted).to.include(',380671000007 380501000007,"{""n"":7}",');
    expect(lines.find((l) => l.startsWith(`${ids[3]},`))).to.include(',dialing,,2,1,');
    const semi = await api.call('GET', `${bulk('export')}?state=done&sep=%3B`);
    expect(String(semi.body).split('\r\n').slice(0, 3)).to.satisfy((l: string[]) => l[0] === 'sep=;' && l[1]!.startsWith('member_id;name;') && l[2]!.includes(';NORMAL_CLEARING;'));
  });

  it('M5, C7: delete removes the matched members with their numbers and history, skips those in a call, and leaves the rest', async () => {
    signals.log.length = 0;
    const r = await api.call('POST', bulk('delete'), { filter: { name: 'Bulk' } });
    expect(r.body).to.deep.equal({ matched: N, changed: N - 3, skipped_in_call: 3 });
    const db = api.tdb.db;
    expect((await db('members').where('campaign_id', campaignId).pluck('id')).map(Number).sort()).to.deep.equal([...live, ids[N]!].sort());
    expect(await db('attempts').where('member_id', ids[12]!).count({ n: '*' }).first()).to.deep.include({ n: 0 });
    expect(Number((await db('communications').where('campaign_id', campaignId).count({ n: '*' }).first())!.n)).to.equal(2 * 3 + 1);
    expect(signals.log).to.deep.equal([`members:${campaignId}`]);
    // Nothing left to change: no news.
    signals.log.length = 0;
    expect((await api.call('POST', bulk('reset-tries'), { filter: { state: 'dialing' } })).body).to.deep.equal({ matched: 2, changed: 0, skipped_in_call: 2 });
    expect(signals.log).to.deep.equal([]);
  });
});
