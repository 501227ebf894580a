import { expect } from 'chai';
import { pino } from 'pino';
import { FreeSwitchTelephony } from '../../src/adapters/freeswitch/telephony.js';
import { startRuntime, type Runtime } from '../../src/runtime.js';
import { AgentSocketClient } from '../helpers/agent-socket-client.js';
import { SseClient } from '../helpers/sse-client.js';
import { httpClient, type Credentials } from '../helpers/http-client.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { RedisPresence } from '../../src/adapters/queue/redis-presence.js';
import { addMembers, attempts, createAgents, createCampaign, memberDone, number, run } from '../helpers/e2e-fixtures.js';
import { until } from '../helpers/stack.js';

const CALL_STEPS = ['reserved', 'ringing', 'connected', 'subscriber_answered', 'hung_up'];

/** A user of role agent acting as this agent, logged in. */
async function agentUser(s: Stack, agentId: number, username: string, url: string): Promise<Credentials> {
  const password = `${username}-password`;
  const u = await s.call('POST', '/api/v2/users', { username, password, role: 'agent', agent_id: agentId });
  expect(u.status, JSON.stringify(u.body)).to.equal(201);
  return httpClient(url).login(username, password);
}

/** The events after the snapshot, checked to be numbered one by one from it. */
function eventsAfter(c: AgentSocketClient, snapshotIndex: number): any[] {
  const snap = c.messages[snapshotIndex];
  const events = c.messages.slice(snapshotIndex + 1).filter((m) => m.type === 'event');
  events.forEach((e, i) => expect(e.seq, JSON.stringify(events)).to.equal(snap.seq + 1 + i));
  return events;
}

/*
 * The CTI socket end to end (W2–W4, DESIGN §1a): the engine process of the stack dials; the
 * agent's client is connected to another process that does not dial (DIALER_ENGINE=false, its
 * own pool and Redis connections, on the same MySQL and Redis). What happens to the call on the
 * engine reaches the client through Redis, numbered once for the agent.
 */
