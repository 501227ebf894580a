import { expect } from 'chai';
import { startTestApi, type TestApi } from '../helpers/http-api.js';
import { countRows, recordingSignals, seedCampaign } from '../helpers/http-fixtures.js';

describe('REST members and result status (M1, M2, M5, M6, R1)', () => {
  let api: TestApi;
  const signals = recordingSignals();
  let campaignId: number;
  const path = () => `/api/v2/dialer/${campaignId}/members`;

  before(async () => {
    api = await startTestApi('http_members', { signals });
    campaignId = await seedCampaign(api);
  });
  after(async () => {
    await api?.close();
  });

  it('M1: one object adds one member with its fields; the answer has its id', async () => {
    signals.log.length = 0;
    const r = await api.call('POST', path(), {
      name: 'Ivan', priority: 3, expire_at: '2030-01-01T00:00:00Z', timezone: 'Europe/Kyiv', variables: { lang: 'uk' },
      communications: [{ number: '380501110001', priority: 1 }, { number: '380501110002', priority: 5 }],
    });
    expect(r.status).to.equal(201);
    expect(r.body.ids).to.have.length(1);
    expect(signals.log).to.deep.equal([`members:${campaignId}`]);
    const m = await api.call('GET', `${path()}/${r.body.ids[0]}`);
    expect(m.status).to.equal(200);
    expect(m.body).to.deep.include({ name: 'Ivan', priority: 3, expire_at: '2030-01-01T00:00:00.000Z', timezone: 'Europe/Kyiv', state: 'ready', tries: 0, result: null });
    expect(m.body.variables).to.deep.equal({ lang: 'uk' });
    // Higher priority first (M1).
    expect(m.body.communications.map((c: { number: string }) => c.number)).to.deep.equal(['380501110002', '380501110001']);
  });

  it('M6: an array adds every member, ids in input order; autoRun=true runs the campaign', async () => {
    signals.log.length = 0;
    const r = await api.call('POST', `${path()}?autoRun=true`, [
      { name: 'A', communications: [{ number: '380501110010' }] },
      { name: 'B', communications: [{ number: '380501110011' }] },
    ]);
    expect(r.status).to.equal(201);
    expect(r.body.ids).to.have.length(2);
    expect(r.body.ids[0]).to.be.lessThan(r.body.ids[1]);
    const names = await api.tdb.db('members').whereIn('id', r.body.ids).orderBy('id').pluck('name');
    expect(names).to.deep.equal(['A', 'B']);
    expect((await api.call('GET', `/api/v2/dialer/${campaignId}`)).body.state).to.equal('running');
    expect(signals.log).to.deep.equal([`members:${campaignId}`, `campaign:${campaignId}`]);
    await api.call('POST', `/api/v2/dialer/${campaignId}/stop`);
  });

  it('M1/S2: one bad item refuses the whole array with each bad index and reason; nothing is stored', async () => {
    const before = await countRows(api, 'members');
    const commsBefore = await countRows(api, 'communications');
    const r = await api.call('POST', path(), [
      { name: 'ok', communications: [{ number: '380501119999' }] },
      { name: 42, communications: [{ number: '380501119998' }] },
      { name: 'x', communications: [] },
      { name: 'y', communications: [{ number: 'abc' }], priority: 'high' },
    ]);
    expect(r.status).to.equal(400);
    expect(r.body.error.code).to.equal('VALIDATION_FAILED');
    const indexes = [...new Set(r.body.error.details.items.map((i: { index: number }) => i.index))];
    expect(indexes).to.deep.equal([1, 2, 3]);
    expect(r.body.error.message).to.include('item 2: communications: needs at least one number');
    expect(r.body.error.details.items.find((i: { index: number }) => i.index === 1).reason).to.match(/^name: /);
    expect(await countRows(api, 'members')).to.equal(before);
    expect(await countRows(api, 'communications')).to.equal(commsBefore);
  });

  it('M2: a number twice in one request is refused, naming the number; nothing is stored', async () => {
    const before = await countRows(api, 'communications');
    const r = await api.call('POST', path(), [
      { name: 'a', communications: [{ number: '380501112000' }] },
      { name: 'b', communications: [{ number: '380501112000' }] },
    ]);
    expect(r.status).to.equal(400);
    expect(r.body.error.message).to.include('380501112000');
    expect(r.body.error.details.items[0]).to.include({ index: 1, number: '380501112000' });
    const inOne = await api.call('POST', path(), { communications: [{ number: '380501112001' }, { number: '380501112001' }] });
    expect(inOne.status).to.equal(400);
    expect(inOne.body.error.message).to.include('number 380501112001 appears twice');
    expect(await countRows(api, 'communications')).to.equal(before);
  });

  it('M2: a number already in the campaign is refused across requests, naming it', async () => {
    const before = await countRows(api, 'members');
    const r = await api.call('POST', path(), [{ name: 'new', communications: [{ number: '380501113000' }] }, { name: 'again', communications: [{ number: '380501110010' }] }]);
    expect(r.status).to.equal(400);
    expect(r.body.error.message).to.include('number 380501110010 already exists in the campaign');
    expect(r.body.error.details.items).to.deep.equal([{ index: 1, number: '380501110010', reason: 'number 380501110010 already exists in the campaign' }]);
    expect(await countRows(api, 'members')).to.equal(before);
  });

  it('M1/M2/S2: one 400 lists field problems and duplicates together (in the campaign and in the request); nothing is stored', async () => {
    const before = await countRows(api, 'members');
    const commsBefore = await countRows(api, 'communications');
    const r = await api.call('POST', path(), [
      { name: 'taken', communications: [{ number: '380501110010' }] },
      { name: 'bad number', communications: [{ number: 'abc' }] },
      { name: 'first', communications: [{ number: '380501115000' }] },
      { name: 'repeat, bad zone', timezone: 'Mars/Olympus', communications: [{ number: '380501115000' }] },
    ]);
    expect(r.status).to.equal(400);
    expect(r.body.error.code).to.equal('VALIDATION_FAILED');
    const items = r.body.error.details.items as { index: number; reason: string; number?: string }[];
    expect(items.map((i) => i.index)).to.deep.equal([0, 1, 3, 3]);
    expect(items[0]).to.deep.equal({ index: 0, number: '380501110010', reason: 'number 380501110010 already exists in the campaign' });
    expect(items[1]!.reason).to.match(/^communications\.0\.number: must be 3\.\.32 characters/);
    expect(items.slice(2).map((i) => i.reason)).to.have.members(['timezone: is not a known IANA time zone', 'number 380501115000 is also in item 2']);
    expect(r.body.error.message).to.match(/^4 member\(s\) refused, nothing stored: item 0: number 380501110010 already exists in the campaign; item 1: communications\.0\.number: /);
    expect(await countRows(api, 'members')).to.equal(before);
    expect(await countRows(api, 'communications')).to.equal(commsBefore);
  });

  it('S2: unknown campaign is 404; a body that is no member is 400', async () => {
    const before = await countRows(api, 'members');
    const r = await api.call('POST', '/api/v2/dialer/9999/members', { communications: [{ number: '380501114000' }] });
    expect(r.status).to.equal(404);
    expect(r.body.error.message).to.equal('campaign 9999 not found');
    const s = await api.call('POST', path(), []);
    expect(s.status).to.equal(400);
    expect(s.body.error.message).to.equal('body is an empty array: no members to add');
    expect(await countRows(api, 'members')).to.equal(before);
  });

  it('M5: list filters by state, result, number and name, and pages by keyset', async () => {
    const all = await api.call('GET', path());
    expect(all.status).to.equal(200);
    expect(all.body.items).to.have.length(3);
    expect(all.body.next_after).to.equal(null);
    const p1 = await api.call('GET', `${path()}?limit=2`);
    expect(p1.body.items).to.have.length(2);
    const p2 = await api.call('GET', `${path()}?limit=2&after=${p1.body.next_after}`);
    expect(p2.body.items).to.have.length(1);
    expect(p2.body.next_after).to.equal(null);
    expect([...p1.body.items, ...p2.body.items].map((m: { id: number }) => m.id)).to.deep.equal(all.body.items.map((m: { id: number }) => m.id));
    const byNumber = await api.call('GET', `${path()}?number=380501110002`);
    expect(byNumber.body.items.map((m: { name: string }) => m.name)).to.deep.equal(['Ivan']);
    expect((await api.call('GET', `${path()}?name=I`)).body.items).to.have.length(1);
    await api.tdb.db('members').where({ name: 'A' }).update({ state: 'done', result: 'MAX_TRY_COUNT' });
    const done = await api.call('GET', `${path()}?state=done&result=MAX_TRY_COUNT`);
    expect(done.body.items.map((m: { name: string }) => m.name)).to.deep.equal(['A']);
    const stats = await api.call('GET', `/api/v2/dialer/${campaignId}/stats`);
    expect(stats.body.members).to.deep.include({ done: 1, ready: 2, total: 3 });
    expect(stats.body.results).to.deep.equal({ MAX_TRY_COUNT: 1 });
    const bad = await api.call('GET', `${path()}?limit=5000`);
    expect(bad.status).to.equal(400);
    expect(bad.body.error.message).to.include('query.limit');
  });

  it('M1: PUT changes fields and numbers; numbers kept keep their tries', async () => {
    const ivan = (await api.call('GET', `${path()}?name=Ivan`)).body.items[0];
    await api.tdb.db('communications').where({ number: '380501110001' }).update({ tries: 2 });
    const r = await api.call('PUT', `${path()}/${ivan.id}`, {
      priority: 9, communications: [{ number: '380501110001', priority: 7 }, { number: '380501115555', priority: 0 }],
    });
    expect(r.status).to.equal(200);
    expect(r.body).to.deep.include({ name: 'Ivan', priority: 9, timezone: 'Europe/Kyiv' });
    expect(r.body.communications.map((c: { number: string; tries: number }) => [c.number, c.tries])).to.deep.equal([
      ['380501110001', 2], ['380501115555', 0],
    ]);
    expect(await api.tdb.db('communications').where({ number: '380501110002' }).first()).to.equal(undefined);
  });

  it('M2/S2: PUT with a number of another member is 409 naming it; bad types are 400; nothing changes', async () => {
    const ivan = (await api.call('GET', `${path()}?name=Ivan`)).body.items[0];
    const r = await api.call('PUT', `${path()}/${ivan.id}`, { communications: [{ number: '380501110011' }] });
    expect(r.status).to.equal(409);
    expect(r.body.error.message).to.include('number 380501110011 already belongs to another member');
    const t = await api.call('PUT', `${path()}/${ivan.id}`, { timezone: 'Nowhere/City', priority: 1.5, expire_at: 'soon' });
    expect(t.status).to.equal(400);
    expect(t.body.error.code).to.equal('VALIDATION_FAILED');
    const paths = t.body.error.details.issues.map((i: { path: string }) => i.path);
    expect(paths).to.have.members(['body.priority', 'body.timezone', 'body.expire_at']);
    expect(t.body.error.message).to.include('body.priority: ').and.include('body.timezone: is not a known IANA time zone')
      .and.include('body.expire_at: "soon" is not an ISO-8601 date-time');
    const notObject = await api.call('PUT', `${path()}/${ivan.id}`, ['name']);
    expect(notObject.status).to.equal(400);
    expect(notObject.body.error.message).to.match(/^body: /);
    const after = (await api.call('GET', `${path()}/${ivan.id}`)).body;
    expect(after.priority).to.equal(9);
    expect(after.communications.map((c: { number: string }) => c.number)).to.deep.equal(['380501110001', '380501115555']);
  });

  it('M1: a member being dialled cannot be changed or deleted (409)', async () => {
    const b = (await api.call('GET', `${path()}?name=B`)).body.items[0];
    await api.tdb.db('members').where({ id: b.id }).update({ state: 'dialing' });
    const put = await api.call('PUT', `${path()}/${b.id}`, { name: 'changed' });
    expect(put.status).to.equal(409);
    expect(put.body.error.message).to.include('is being dialled');
    const del = await api.call('DELETE', `${path()}/${b.id}`);
    expect(del.status).to.equal(409);
    const still = (await api.call('GET', `${path()}/${b.id}`)).body;
    expect(still.name).to.equal('B');
    await api.tdb.db('members').where({ id: b.id }).update({ state: 'ready' });
  });

  it('M5: attempts history lists every attempt of the member', async () => {
    const b = (await api.call('GET', `${path()}?name=B`)).body.items[0];
    const comm = b.communications[0];
    await api.tdb.db('attempts').insert([
      { campaign_id: campaignId, member_id: b.id, communication_id: comm.id, number: comm.number, state: 'done', created_at: new Date('2026-11-25T10:00:00Z'), hangup_cause: 'NO_ANSWER', outcome: 'retry' },
      { campaign_id: campaignId, member_id: b.id, communication_id: comm.id, number: comm.number, state: 'done', created_at: new Date('2026-11-25T10:10:00Z'), hangup_cause: 'NORMAL_CLEARING', talk_sec: 42, outcome: 'success' },
    ]);
    const r = await api.call('GET', `${path()}/${b.id}/attempts`);
    expect(r.status).to.equal(200);
    expect(r.body.map((a: { hangup_cause: string }) => a.hangup_cause)).to.deep.equal(['NO_ANSWER', 'NORMAL_CLEARING']);
    expect(r.body[1]).to.include({ talk_sec: 42, outcome: 'success', number: comm.number, created_at: '2026-11-25T10:10:00.000Z' });
    expect((await api.call('GET', `${path()}/987654/attempts`)).status).to.equal(404);
  });

  it('R1: a result status is stored on the latest attempt with its comment; api role may send it', async () => {
    const b = (await api.call('GET', `${path()}?name=B`)).body.items[0];
    const apiUser = await api.loginAs('api');
    const body = { success: false, next_after_sec: 3600, stop_communications: 'all', comment: 'call back tomorrow' };
    const r = await api.call('PUT', `${path()}/${b.id}/status`, body, apiUser);
    expect(r.status).to.equal(200);
    expect(r.body.id).to.equal(b.id);
    const last = await api.tdb.db('attempts').where({ member_id: b.id }).orderBy('id', 'desc').first();
    const stored = typeof last.result_status === 'string' ? JSON.parse(last.result_status) : last.result_status;
    expect(stored).to.deep.equal(body);
    expect(last.comment).to.equal('call back tomorrow');
  });

  it('R1/R2/S2: bad bodies are 400, unknown members 404, a different status for a finished member 409', async () => {
    const b = (await api.call('GET', `${path()}?name=B`)).body.items[0];
    const snapshot = async () => ({
      member: await api.tdb.db('members').where({ id: b.id }).first(),
      attempts: await api.tdb.db('attempts').where({ member_id: b.id }).orderBy('id'),
      communications: await api.tdb.db('communications').where({ member_id: b.id }).orderBy('id'),
    });
    const before = await snapshot();
    const bad = await api.call('PUT', `${path()}/${b.id}/status`, { success: 'yes', next_after_sec: -1, stop_communications: 'some' });
    expect(bad.status).to.equal(400);
    expect(bad.body.error.code).to.equal('VALIDATION_FAILED');
    const paths = bad.body.error.details.issues.map((i: { path: string }) => i.path);
    expect(paths).to.include.members(['body.success', 'body.next_after_sec', 'body.stop_communications']);
    expect(bad.body.error.message).to.match(/^body\.success: /);
    const missing = await api.call('PUT', `${path()}/${b.id}/status`, { comment: 'no success field' });
    expect(missing.status).to.equal(400);
    expect(missing.body.error.message).to.include('body.success');
    const unknown = await api.call('PUT', `${path()}/99999/status`, { success: true });
    expect(unknown.status).to.equal(404);
    expect(unknown.body.error.message).to.equal('member 99999 not found');
    expect(await snapshot(), 'the refused statuses changed nothing').to.deep.equal(before);
    await api.tdb.db('members').where({ id: b.id }).update({ state: 'done', result: 'NORMAL_CLEARING' });
    const late = await api.call('PUT', `${path()}/${b.id}/status`, { success: true });
    expect(late.status).to.equal(409);
    expect(late.body.error.message).to.equal('member already finished with result NORMAL_CLEARING');
    const same = await api.call('PUT', `${path()}/${b.id}/status`, { success: false, next_after_sec: 3600, stop_communications: 'all', comment: 'call back tomorrow' });
    expect(same.status).to.equal(200);
    const last = await api.tdb.db('attempts').where({ member_id: b.id }).orderBy('id', 'desc').first('comment');
    expect(last.comment).to.equal('call back tomorrow');
  });

  it('M1: DELETE removes the member with its numbers and history', async () => {
    const b = (await api.call('GET', `${path()}?name=B`)).body.items[0];
    expect((await api.call('DELETE', `${path()}/${b.id}`)).status).to.equal(204);
    expect((await api.call('GET', `${path()}/${b.id}`)).status).to.equal(404);
    expect(await api.tdb.db('attempts').where({ member_id: b.id }).first()).to.equal(undefined);
    expect(await api.tdb.db('communications').where({ member_id: b.id }).first()).to.equal(undefined);
    // The number is free again (M2).
    const again = await api.call('POST', path(), { communications: [{ number: b.communications[0].number }] });
    expect(again.status).to.equal(201);
  });
});
