import { expect } from 'chai';
import { pino } from 'pino';
import { FreeSwitchTelephony } from '../../src/adapters/freeswitch/telephony.js';
import { startRuntime, type Runtime } from '../../src/runtime.js';
import { httpClient, type Credentials } from '../helpers/http-client.js';
import { startStack, until, type Stack } from '../helpers/stack.js';
import { addMembers, attempts, createAgents, createCampaign, member, number, run } from '../helpers/e2e-fixtures.js';

/** A user of role agent acting as this agent, logged in. */
async function agentUser(s: Stack, agentId: number, username: string, url = s.url): Promise<Credentials> {
  const password = `${username}-password`;
  const u = await s.call('POST', '/api/v2/users', { username, password, role: 'agent', agent_id: agentId });
  expect(u.status, JSON.stringify(u.body)).to.equal(201);
  return httpClient(url).login(username, password);
}

/** JSON request to `url` as this user. */
function as(url: string, auth: Credentials) {
  return (method: string, path: string, body?: unknown) =>
    httpClient(url).send(method, path, body === undefined ? undefined : JSON.stringify(body), body === undefined ? undefined : 'application/json', auth);
}

describe('engine end to end: the agent desk over REST (W1, W4)', function () {
  this.timeout(90_000);
  let s: Stack;
  // A process that does not dial (DIALER_ENGINE=false) on the same MySQL and Redis: no event socket.
  let apiOnly: Runtime;
  let apiUrl: string;
  before(async () => {
    s = await startStack('agent-desk');
    const cfg = { ...s.cfg, engine: false, instanceId: `${s.cfg.instanceId}-api-only` };
    const log = pino({ level: process.env.STACK_LOG ?? 'silent' });
    const telephony = new FreeSwitchTelephony({ nodes: cfg.freeswitch, outbound: cfg.outbound, sofiaProfile: cfg.sofiaProfile,
      routeContext: cfg.routeContext, log });
    apiOnly = await startRuntime({ cfg, log, telephony, db: s.tdb.db });
    apiUrl = `http://127.0.0.1:${apiOnly.api.port}`;
  });
  after(async () => {
    await apiOnly?.close();
    await s?.close();
  });

  it('W1, W3, W4: an agent user goes Available, sees the card of its call, posts the result for it, and ends its wrap-up only once the campaign allows it', async () => {
    const c = await createCampaign(s, { wait_result: true, wrapup_sec: 120, max_tries: 3, allow_end_wrap_up_early: false });
    // A long wrap-up: the next member is dialled within the test only if the wrap-up is ended early.
    const [ag] = await createAgents(s, 1, [c], { wrapup_sec: 600 });
    const [other] = await createAgents(s, 1, [], {});
    const desk = as(s.url, await agentUser(s, ag!.id, 'desk-agent'));

    expect((await desk('PUT', '/api/v2/agent/status', { status: 'On Break', reason: 'coffee' })).body).to.include({ status: 'On Break', break_reason: 'coffee' });
    const n1 = number();
    const n2 = number();
    s.sim.setSubscriber(n1, { outcome: 'answer', afterMs: 20, talkMs: 1500 });
    s.sim.setSubscriber(n2, { outcome: 'answer', afterMs: 20, talkMs: 100 });
    const [m1, m2] = await addMembers(s, c, [
      { name: 'First Member', priority: 5, variables: { crm_id: 'A-1' }, communications: [{ number: n1 }] },
      { name: 'Second Member', priority: 1, communications: [{ number: n2 }] },
    ]);
    await run(s, c);
    expect((await desk('PUT', '/api/v2/agent/status', { status: 'Available' })).status).to.equal(200);

    // W3: the card of the live call, from the agent's own state.
    const live = await until('the agent on its call', async () => {
      const r = await desk('GET', '/api/v2/agent');
      return r.body.agent.state === 'In a queue call' ? r.body : null;
    });
    expect(live.call).to.deep.include({ live: true, number: n1, try_number: 1, previous_attempts: [] });
    expect(live.call.member).to.deep.include({ id: m1, name: 'First Member', priority: 5, variables: { crm_id: 'A-1' } });
    expect(live.call.campaign).to.include({ id: c, allow_end_wrap_up_early: false });

    // After the call: wrap-up, and the member waits for the agent's result (C7).
    const wrap = await until('the agent in wrap-up', async () => {
      const r = await desk('GET', '/api/v2/agent');
      return r.body.agent.state === 'Wrap up' && !r.body.call.live ? r.body : null;
    });
    expect(wrap.wrap_up_ends_at).to.equal(wrap.agent.ready_at);
    expect((await member(s, c, m1!)).state).to.equal('waiting_result');

    // W1: not for another agent, not through the supervisor's routes.
    expect((await desk('PUT', `/api/v2/agents/${other!.id}/result`, { success: true })).status).to.equal(403);
    expect((await desk('PUT', `/api/v2/dialer/${c}/members/${m1}/status`, { success: true })).status).to.equal(403);
    expect((await desk('GET', `/api/v2/dialer/${c}/members/${m1}`)).status).to.equal(403);

    // W4: the result of its call, the attempt found from the agent.
    const result = await desk('PUT', '/api/v2/agent/result', { success: true, comment: 'agreed' });
    expect(result.status, JSON.stringify(result.body)).to.equal(200);
    expect(result.body).to.include({ id: m1, state: 'done', result: 'NORMAL_CLEARING' });
    const [att] = await attempts(s, c, m1!);
    expect(att).to.include({ agent_id: ag!.id, outcome: 'success', comment: 'agreed' });

    // W4: the campaign does not allow ending the wrap-up early: refused, and the agent stays in it.
    const refused = await desk('POST', '/api/v2/agent/wrap-up/end');
    expect(refused.status).to.equal(403);
    expect(refused.body.error.details).to.deep.equal({ field: 'campaign.allow_end_wrap_up_early' });
    expect((await desk('GET', '/api/v2/agent')).body.agent.state).to.equal('Wrap up');
    expect(await attempts(s, c, m2!)).to.have.length(0);

    // Allowed: Waiting at once, and the engine offers the next member long before the wrap-up would have ended.
    expect((await s.call('PUT', `/api/v2/dialer/${c}`, { allow_end_wrap_up_early: true })).status).to.equal(200);
    const ended = await desk('POST', '/api/v2/agent/wrap-up/end');
    expect(ended.status, JSON.stringify(ended.body)).to.equal(200);
    expect(ended.body.agent.state).to.equal('Waiting');
    const next = await until('the second member dialled to the agent', async () => {
      const list = await attempts(s, c, m2!);
      return list.length > 0 ? list[0] : null;
    });
    expect(next.agent_id).to.equal(ag!.id);
    expect(Date.parse(next.created_at)).to.be.below(Date.parse(wrap.wrap_up_ends_at));
  });

  it('W4: an agent user hangs up its connected call through a process that does not dial; the call ends and settles as if the agent hung up', async () => {
    const c = await createCampaign(s, { max_tries: 3, min_success_sec: 0 });
    const [ag] = await createAgents(s, 1, [c], { wrapup_sec: 30 });
    const desk = as(apiUrl, await agentUser(s, ag!.id, 'hangup-agent', apiUrl));
    const notOnCall = await desk('POST', '/api/v2/agent/hangup');
    expect(notOnCall.status).to.equal(409);
    expect(notOnCall.body.error.message).to.equal(`agent ${ag!.id} is not on a call`);

    const n = number();
    s.sim.setSubscriber(n, { outcome: 'answer', afterMs: 20, talkMs: 60_000 });
    const [mid] = await addMembers(s, c, [{ name: 'Long Talker', communications: [{ number: n }] }]);
    await run(s, c);
    const talking = await until('the agent talking', async () => {
      const r = await desk('GET', '/api/v2/agent');
      return r.body.call?.attempt.state === 'talking' ? r.body : null;
    });
    const hung = await desk('POST', '/api/v2/agent/hangup');
    expect(hung.status, JSON.stringify(hung.body)).to.equal(202);
    expect(hung.body).to.deep.equal({ attempt_id: talking.call.attempt.id });

    // The engine process, told through Redis, ended the call long before the subscriber would have.
    const [att] = await until('the call settled', async () => {
      const list = await attempts(s, c, mid!);
      return list[0]?.state === 'done' ? list : null;
    });
    expect(att.talk_sec).to.be.below(60);
    expect(att.answered_at).to.be.a('string');
    const after = await desk('GET', '/api/v2/agent');
    expect(after.body.agent.state).to.equal('Wrap up');
    expect(after.body.call.live).to.equal(false);
    expect((await desk('POST', '/api/v2/agent/hangup')).status).to.equal(409);
  });
});
