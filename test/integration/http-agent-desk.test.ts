import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { expect } from 'chai';
import { webClient } from '../../src/adapters/http/web-routes.js';
import { httpClient, type Credentials } from '../helpers/http-client.js';
import { startTestApi, type TestApi } from '../helpers/http-api.js';
import { recordingSignals, seedCampaign } from '../helpers/http-fixtures.js';

/** An agent record and a user of role agent acting as it, logged in. */
async function agentUser(api: TestApi, name: string): Promise<{ agentId: number; userId: number; auth: Credentials }> {
  const a = await api.call('POST', '/api/v2/agents', { name, sip_user: `${name}@test` });
  expect(a.status, JSON.stringify(a.body)).to.equal(201);
  const password = `${name}-password-1`;
  const u = await api.call('POST', '/api/v2/users', { username: name, password, role: 'agent', agent_id: a.body.id });
  expect(u.status, JSON.stringify(u.body)).to.equal(201);
  return { agentId: a.body.id, userId: u.body.id, auth: await httpClient(api.url).login(name, password) };
}

let numbers = 5550100;

/** A member of the campaign (its own number) and attempts of it, oldest first, as the engine leaves them. */
async function seedCall(api: TestApi, campaignId: number, attempts: Record<string, unknown>[], member: Record<string, unknown> = {}) {
  const db = api.tdb.db;
  const now = new Date();
  const [memberId] = await db('members').insert({
    campaign_id: campaignId, name: 'Ada Lovelace', priority: 7, variables: JSON.stringify({ crm_id: 'C-42' }), ready_at: now, ...member,
  });
  const number = String(numbers++);
  const [communicationId] = await db('communications').insert({ member_id: memberId, campaign_id: campaignId, number, position: 0 });
  const ids: number[] = [];
  for (const a of attempts) {
    const [id] = await db('attempts').insert({
      campaign_id: campaignId, member_id: memberId, communication_id: communicationId, number, created_at: now, ...a,
    });
    ids.push(id!);
  }
  return { memberId: memberId!, attemptIds: ids, number };
}

/** The agent after a call: in wrap-up until a minute from now, its attempt settled and waiting for a result. */
async function inWrapUp(api: TestApi, agentId: number, campaignId: number) {
  const now = new Date();
  const call = await seedCall(api, campaignId, [{
    agent_id: agentId, state: 'waiting_result', agent_answered_at: now, answered_at: now, ended_at: now, talk_sec: 30,
    hangup_cause: 'NORMAL_CLEARING', outcome: 'waiting_result', result_deadline_at: new Date(now.getTime() + 60_000),
  }], { state: 'waiting_result' });
  await api.tdb.db('attempts').where('id', call.attemptIds[0]).update({ active_member: call.memberId });
  await api.tdb.db('agents').where('id', agentId).update({ state: 'Wrap up', ready_at: new Date(now.getTime() + 60_000) });
  return call;
}