describe('engine end to end: the agent socket on a process that does not dial (W2, W3, W4)', function () {
  this.timeout(120_000);
  let s: Stack;
  let apiOnly: Runtime;
  let apiUrl: string;
  const clients: AgentSocketClient[] = [];
  const open = async (auth: Credentials, url = apiUrl): Promise<AgentSocketClient> => {
    const c = await AgentSocketClient.open(url, auth);
    clients.push(c);
    return c;
  };

  before(async () => {
    // A subscriber that does not answer gives up after 2 s (the route's call_timeout).
    s = await startStack('agent_socket', { routeCallTimeoutSec: 2 });
    // W2: a short grace, so the test sees an agent go offline soon after its client went.
    const cfg = { ...s.cfg, engine: false, instanceId: `${s.cfg.instanceId}-api-only`, agentClient: { ...s.cfg.agentClient, graceMs: 1_000 } };
    const log = pino({ level: process.env.STACK_LOG ?? 'silent' });
    const telephony = new FreeSwitchTelephony({ nodes: cfg.freeswitch, outbound: cfg.outbound, sofiaProfile: cfg.sofiaProfile,
      routeContext: cfg.routeContext, log });
    apiOnly = await startRuntime({ cfg, log, telephony });
    expect(apiOnly.engine).to.equal(null);
    apiUrl = `http://127.0.0.1:${apiOnly.api.port}`;
  });
  after(async () => {
    clients.forEach((c) => c.close());
    await apiOnly?.close();
    await s?.close();
  });

  it('W3, W4: a snapshot at once; an answered call\'s events in order with the attempt id; a client connecting mid-call gets the call; the result posted over the socket is accepted', async () => {
    const c = await createCampaign(s, { wait_result: true, wrapup_sec: 120, max_tries: 3 });
    const [ag] = await createAgents(s, 1, [c], { wrapup_sec: 120 });
    const [other] = await createAgents(s, 1, [], {});
    const client = await open(await agentUser(s, ag!.id, 'socket-agent', apiUrl));
    const snap = await client.waitFor('the snapshot', (m) => (m.type === 'snapshot' ? m : undefined));
    expect(snap.index).to.equal(0);
    expect(snap.value).to.deep.include({ v: 1 });
    expect(snap.value.seq).to.be.a('number');
    expect(snap.value.state.agent).to.include({ id: ag!.id, status: 'Available', state: 'Waiting' });
    expect(snap.value.state.call).to.equal(null);

    const n = number();
    s.sim.setSubscriber(n, { outcome: 'answer', afterMs: 20, talkMs: 3_000 });
    const [m] = await addMembers(s, c, [{ name: 'Ada Socket', priority: 4, variables: { crm_id: 'S-1' }, communications: [{ number: n }] }]);
    await run(s, c);

    // Mid-call, a second client (a reload, here to the engine's process: both processes then read
    // the agent's changes and append its events): its snapshot has the live call at once.
    const answered = await client.event('subscriber_answered');
    const reload = await open(await httpClient(s.url).login('socket-agent', 'socket-agent-password'), s.url);
    const reSnap = (await reload.waitFor('the snapshot', (x) => (x.type === 'snapshot' ? x : undefined))).value;
    expect(reSnap.state.call).to.deep.include({ live: true, number: n });
    expect(reSnap.state.call.attempt.id).to.equal(answered.value.event.attempt_id);
    expect(reSnap.seq).to.be.at.least(answered.value.seq);

    const wrap = await client.event('wrap_up');
    const events = eventsAfter(client, snap.index);
    const attemptId = events[0].event.attempt_id;
    expect(events.filter((e) => CALL_STEPS.includes(e.event.type)).map((e) => e.event.type)).to.deep.equal(CALL_STEPS);
    for (const e of events) expect(e.event.attempt_id, JSON.stringify(e)).to.equal(attemptId);
    expect(events.findIndex((e) => e.event.type === 'wrap_up')).to.be.above(events.findIndex((e) => e.event.type === 'hung_up'));
    const reserved = events.find((e) => e.event.type === 'reserved').event;
    expect(reserved.call).to.deep.include({ live: true, number: n, try_number: 1, previous_attempts: [] });
    expect(reserved.call.member).to.deep.include({ id: m, name: 'Ada Socket', priority: 4, variables: { crm_id: 'S-1' } });
    expect(reserved.call.campaign).to.include({ id: c });
    const hung = events.find((e) => e.event.type === 'hung_up').event;
    expect(hung).to.include({ cause: 'NORMAL_CLEARING' });
    expect(hung.talk_sec).to.be.a('number');
    expect(wrap.value.event.ends_at).to.be.a('string');
    expect(events.filter((e) => e.event.type === 'agent').map((e) => e.event.state)).to.include.members(['In a queue call', 'Wrap up']);

    // The reloaded client goes on with the same numbers from its snapshot: one sequence for the agent across processes.
    const reWrap = await reload.event('wrap_up');
    expect(reWrap.value.seq).to.equal(wrap.value.seq);

    // W1: a command names no agent; one that tries is refused, naming the field, and the socket stays open.
    const foreign = await client.command('status', { status: 'On Break', agent_id: other!.id });
    expect(foreign).to.deep.include({ ok: false, status: 400 });
    expect(foreign.error.details.issues[0].path).to.equal('data');
    expect(foreign.error.message).to.include('agent_id');

    // W4: the result over the socket, for the agent's own call; the clients are told it was accepted.
    const result = await client.command('result', { success: true, comment: 'agreed on the socket' });
    expect(result, JSON.stringify(result)).to.deep.include({ ok: true });
    expect(result.data).to.include({ id: m, state: 'done' });
    const accepted = await client.event('result_accepted', wrap.index);
    expect(accepted.value.event).to.include({ attempt_id: attemptId, outcome: 'success', comment: 'agreed on the socket' });
    expect((await reload.event('result_accepted')).value.seq).to.equal(accepted.value.seq);
  });

  it('W3: a busy and an unanswered subscriber: reserved, ringing, connected, hung up with the cause, wrap-up; a phone that rejects: hung up with CALL_REJECTED, a delay, its end', async () => {
    for (const [outcome, cause] of [['busy', 'USER_BUSY'], ['no-answer', 'NO_ANSWER']] as const) {
      const c = await createCampaign(s, { max_tries: 1, min_success_sec: 0 });
      const [ag] = await createAgents(s, 1, [c], { wrapup_sec: 30 });
      const client = await open(await agentUser(s, ag!.id, `${outcome}-agent`, apiUrl));
      const snap = await client.waitFor('the snapshot', (x) => (x.type === 'snapshot' ? x : undefined));
      const n = number();
      s.sim.setSubscriber(n, { outcome, afterMs: 20 });
      await addMembers(s, c, [{ name: `Line ${outcome}`, communications: [{ number: n }] }]);
      await run(s, c);
      await client.event('wrap_up');
      const events = eventsAfter(client, snap.index);
      expect(events.filter((e) => CALL_STEPS.includes(e.event.type)).map((e) => e.event.type))
        .to.deep.equal(['reserved', 'ringing', 'connected', 'hung_up']);
      expect(events.find((e) => e.event.type === 'hung_up').event).to.include({ cause });
    }

    // The agent's phone rejects the next call: no connection, a reject delay, then its end.
    const c2 = await createCampaign(s, { max_tries: 1, min_success_sec: 0 });
    const [rej] = await createAgents(s, 1, [c2], { reject_delay_sec: 1 }, { answer: 'reject' });
    const rc = await open(await agentUser(s, rej!.id, 'reject-agent', apiUrl));
    const rsnap = await rc.waitFor('the snapshot', (x) => (x.type === 'snapshot' ? x : undefined));
    await addMembers(s, c2, [{ name: 'Never Reached', communications: [{ number: number() }] }]);
    await run(s, c2);
    const delay = await rc.event('delay');
    const hung = await rc.event('hung_up');
    expect(hung.index).to.be.below(delay.index);
    expect(hung.value.event).to.include({ cause: 'CALL_REJECTED', agent_cause: 'CALL_REJECTED' });
    expect(delay.value.event.until).to.be.a('string');
    await rc.event('delay_end', delay.index);
    // No agent answer, so no connected step.
    expect(rc.messages.slice(rsnap.index, delay.index).some((x) => x.event?.type === 'connected')).to.equal(false);
    expect((await s.call('PUT', `/api/v2/agents/${rej!.id}/status`, { status: 'On Break' })).status).to.equal(200);
  });

  it('W2: an agent that requires a client is never offered a call while offline, gets one once connected, keeps its call when the client goes, and gets none after the grace', async () => {
    const c = await createCampaign(s, { max_tries: 3, min_success_sec: 0 });
    const [ag] = await createAgents(s, 1, [c], { requires_client: true });
    expect((await s.call('GET', `/api/v2/agents/${ag!.id}`)).body.requires_client).to.equal(true);
    const auth = await agentUser(s, ag!.id, 'present-agent', apiUrl);
    // A witness: another campaign with an agent that needs no client. Once its member is done,
    // dispatch passes (which look at every running campaign) have run with our agent offline.
    const witness = async () => {
      const w = await createCampaign(s, { max_tries: 1, min_success_sec: 0 });
      await createAgents(s, 1, [w]);
      const wn = number();
      s.sim.setSubscriber(wn, { outcome: 'answer', afterMs: 20, talkMs: 50 });
      const [wm] = await addMembers(s, w, [{ name: 'Witness', communications: [{ number: wn }] }]);
      await run(s, w);
      await memberDone(s, w, wm!);
    };
    const n = number();
    s.sim.setSubscriber(n, { outcome: 'answer', afterMs: 20, talkMs: 3_000 });
    const [m] = await addMembers(s, c, [{ name: 'Waits For A Client', communications: [{ number: n }] }]);
    await run(s, c);
    await witness();
    expect(await attempts(s, c, m!)).to.have.length(0);

    // The supervisor's board (on the process holding the socket) shows who is online through a client.
    const board = await SseClient.open(apiUrl, s.admin);
    const rowOf = (e: { event: string; data: any }) => e.data?.agents?.find((a: any) => a.id === ag!.id);
    const offline = await board.waitFor('the agent offline on the board', (e) => {
      const r = rowOf(e);
      return r && r.client_online === false ? r : undefined;
    });
    expect(offline.value.requires_client).to.equal(true);

    // Connected: the engine is nudged and offers the call.
    const client = await open(auth);
    const online = await board.waitFor('the agent online on the board', (e) => (rowOf(e)?.client_online === true ? true : undefined), 20_000, offline.index);
    const answered = await client.event('subscriber_answered');
    const [att] = await attempts(s, c, m!);
    expect(att.agent_id).to.equal(ag!.id);
    // The client goes mid-call: the call is not cut, it ends when the subscriber hangs up.
    client.close();
    const done = await until('the call over', async () => {
      const [a] = await attempts(s, c, m!);
      return a?.state === 'done' ? a : null;
    });
    expect(done).to.include({ id: answered.value.event.attempt_id, hangup_cause: 'NORMAL_CLEARING' });
    expect(done.talk_sec).to.be.at.least(2);

    // After the grace, no new call for it, and the board says so.
    await board.waitFor('the agent offline again', (e) => (rowOf(e)?.client_online === false ? true : undefined), 20_000, online.index);
    board.close();
    const presence = new RedisPresence({ redisUrl: s.cfg.redisUrl, prefix: s.cfg.queuePrefix, log: pino({ level: 'silent' }), heartbeatMs: 0, graceMs: 0 });
    try {
      await until('the agent offline', async () => !(await presence.present()).includes(ag!.id));
    } finally {
      await presence.close();
    }
    const n2 = number();
    s.sim.setSubscriber(n2, { outcome: 'answer', afterMs: 20, talkMs: 50 });
    const [m2] = await addMembers(s, c, [{ name: 'After The Grace', communications: [{ number: n2 }] }]);
    await witness();
    expect(await attempts(s, c, m2!)).to.have.length(0);
  });
});
