import { expect } from 'chai';
import { DEFAULT_CAUSES } from '../../src/domain/cause-policy.js';
import { startTestApi, type TestApi } from '../helpers/http-api.js';
import { CALENDAR, countRows, recordingSignals } from '../helpers/http-fixtures.js';

describe('REST calendars, line groups, campaigns, agents, tiers, DNC', () => {
  let api: TestApi;
  const signals = recordingSignals();
  let calendarId: number;
  let lineGroupId: number;
  let campaignId: number;
  let agentId: number;

  before(async () => {
    api = await startTestApi('http_catalog', { signals });
  });
  after(async () => {
    await api?.close();
  });

  describe('calendars (K1)', () => {
    it('K1: create, get, list, update and delete a calendar', async () => {
      const c = await api.call('POST', '/api/v2/calendars', { ...CALENDAR, start_at: '2026-01-01T00:00:00+02:00' });
      expect(c.status).to.equal(201);
      expect(c.body).to.deep.include({ name: 'Office hours', timezone: 'Europe/Kyiv', start_at: '2025-12-31T22:00:00.000Z', end_at: null });
      expect(c.body.windows).to.deep.equal(CALENDAR.windows);
      expect(c.body.holidays).to.deep.equal(CALENDAR.holidays);
      calendarId = c.body.id;
      expect((await api.call('GET', `/api/v2/calendars/${calendarId}`)).body).to.deep.equal(c.body);
      const u = await api.call('PUT', `/api/v2/calendars/${calendarId}`, { name: 'Renamed', holidays: [] });
      expect(u.status).to.equal(200);
      expect(u.body).to.deep.include({ name: 'Renamed', timezone: 'Europe/Kyiv' });
      expect(u.body.holidays).to.deep.equal([]);
      expect(u.body.windows).to.deep.equal(CALENDAR.windows);
      const other = await api.call('POST', '/api/v2/calendars', { name: 'tmp', timezone: 'UTC' });
      expect((await api.call('GET', '/api/v2/calendars')).body.map((x: { id: number }) => x.id)).to.deep.equal([calendarId, other.body.id]);
      expect((await api.call('DELETE', `/api/v2/calendars/${other.body.id}`)).status).to.equal(204);
      expect((await api.call('GET', `/api/v2/calendars/${other.body.id}`)).status).to.equal(404);
    });

    it('K1/S2: bad windows, zones and dates get 400 naming each field, and nothing is stored', async () => {
      const before = await countRows(api, 'calendars');
      const r = await api.call('POST', '/api/v2/calendars', {
        name: 'bad',
        timezone: 'Mars/Olympus',
        windows: [{ day: 7, start: '09:00', end: '08:00' }, { day: 1, start: '25:00', end: '24:00' }],
        holidays: [{ date: '2026-02-30' }],
      });
      expect(r.status).to.equal(400);
      expect(r.body.error.code).to.equal('VALIDATION_FAILED');
      const paths = r.body.error.details.issues.map((i: { path: string }) => i.path);
      expect(paths).to.include.members(['body.timezone', 'body.windows.0.day', 'body.windows.1.start', 'body.holidays.0.date']);
      expect(r.body.error.message).to.include('body.timezone: not a known IANA time zone');
      const order = await api.call('POST', '/api/v2/calendars', { name: 'x', timezone: 'UTC', windows: [{ day: 1, start: '10:00', end: '09:00' }] });
      expect(order.status).to.equal(400);
      expect(order.body.error.message).to.equal('body.windows.0.end: end must be after start');
      const range = await api.call('PUT', `/api/v2/calendars/${calendarId}`, { end_at: '2025-01-01T00:00:00Z' });
      expect(range.status).to.equal(400);
      expect(range.body.error.message).to.include('end_at must be after start_at');
      expect(await countRows(api, 'calendars')).to.equal(before);
      expect((await api.call('GET', `/api/v2/calendars/${calendarId}`)).body.end_at).to.equal(null);
    });
  });

  describe('line groups (C3)', () => {
    it('C3: create, update, get, list a line group; a duplicate name is 409', async () => {
      const g = await api.call('POST', '/api/v2/line-groups', { name: 'trunk-a', capacity: 30 });
      expect(g.status).to.equal(201);
      expect(g.body).to.include({ name: 'trunk-a', capacity: 30 });
      lineGroupId = g.body.id;
      const u = await api.call('PUT', `/api/v2/line-groups/${lineGroupId}`, { capacity: 40 });
      expect(u.body.capacity).to.equal(40);
      expect((await api.call('GET', `/api/v2/line-groups/${lineGroupId}`)).body.capacity).to.equal(40);
      const dup = await api.call('POST', '/api/v2/line-groups', { name: 'trunk-a', capacity: 1 });
      expect(dup.status).to.equal(409);
      expect(dup.body.error.message).to.equal('a line group named "trunk-a" exists');
      const wrong = await api.call('POST', '/api/v2/line-groups', { name: 'b', capacity: '10' });
      expect(wrong.status).to.equal(400);
      expect(wrong.body.error.message).to.include('body.capacity');
      expect((await api.call('GET', '/api/v2/line-groups')).body).to.have.length(1);
    });
  });

  describe('campaigns (C1, C9, C10)', () => {
    it('C1/C9: create with every field; GET shows the effective cause table with the overrides', async () => {
      const before = signals.log.length;
      const c = await api.call('POST', '/api/v2/dialer', {
        name: 'Sales', type: 'progressive', calendar_id: calendarId, priority: 5, limit: 10, retry_wait_sec: 120, max_tries: 4,
        min_success_sec: 15, wait_result: true, wrapup_sec: 30, variables: { product: 'gold', vip: true },
        causes: { USER_BUSY: 'minus', CUSTOM_CAUSE: 'error' }, line_group_id: lineGroupId,
      });
      expect(c.status).to.equal(201);
      campaignId = c.body.id;
      expect(c.body).to.deep.include({
        name: 'Sales', type: 'progressive', calendar_id: calendarId, priority: 5, limit: 10, retry_wait_sec: 120, max_tries: 4,
        min_success_sec: 15, wait_result: true, wrapup_sec: 30, line_group_id: lineGroupId, state: 'idle',
      });
      expect(c.body.variables).to.deep.equal({ product: 'gold', vip: true });
      expect(c.body.causes).to.deep.equal({ ...DEFAULT_CAUSES, USER_BUSY: 'minus', CUSTOM_CAUSE: 'error' });
      const row = await api.tdb.db('campaigns').where({ id: campaignId }).first('causes', 'call_limit');
      expect(typeof row.causes === 'string' ? JSON.parse(row.causes) : row.causes).to.deep.equal({ USER_BUSY: 'minus', CUSTOM_CAUSE: 'error' });
      expect(row.call_limit).to.equal(10);
      expect(signals.log.slice(before)).to.deep.equal([`campaign:${campaignId}`]);
    });

    it('C9/S2: a bad cause class or cause name is 400 and changes nothing', async () => {
      const r = await api.call('PUT', `/api/v2/dialer/${campaignId}`, { causes: { USER_BUSY: 'maybe', 'bad name': 'ok' } });
      expect(r.status).to.equal(400);
      const paths = r.body.error.details.issues.map((i: { path: string }) => i.path);
      expect(paths.some((p: string) => p.startsWith('body.causes'))).to.equal(true);
      expect((await api.call('GET', `/api/v2/dialer/${campaignId}`)).body.causes.USER_BUSY).to.equal('minus');
    });

    it('C1: PUT changes the fields given, bumps the version and replaces the overrides', async () => {
      const before = (await api.call('GET', `/api/v2/dialer/${campaignId}`)).body;
      const u = await api.call('PUT', `/api/v2/dialer/${campaignId}`, { limit: 3, causes: { NO_ANSWER: 'error' } });
      expect(u.status).to.equal(200);
      expect(u.body.limit).to.equal(3);
      expect(u.body.priority).to.equal(5);
      expect(u.body.version).to.equal(before.version + 1);
      expect(u.body.causes.NO_ANSWER).to.equal('error');
      expect(u.body.causes.USER_BUSY).to.equal(DEFAULT_CAUSES.USER_BUSY);
    });

    it('C9/S2: max_minus_attempts defaults to 10, is set by POST and PUT, is in the OpenAPI document, and a bad value is 400 naming it', async () => {
      const created = await api.call('POST', '/api/v2/dialer', { name: 'Minus ceiling', calendar_id: calendarId, limit: 1 });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      expect(created.body.max_minus_attempts).to.equal(10);
      const id = created.body.id;
      const set = await api.call('PUT', `/api/v2/dialer/${id}`, { max_minus_attempts: 4 });
      expect(set.status).to.equal(200);
      expect(set.body.max_minus_attempts).to.equal(4);
      for (const bad of [0, -1, 1.5, '3', null, 1001]) {
        const before = await countRows(api, 'campaigns');
        const post = await api.call('POST', '/api/v2/dialer', { name: `bad ${String(bad)}`, calendar_id: calendarId, limit: 1, max_minus_attempts: bad });
        expect(post.status, `POST ${String(bad)}`).to.equal(400);
        expect(post.body.error.message).to.contain('body.max_minus_attempts');
        expect(await countRows(api, 'campaigns')).to.equal(before);
        const put = await api.call('PUT', `/api/v2/dialer/${id}`, { max_minus_attempts: bad });
        expect(put.status, `PUT ${String(bad)}`).to.equal(400);
        expect(put.body.error.message).to.contain('body.max_minus_attempts');
      }
      expect((await api.call('GET', `/api/v2/dialer/${id}`)).body.max_minus_attempts).to.equal(4);
      const doc = (await api.call('GET', '/api/openapi.json', undefined, null)).body;
      const create = doc.paths['/api/v2/dialer'].post.requestBody.content['application/json'].schema;
      expect(create.properties.max_minus_attempts).to.include({ type: 'integer', minimum: 1, default: 10 });
      expect(doc.paths['/api/v2/dialer/{id}'].put.requestBody.content['application/json'].schema.properties).to.have.property('max_minus_attempts');
      expect(await api.call('DELETE', `/api/v2/dialer/${id}`)).to.have.property('status', 204);
    });

    it('C1/S2: an unknown calendar or line group is 400; an unknown campaign is 404', async () => {
      const n = await countRows(api, 'campaigns');
      const r = await api.call('POST', '/api/v2/dialer', { name: 'x', calendar_id: 9999, limit: 1 });
      expect(r.status).to.equal(400);
      expect(r.body.error.message).to.equal('calendar 9999 not found');
      const g = await api.call('POST', '/api/v2/dialer', { name: 'x', calendar_id: calendarId, limit: 1, line_group_id: 777 });
      expect(g.body.error.message).to.equal('line group 777 not found');
      const t = await api.call('POST', '/api/v2/dialer', { name: 'x', calendar_id: calendarId, limit: 1, type: 'blended' });
      expect(t.status).to.equal(400);
      expect(t.body.error.details.issues[0].path).to.equal('body.type');
      expect(await countRows(api, 'campaigns')).to.equal(n);
      for (const [m, p] of [['GET', '/api/v2/dialer/4242'], ['PUT', '/api/v2/dialer/4242'], ['DELETE', '/api/v2/dialer/4242'],
        ['POST', '/api/v2/dialer/4242/run'], ['GET', '/api/v2/dialer/4242/stats']] as const) {
        const x = await api.call(m, p, m === 'PUT' ? { limit: 2 } : undefined);
        expect(x.status, `${m} ${p}`).to.equal(404);
        expect(x.body.error).to.include({ code: 'NOT_FOUND', message: 'campaign 4242 not found' });
      }
      const bad = await api.call('GET', '/api/v2/dialer/abc');
      expect(bad.status).to.equal(400);
      expect(bad.body.error.message).to.include('params.id');
    });

    it('C10: run and stop change the state and the version; a running campaign cannot be deleted', async () => {
      signals.log.length = 0;
      const run = await api.call('POST', `/api/v2/dialer/${campaignId}/run`);
      expect(run.status).to.equal(200);
      expect(run.body.state).to.equal('running');
      expect(signals.log).to.deep.equal([`campaign:${campaignId}`]);
      const del = await api.call('DELETE', `/api/v2/dialer/${campaignId}`);
      expect(del.status).to.equal(409);
      expect(del.body.error.message).to.include('is running');
      const stop = await api.call('POST', `/api/v2/dialer/${campaignId}/stop`);
      expect(stop.status).to.equal(200);
      expect(stop.body.state).to.equal('stopped'); // no live attempts
      expect(stop.body.version).to.equal(run.body.version + 1);
      const again = await api.call('POST', `/api/v2/dialer/${campaignId}/run`);
      expect(again.body.state).to.equal('running');
      await api.call('POST', `/api/v2/dialer/${campaignId}/stop`);
    });

    it('C10: stop of an idle campaign is 409; stop with a live call leaves it stopping', async () => {
      const idle = await api.call('POST', '/api/v2/dialer', { name: 'idle', calendar_id: calendarId, limit: 1 });
      const r = await api.call('POST', `/api/v2/dialer/${idle.body.id}/stop`);
      expect(r.status).to.equal(409);
      expect(r.body.error.message).to.equal('cannot stop a campaign that is idle');
      expect((await api.call('GET', `/api/v2/dialer/${idle.body.id}`)).body.state).to.equal('idle');

      await api.call('POST', `/api/v2/dialer/${idle.body.id}/members`, { communications: [{ number: '1000001' }] });
      await api.call('POST', `/api/v2/dialer/${idle.body.id}/run`);
      const m = await api.tdb.db('members').where({ campaign_id: idle.body.id }).first('id');
      const comm = await api.tdb.db('communications').where({ member_id: m.id }).first('id');
      await api.tdb.db('attempts').insert({ campaign_id: idle.body.id, member_id: m.id, communication_id: comm.id, number: '1000001',
        created_at: new Date(), active_member: m.id, live_campaign: idle.body.id });
      const stop = await api.call('POST', `/api/v2/dialer/${idle.body.id}/stop`);
      expect(stop.body.state).to.equal('stopping');
      const stats = await api.call('GET', `/api/v2/dialer/${idle.body.id}/stats`);
      expect(stats.body).to.deep.include({ live_calls: 1, attempts: 1 });
      expect(stats.body.members).to.deep.equal({ ready: 1, dialing: 0, waiting_result: 0, done: 0, total: 1 });
      expect((await api.call('DELETE', `/api/v2/dialer/${idle.body.id}`)).status).to.equal(409);
    });

    it('C1: delete a stopped campaign; the calendar in use cannot be deleted', async () => {
      const c = await api.call('POST', '/api/v2/dialer', { name: 'tmp', calendar_id: calendarId, limit: 1 });
      const inUse = await api.call('DELETE', `/api/v2/calendars/${calendarId}`);
      expect(inUse.status).to.equal(409);
      expect(inUse.body.error.message).to.equal(`calendar ${calendarId} is used by a campaign`);
      expect((await api.call('DELETE', `/api/v2/dialer/${c.body.id}`)).status).to.equal(204);
      expect((await api.call('GET', `/api/v2/dialer/${c.body.id}`)).status).to.equal(404);
      const list = await api.call('GET', '/api/v2/dialer');
      expect(list.body.map((x: { id: number }) => x.id)).to.include(campaignId);
    });
  });

  describe('agents and tiers (A1, A5)', () => {
    it('A1: an agent starts Logged Out and Waiting; PUT changes its fields', async () => {
      signals.log.length = 0;
      const a = await api.call('POST', '/api/v2/agents', { name: 'Anna', sip_user: '1001@pbx.local', call_timeout: 20 });
      expect(a.status).to.equal(201);
      expect(a.body).to.include({ name: 'Anna', sip_user: '1001@pbx.local', call_timeout: 20, status: 'Logged Out', state: 'Waiting',
        wrapup_sec: 10, max_no_answer: 3 });
      agentId = a.body.id;
      expect(signals.log).to.deep.equal([`agent:${agentId}`]);
      expect(a.body.registered_node).to.equal(null);
      await api.tdb.db('registrations').insert({ sip_user: '1001@pbx.local', node: '10.0.0.5:8021', contact: 'sip:1001@10.0.0.9' });
      expect((await api.call('GET', `/api/v2/agents/${agentId}`)).body.registered_node).to.equal('10.0.0.5:8021');
      const u = await api.call('PUT', `/api/v2/agents/${agentId}`, { wrapup_sec: 5 });
      expect(u.body.wrapup_sec).to.equal(5);
      const dup = await api.call('POST', '/api/v2/agents', { name: 'B', sip_user: '1001@pbx.local' });
      expect(dup.status).to.equal(409);
      expect(dup.body.error.message).to.equal('SIP user "1001@pbx.local" belongs to another agent');
      expect(await countRows(api, 'agents')).to.equal(1);
    });

    it('A5: status Available resets the no-answer count and bumps the version; a bad status is 400', async () => {
      await api.tdb.db('agents').where({ id: agentId }).update({ status: 'On Break', no_answer_count: 3 });
      const before = (await api.call('GET', `/api/v2/agents/${agentId}`)).body;
      const r = await api.call('PUT', `/api/v2/agents/${agentId}/status`, { status: 'Available' });
      expect(r.status).to.equal(200);
      expect(r.body).to.include({ status: 'Available', no_answer_count: 0, version: before.version + 1 });
      const bad = await api.call('PUT', `/api/v2/agents/${agentId}/status`, { status: 'Sleeping' });
      expect(bad.status).to.equal(400);
      expect(bad.body.error.message).to.include('body.status');
      expect((await api.call('GET', `/api/v2/agents/${agentId}`)).body.status).to.equal('Available');
      expect((await api.call('PUT', '/api/v2/agents/999/status', { status: 'On Break' })).status).to.equal(404);
      expect((await api.call('GET', '/api/v2/agents')).body).to.have.length(1);
    });

    it('A1: tiers add an agent with a level, change it and remove it', async () => {
      const add = await api.call('POST', `/api/v2/dialer/${campaignId}/tiers`, { agent_id: agentId, level: 2 });
      expect(add.status).to.equal(201);
      expect(add.body).to.include({ campaign_id: campaignId, agent_id: agentId, level: 2, agent_name: 'Anna' });
      const again = await api.call('POST', `/api/v2/dialer/${campaignId}/tiers`, { agent_id: agentId, level: 3 });
      expect(again.status).to.equal(200);
      expect(again.body.level).to.equal(3);
      const put = await api.call('PUT', `/api/v2/dialer/${campaignId}/tiers/${agentId}`, { level: 1 });
      expect(put.body.level).to.equal(1);
      expect((await api.call('GET', `/api/v2/dialer/${campaignId}/tiers`)).body).to.have.length(1);
      const mine = await api.call('GET', `/api/v2/agents/${agentId}/tiers`);
      expect(mine.status).to.equal(200);
      expect(mine.body).to.have.length(1);
      expect(mine.body[0]).to.include({ campaign_id: campaignId, level: 1 });
      expect(mine.body[0].campaign_name).to.be.a('string');
      const unknownAgent = await api.call('GET', '/api/v2/agents/555/tiers');
      expect(unknownAgent.status).to.equal(404);
      expect(unknownAgent.body.error.message).to.equal('agent 555 not found');
      const noAgent = await api.call('POST', `/api/v2/dialer/${campaignId}/tiers`, { agent_id: 555 });
      expect(noAgent.status).to.equal(404);
      expect(noAgent.body.error.message).to.equal('agent 555 not found');
      expect((await api.call('DELETE', `/api/v2/dialer/${campaignId}/tiers/${agentId}`)).status).to.equal(204);
      expect((await api.call('DELETE', `/api/v2/dialer/${campaignId}/tiers/${agentId}`)).status).to.equal(404);
      expect(await countRows(api, 'tiers')).to.equal(0);
    });

    it('A1: delete an agent', async () => {
      const a = await api.call('POST', '/api/v2/agents', { name: 'Tmp', sip_user: '1009' });
      expect((await api.call('DELETE', `/api/v2/agents/${a.body.id}`)).status).to.equal(204);
      expect((await api.call('GET', `/api/v2/agents/${a.body.id}`)).status).to.equal(404);
    });
  });

  describe('do-not-call lists', () => {
    it('S2: global and campaign DNC numbers: add, list, duplicate 409, remove', async () => {
      const g = await api.call('POST', '/api/v2/dnc', { number: '+380501234567' });
      expect(g.status).to.equal(201);
      expect(g.body).to.include({ number: '+380501234567', campaign_id: null });
      const c = await api.call('POST', `/api/v2/dialer/${campaignId}/dnc`, { number: '+380501234567' });
      expect(c.status).to.equal(201);
      expect(c.body.campaign_id).to.equal(campaignId);
      const dup = await api.call('POST', '/api/v2/dnc', { number: '+380501234567' });
      expect(dup.status).to.equal(409);
      expect(dup.body.error.message).to.equal('number +380501234567 is already on the global do-not-call list');
      expect((await api.call('GET', '/api/v2/dnc')).body.items).to.have.length(1);
      expect((await api.call('GET', `/api/v2/dialer/${campaignId}/dnc`)).body.items).to.have.length(1);
      const bad = await api.call('POST', '/api/v2/dnc', { number: 'call me' });
      expect(bad.status).to.equal(400);
      expect(await countRows(api, 'dnc')).to.equal(2);
      expect((await api.call('GET', '/api/v2/dialer/999/dnc')).status).to.equal(404);
      expect((await api.call('DELETE', `/api/v2/dnc/${encodeURIComponent('+380501234567')}`)).status).to.equal(204);
      expect((await api.call('GET', '/api/v2/dnc')).body.items).to.have.length(0);
      expect((await api.call('GET', `/api/v2/dialer/${campaignId}/dnc`)).body.items).to.have.length(1);
    });

    it('S2: a campaign DNC number is removed from that campaign only; a number not listed is 404 naming it', async () => {
      await api.call('POST', '/api/v2/dnc', { number: '380671112233' });
      const other = await api.call('POST', '/api/v2/dialer', { name: 'dnc-other', calendar_id: calendarId, limit: 1 });
      for (const id of [campaignId, other.body.id]) {
        expect((await api.call('POST', `/api/v2/dialer/${id}/dnc`, { number: '380671112233' })).status).to.equal(201);
      }
      const del = await api.call('DELETE', `/api/v2/dialer/${campaignId}/dnc/380671112233`);
      expect(del.status).to.equal(204);
      const numbers = async (path: string) => (await api.call('GET', path)).body.items.map((i: { number: string }) => i.number);
      expect(await numbers(`/api/v2/dialer/${campaignId}/dnc`)).to.deep.equal(['+380501234567']);
      expect(await numbers(`/api/v2/dialer/${other.body.id}/dnc`)).to.deep.equal(['380671112233']);
      expect(await numbers('/api/v2/dnc')).to.deep.equal(['380671112233']);
      const before = await countRows(api, 'dnc');
      const again = await api.call('DELETE', `/api/v2/dialer/${campaignId}/dnc/380671112233`);
      expect(again.status).to.equal(404);
      expect(again.body.error).to.include({ code: 'NOT_FOUND', message: 'do-not-call number 380671112233 not found' });
      expect(again.body.error.details).to.deep.equal({ number: '380671112233' });
      const unknown = await api.call('DELETE', '/api/v2/dialer/4242/dnc/380671112233');
      expect(unknown.status).to.equal(404);
      expect(unknown.body.error.message).to.equal('campaign 4242 not found');
      const globalAgain = await api.call('DELETE', `/api/v2/dnc/${encodeURIComponent('+380501234567')}`);
      expect(globalAgain.status).to.equal(404);
      expect(globalAgain.body.error.message).to.equal('do-not-call number +380501234567 not found');
      expect(await countRows(api, 'dnc')).to.equal(before);
    });
  });

  describe('line group deletion (C3)', () => {
    it('C3: DELETE removes an unused line group; one a campaign uses is 409 and stays; an unknown one is 404', async () => {
      const spare = await api.call('POST', '/api/v2/line-groups', { name: 'trunk-spare', capacity: 2 });
      expect(spare.status).to.equal(201);
      const del = await api.call('DELETE', `/api/v2/line-groups/${spare.body.id}`);
      expect(del.status).to.equal(204);
      expect(del.body).to.equal(undefined);
      expect((await api.call('GET', `/api/v2/line-groups/${spare.body.id}`)).status).to.equal(404);
      expect((await api.call('GET', '/api/v2/line-groups')).body.map((g: { id: number }) => g.id)).to.deep.equal([lineGroupId]);
      const inUse = await api.call('DELETE', `/api/v2/line-groups/${lineGroupId}`);
      expect(inUse.status).to.equal(409);
      expect(inUse.body.error).to.include({ code: 'CONFLICT', message: `line group ${lineGroupId} is used by a campaign` });
      expect((await api.call('GET', `/api/v2/line-groups/${lineGroupId}`)).body).to.include({ name: 'trunk-a', capacity: 40 });
      const gone = await api.call('DELETE', `/api/v2/line-groups/${spare.body.id}`);
      expect(gone.status).to.equal(404);
      expect(gone.body.error.message).to.equal(`line group ${spare.body.id} not found`);
      expect(await countRows(api, 'line_groups')).to.equal(1);
    });
  });
});