describe('REST agent users and the agent desk (W1, W4)', () => {
  let api: TestApi;
  const signals = recordingSignals();
  let campaignId: number;
  // The web client's routes too (session, live boards, queue dashboard), as the product serves them.
  let queue: Queue;
  let web: ReturnType<typeof webClient>;

  before(async () => {
    queue = new Queue('timers', { connection: { host: '127.0.0.1', port: 6379 }, prefix: `{agent-desk-${randomBytes(4).toString('hex')}}` });
    web = webClient({ feed: undefined, queues: [queue] });
    api = await startTestApi('http_agent_desk', { signals, extraRouters: web.routers });
    campaignId = await seedCampaign(api, { wait_result: true });
  });
  after(async () => {
    web?.close();
    await api?.close();
    await queue?.close();
  });

  describe('agent users (W1)', () => {
    it('W1: a user of role agent is created linked to one agent; each bad link is a 4xx naming agent_id', async () => {
      const a = await api.call('POST', '/api/v2/agents', { name: 'Link', sip_user: 'link@test' });
      const ok = await api.call('POST', '/api/v2/users', { username: 'link', password: 'link-password-1', role: 'agent', agent_id: a.body.id });
      expect(ok.status, JSON.stringify(ok.body)).to.equal(201);
      expect(ok.body).to.include({ role: 'agent', agent_id: a.body.id });
      expect((await api.call('GET', `/api/v2/users/${ok.body.id}`)).body.agent_id).to.equal(a.body.id);

      const none = await api.call('POST', '/api/v2/users', { username: 'n1', password: 'password-123', role: 'agent' });
      expect(none.status).to.equal(400);
      expect(none.body.error.message).to.equal('body.agent_id: a user of role agent needs the agent it acts as');
      const staff = await api.call('POST', '/api/v2/users', { username: 'n2', password: 'password-123', role: 'operator', agent_id: a.body.id });
      expect(staff.status).to.equal(400);
      expect(staff.body.error.details.issues[0].path).to.equal('body.agent_id');
      const unknown = await api.call('POST', '/api/v2/users', { username: 'n3', password: 'password-123', role: 'agent', agent_id: 99999 });
      expect(unknown.status).to.equal(400);
      expect(unknown.body.error.message).to.equal('body.agent_id: agent 99999 not found');
      const twice = await api.call('POST', '/api/v2/users', { username: 'n4', password: 'password-123', role: 'agent', agent_id: a.body.id });
      expect(twice.status).to.equal(409);
      expect(twice.body.error.message).to.equal(`agent ${a.body.id} is already the agent of user "link"`);
      const names = (await api.call('GET', '/api/v2/users')).body.map((u: { username: string }) => u.username);
      expect(names).to.not.include.members(['n1', 'n2', 'n3', 'n4']);
    });

    it('W1: changing the role unlinks or needs the agent; a user is relinked to another agent', async () => {
      const a1 = await api.call('POST', '/api/v2/agents', { name: 'R1', sip_user: 'r1@test' });
      const a2 = await api.call('POST', '/api/v2/agents', { name: 'R2', sip_user: 'r2@test' });
      const u = await api.call('POST', '/api/v2/users', { username: 'relink', password: 'relink-password', role: 'operator' });
      expect(u.body.agent_id).to.equal(null);
      const needs = await api.call('PUT', `/api/v2/users/${u.body.id}`, { role: 'agent' });
      expect(needs.status).to.equal(400);
      expect(needs.body.error.details.issues[0].path).to.equal('body.agent_id');
      const linked = await api.call('PUT', `/api/v2/users/${u.body.id}`, { role: 'agent', agent_id: a1.body.id });
      expect(linked.status, JSON.stringify(linked.body)).to.equal(200);
      expect(linked.body).to.include({ role: 'agent', agent_id: a1.body.id });
      const moved = await api.call('PUT', `/api/v2/users/${u.body.id}`, { agent_id: a2.body.id });
      expect(moved.body.agent_id).to.equal(a2.body.id);
      const back = await api.call('PUT', `/api/v2/users/${u.body.id}`, { role: 'api' });
      expect(back.status).to.equal(200);
      expect(back.body).to.include({ role: 'api', agent_id: null });
    });

    it('W1: an agent a user acts as is not deleted (409 naming the user) until the user is gone', async () => {
      const { agentId, userId } = await agentUser(api, 'keeper');
      const refused = await api.call('DELETE', `/api/v2/agents/${agentId}`);
      expect(refused.status).to.equal(409);
      expect(refused.body.error.message).to.equal(`agent ${agentId} is the agent of user "keeper"; delete that user or link it to another agent first`);
      expect((await api.call('GET', `/api/v2/agents/${agentId}`)).status).to.equal(200);
      expect((await api.call('DELETE', `/api/v2/users/${userId}`)).status).to.equal(204);
      expect((await api.call('DELETE', `/api/v2/agents/${agentId}`)).status).to.equal(204);
    });

    it('W1: an agent user gets 403 on every route but its own desk and logout (OpenAPI x-roles: agent appears nowhere else)', async () => {
      const doc = (await api.call('GET', '/api/openapi.json', undefined, null)).body;
      const forAgent: string[] = [];
      for (const [path, ops] of Object.entries<Record<string, { 'x-roles'?: string[] }>>(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) if (op['x-roles']?.includes('agent')) forAgent.push(`${method.toUpperCase()} ${path}`);
      }
      expect(forAgent.sort()).to.deep.equal([
        'GET /api/v2/agent', 'POST /api/v2/agent/hangup', 'POST /api/v2/agent/preview/accept', 'POST /api/v2/agent/preview/skip',
        'POST /api/v2/agent/wrap-up/end', 'POST /api/v2/session/logout', 'POST /logout',
        'PUT /api/v2/agent/result', 'PUT /api/v2/agent/status',
      ]);

      const me = await agentUser(api, 'nosy');
      const other = await agentUser(api, 'other');
      const memberId = (await seedCall(api, campaignId, [])).memberId;
      const refused: [string, string, unknown?][] = [
        ['GET', '/api/v2/agents'],
        ['GET', `/api/v2/agents/${other.agentId}`],
        ['GET', `/api/v2/agents/${other.agentId}/desk`],
        ['GET', `/api/v2/agents/${me.agentId}/desk`],
        ['PUT', `/api/v2/agents/${other.agentId}/status`, { status: 'Available' }],
        ['PUT', `/api/v2/agents/${other.agentId}/result`, { success: true }],
        ['POST', `/api/v2/agents/${other.agentId}/wrap-up/end`],
        ['POST', `/api/v2/agents/${other.agentId}/hangup`],
        ['PUT', `/api/v2/dialer/${campaignId}/members/${memberId}/status`, { success: true }],
        ['POST', `/api/v2/dialer/${campaignId}/members`, [{ communications: [{ number: '123' }] }]],
        ['GET', '/api/v2/dialer'],
        ['GET', '/api/v2/users'],
        ['POST', '/api/v2/live/ticket'],
      ];
      for (const [method, path, body] of refused) {
        const r = await api.call(method, path, body, me.auth);
        expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).to.equal(403);
      }
      expect((await api.call('GET', `/api/v2/agents/${other.agentId}`)).body.status).to.equal('Logged Out');
      // Its own desk answers for its own agent only.
      const mine = await api.call('GET', '/api/v2/agent', undefined, me.auth);
      expect(mine.status).to.equal(200);
      expect(mine.body.agent.id).to.equal(me.agentId);
      // The self routes are for agent users: a supervisor names the agent instead.
      expect((await api.call('GET', '/api/v2/agent')).status).to.equal(403);
      expect((await api.call('GET', `/api/v2/agents/${me.agentId}/desk`)).body.agent.id).to.equal(me.agentId);
    });
  });

  describe('the agent desk (W4)', () => {
    it('W4, A5: an agent sets its own status, On Break with a reason; the engine is told; a reason without a break is 400', async () => {
      const me = await agentUser(api, 'status');
      signals.log.length = 0;
      const brk = await api.call('PUT', '/api/v2/agent/status', { status: 'On Break', reason: 'lunch' }, me.auth);
      expect(brk.status, JSON.stringify(brk.body)).to.equal(200);
      expect(brk.body).to.include({ id: me.agentId, status: 'On Break', break_reason: 'lunch' });
      expect(signals.log).to.deep.equal([`agent:${me.agentId}`]);
      const bad = await api.call('PUT', '/api/v2/agent/status', { status: 'Available', reason: 'back' }, me.auth);
      expect(bad.status).to.equal(400);
      expect(bad.body.error.message).to.equal('body.reason: a reason goes with status On Break only');
      const wrong = await api.call('PUT', '/api/v2/agent/status', { status: 'Away' }, me.auth);
      expect(wrong.status).to.equal(400);
      expect(wrong.body.error.details.issues[0].path).to.equal('body.status');
      const avail = await api.call('PUT', '/api/v2/agent/status', { status: 'Available' }, me.auth);
      expect(avail.body).to.include({ status: 'Available', break_reason: null });
      // The supervisor's route takes the reason too.
      const sup = await api.call('PUT', `/api/v2/agents/${me.agentId}/status`, { status: 'On Break', reason: 'training' });
      expect(sup.body).to.include({ status: 'On Break', break_reason: 'training' });
    });

    it('W3: the state shows the current or last call with the member card: campaign, name, number, priority, variables, try number, earlier attempts', async () => {
      const me = await agentUser(api, 'card');
      const none = await api.call('GET', '/api/v2/agent', undefined, me.auth);
      expect(none.body).to.deep.include({ call: null, wrap_up_ends_at: null });
      const now = new Date();
      const { memberId, attemptIds, number } = await seedCall(api, campaignId, [
        { state: 'done', outcome: 'retry', hangup_cause: 'USER_BUSY', ended_at: now },
        { state: 'done', outcome: 'retry', hangup_cause: 'NO_ANSWER', ended_at: now, comment: 'try later' },
        { state: 'reserved', agent_id: me.agentId },
      ], { state: 'dialing' });
      await api.tdb.db('agents').where('id', me.agentId).update({ state: 'Reserved', attempt_id: attemptIds[2] });
      const s = await api.call('GET', '/api/v2/agent', undefined, me.auth);
      expect(s.status).to.equal(200);
      expect(s.body.agent).to.include({ id: me.agentId, state: 'Reserved' });
      const call = s.body.call;
      expect(call).to.include({ live: true, number, try_number: 3 });
      expect(call.attempt).to.include({ id: attemptIds[2], state: 'reserved', agent_id: me.agentId });
      expect(call.campaign).to.deep.equal({ id: campaignId, name: 'Campaign', wait_result: true, allow_end_wrap_up_early: false });
      expect(call.member).to.deep.include({ id: memberId, name: 'Ada Lovelace', priority: 7, variables: { crm_id: 'C-42' }, state: 'dialing' });
      expect(call.previous_attempts.map((a: { id: number }) => a.id)).to.deep.equal([attemptIds[1], attemptIds[0]]);
      expect(call.previous_attempts[0]).to.include({ hangup_cause: 'NO_ANSWER', comment: 'try later' });
      // A supervisor sees the same.
      expect((await api.call('GET', `/api/v2/agents/${me.agentId}/desk`)).body).to.deep.equal(s.body);
    });

    it('W4, R1: an agent posts the result of its last call, found from the agent; a call it never answered, or none, is 409', async () => {
      const me = await agentUser(api, 'result');
      const noCall = await api.call('PUT', '/api/v2/agent/result', { success: true }, me.auth);
      expect(noCall.status).to.equal(409);
      expect(noCall.body.error.message).to.equal(`agent ${me.agentId} has had no call to post a result for`);

      const missed = await seedCall(api, campaignId, [{ state: 'done', outcome: 'agent_failed', agent_id: me.agentId, agent_cause: 'NO_ANSWER' }]);
      const notAnswered = await api.call('PUT', '/api/v2/agent/result', { success: true }, me.auth);
      expect(notAnswered.status).to.equal(409);
      expect(notAnswered.body.error.message).to.include(`did not answer its last call (attempt ${missed.attemptIds[0]})`);

      const { memberId, attemptIds } = await inWrapUp(api, me.agentId, campaignId);
      const bad = await api.call('PUT', '/api/v2/agent/result', { success: 'yes' }, me.auth);
      expect(bad.status).to.equal(400);
      expect(bad.body.error.details.issues[0].path).to.equal('body.success');
      const ok = await api.call('PUT', '/api/v2/agent/result', { success: true, comment: 'sold' }, me.auth);
      expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
      expect(ok.body).to.include({ id: memberId, state: 'done', result: 'NORMAL_CLEARING' });
      const attempt = await api.tdb.db('attempts').where('id', attemptIds[0]).first('state', 'outcome', 'comment');
      expect(attempt).to.deep.equal({ state: 'done', outcome: 'success', comment: 'sold' });
      // R2: the same status again is answered as before; another is a 409.
      expect((await api.call('PUT', '/api/v2/agent/result', { success: true, comment: 'sold' }, me.auth)).status).to.equal(200);
      expect((await api.call('PUT', '/api/v2/agent/result', { success: false }, me.auth)).status).to.equal(409);
    });

    it('W4, R2: the agent\'s call is no longer the member\'s latest (called again since): 409, the newer attempt untouched', async () => {
      const me = await agentUser(api, 'late');
      const now = new Date();
      const { attemptIds } = await seedCall(api, campaignId, [
        { state: 'done', outcome: 'retry', agent_id: me.agentId, agent_answered_at: now, hangup_cause: 'NORMAL_CLEARING' },
        { state: 'done', outcome: 'retry', hangup_cause: 'USER_BUSY' },
      ], { state: 'ready' });
      const r = await api.call('PUT', '/api/v2/agent/result', { success: true }, me.auth);
      expect(r.status).to.equal(409);
      expect(r.body.error.message).to.include(`attempt ${attemptIds[0]} is no longer member`);
      expect((await api.tdb.db('attempts').where('id', attemptIds[1]).first('result_status')).result_status).to.equal(null);
    });

    it('W4: ending the wrap-up early: 403 naming allow_end_wrap_up_early when the campaign forbids it, Waiting at once when it allows it, 409 outside wrap-up', async () => {
      const me = await agentUser(api, 'wrap');
      const outside = await api.call('POST', '/api/v2/agent/wrap-up/end', undefined, me.auth);
      expect(outside.status).to.equal(409);
      expect(outside.body.error.message).to.equal(`agent ${me.agentId} is not in wrap-up`);

      await inWrapUp(api, me.agentId, campaignId);
      const state = await api.call('GET', '/api/v2/agent', undefined, me.auth);
      expect(state.body.wrap_up_ends_at).to.equal(state.body.agent.ready_at);
      const forbidden = await api.call('POST', '/api/v2/agent/wrap-up/end', undefined, me.auth);
      expect(forbidden.status).to.equal(403);
      expect(forbidden.body.error.details).to.deep.equal({ field: 'campaign.allow_end_wrap_up_early' });
      expect((await api.call('GET', `/api/v2/agents/${me.agentId}`)).body.state).to.equal('Wrap up');

      const allow = await api.call('PUT', `/api/v2/dialer/${campaignId}`, { allow_end_wrap_up_early: true });
      expect(allow.body.allow_end_wrap_up_early).to.equal(true);
      signals.log.length = 0;
      const ended = await api.call('POST', '/api/v2/agent/wrap-up/end', undefined, me.auth);
      expect(ended.status, JSON.stringify(ended.body)).to.equal(200);
      expect(ended.body.agent.state).to.equal('Waiting');
      expect(ended.body.wrap_up_ends_at).to.equal(null);
      expect(Date.parse(ended.body.agent.ready_at)).to.be.at.most(Date.now());
      expect(signals.log).to.deep.equal([`agent:${me.agentId}`]);
      expect((await api.call('POST', '/api/v2/agent/wrap-up/end', undefined, me.auth)).status).to.equal(409);
      await api.call('PUT', `/api/v2/dialer/${campaignId}`, { allow_end_wrap_up_early: false });
    });

    it('W4: hang-up: 409 when not on a call or not connected yet; a connected call\'s agent leg is sent to the engine (202)', async () => {
      const me = await agentUser(api, 'hangup');
      const none = await api.call('POST', '/api/v2/agent/hangup', undefined, me.auth);
      expect(none.status).to.equal(409);
      expect(none.body.error.message).to.equal(`agent ${me.agentId} is not on a call`);
      const { attemptIds } = await seedCall(api, campaignId, [
        { state: 'ringing_agent', agent_id: me.agentId, node: 'fs1', agent_uuid: 'a0000000-0000-4000-8000-000000000001' },
      ], { state: 'dialing' });
      const ringing = await api.call('POST', '/api/v2/agent/hangup', undefined, me.auth);
      expect(ringing.status).to.equal(409);
      expect(ringing.body.error.message).to.include('is not connected yet (ringing_agent)');
      signals.log.length = 0;
      await api.tdb.db('attempts').where('id', attemptIds[0]).update({ state: 'talking', agent_answered_at: new Date() });
      const ok = await api.call('POST', '/api/v2/agent/hangup', undefined, me.auth);
      expect(ok.status, JSON.stringify(ok.body)).to.equal(202);
      expect(ok.body).to.deep.equal({ attempt_id: attemptIds[0] });
      expect(signals.log).to.deep.equal([`hang-up:${attemptIds[0]}`]);
      expect((await api.call('POST', `/api/v2/agents/${me.agentId}/hangup`)).status).to.equal(202);
      expect((await api.call('POST', '/api/v2/agents/99999/hangup')).status).to.equal(404);
    });

    it('W4: supervisors act for a given agent id; an unknown agent is 404', async () => {
      const me = await agentUser(api, 'sup');
      const { memberId } = await inWrapUp(api, me.agentId, campaignId);
      const r = await api.call('PUT', `/api/v2/agents/${me.agentId}/result`, { success: false, next_after_sec: 60 });
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      expect(r.body).to.include({ id: memberId, state: 'ready' });
      expect((await api.call('POST', `/api/v2/agents/${me.agentId}/wrap-up/end`)).status).to.equal(403);
      const missing = await api.call('GET', '/api/v2/agents/99999/desk');
      expect(missing.status).to.equal(404);
      expect(missing.body.error.message).to.equal('agent 99999 not found');
      expect((await api.call('PUT', '/api/v2/agents/99999/result', { success: true })).status).to.equal(404);
    });
  });
});
