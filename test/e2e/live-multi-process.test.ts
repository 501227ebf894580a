import { expect } from 'chai';
import { pino } from 'pino';
import { FreeSwitchTelephony } from '../../src/adapters/freeswitch/telephony.js';
import { startRuntime, type Runtime } from '../../src/runtime.js';
import { addMembers, createAgents, createCampaign, run } from '../helpers/e2e-fixtures.js';
import { SseClient } from '../helpers/sse-client.js';
import { startStack, type Stack } from '../helpers/stack.js';

/*
 * Live boards across processes (DESIGN §1a): an engine process dials; an API-only process
 * (DIALER_ENGINE=false, its own pool, Redis connections and instance id, on the same MySQL and
 * Redis) serves the board a supervisor watches. What the dialling process alone knows (a call
 * placed, the agent connected, the subscriber answering) reaches that board through Redis.
 */
describe('live boards served by a process that does not dial', function () {
  this.timeout(120_000);
  let s: Stack;
  let apiOnly: Runtime;
  let apiUrl: string;
  const streams: SseClient[] = [];

  before(async () => {
    s = await startStack('live_multi');
    const cfg = { ...s.cfg, engine: false, instanceId: `${s.cfg.instanceId}-api-only` };
    const log = pino({ level: process.env.STACK_LOG ?? 'silent' });
    const telephony = new FreeSwitchTelephony({ nodes: cfg.freeswitch, outbound: cfg.outbound, sofiaProfile: cfg.sofiaProfile,
      routeContext: cfg.routeContext, log });
    apiOnly = await startRuntime({ cfg, log, telephony });
    expect(apiOnly.engine).to.equal(null);
    apiUrl = `http://127.0.0.1:${apiOnly.api.port}`;
  });
  after(async () => {
    streams.forEach((c) => c.close());
    await apiOnly?.close();
    await s?.close();
  });

  it('A5, C2, DESIGN §1a: the API-only board is live and shows the agent ringing, then talking, and the counts move', async () => {
    const c = await createCampaign(s, { name: 'Far away', limit: 1, max_tries: 1, min_success_sec: 0 });
    // Slow enough phones that each step is seen on its own: the agent rings 1 s, the subscriber 1.5 s.
    const [agent] = await createAgents(s, 1, [c], { wrapup_sec: 30 }, { afterMs: 1_000 });
    s.sim.setSubscriber('5559001', { outcome: 'answer', afterMs: 1_500, talkMs: 2_000 });
    await addMembers(s, c, [{ name: 'Olena', communications: [{ number: '5559001' }] }]);

    const board = await SseClient.open(apiUrl, s.admin);
    streams.push(board);
    // Live once its relay has subscribed (a snapshot saying so comes then, if the first did not).
    const snap = await board.waitFor('a live snapshot', (e) => (e.event === 'snapshot' && e.data.live === true ? e.data : undefined));
    const before = snap.value.campaigns.find((x: any) => x.id === c);
    expect(before).to.deep.include({ state: 'idle', live_calls: 0, dialled: 0, remaining: 1 });

    await run(s, c);
    const rowOf = (e: { event: string; data: any }) =>
      e.event === 'update' ? e.data.agents.find((a: any) => a.id === agent!.id) : undefined;
    // Placed by the other process: reserved or ringing, before the agent answers.
    const ringing = await board.waitFor('the agent ringing', (e) => {
      const a = rowOf(e);
      return a?.call && ['reserved', 'ringing_agent'].includes(a.call.state) ? a : undefined;
    });
    expect(ringing.value.call).to.include({ campaign_id: c, number: '5559001', answered_at: null });
    // The agent answered (the bridge is planned on the other process).
    const bridging = await board.waitFor('the agent connected', (e) => {
      const a = rowOf(e);
      return a?.call?.state === 'bridging' ? a : undefined;
    }, 20_000, ringing.index);
    expect(bridging.value.state).to.equal('In a queue call');
    // The subscriber answered: markMemberAnswered is news too.
    const talking = await board.waitFor('the subscriber answering', (e) => {
      const a = rowOf(e);
      return a?.call?.state === 'talking' ? a : undefined;
    }, 20_000, bridging.index);
    expect(talking.value.call.answered_at).to.be.a('string');
    // The live call counts against the limit while it runs.
    await board.waitFor('the call counted live', (e) =>
      e.event === 'update' && e.data.campaigns.some((x: any) => x.id === c && x.live_calls === 1) ? true : undefined);
    // The call ends on the other process: the counts move and the agent wraps up.
    const done = await board.waitFor('the member counted done', (e) =>
      e.event === 'update' ? e.data.campaigns.find((x: any) => x.id === c && x.remaining === 0) : undefined, 30_000, talking.index);
    expect(done.value).to.deep.include({ dialled: 1, succeeded: 1, failed: 0, live_calls: 0 });
    expect(done.value.results).to.deep.equal({ NORMAL_CLEARING: 1 });
    await board.waitFor('the agent in wrap-up', (e) => {
      const a = rowOf(e);
      return a?.state === 'Wrap up' && a.call === null ? a : undefined;
    }, 20_000, talking.index);
  });

  it('DESIGN §1a: a REST change made on the API-only process reaches its own board and the engine process\'s', async () => {
    const engineBoard = await SseClient.open(s.url, s.admin);
    const ownBoard = await SseClient.open(apiUrl, s.admin);
    streams.push(engineBoard, ownBoard);
    for (const b of [engineBoard, ownBoard]) await b.waitFor('the snapshot', (e) => (e.event === 'snapshot' ? true : undefined));
    const created = await fetch(`${apiUrl}/api/v2/agents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-key': s.admin.key, 'x-access-token': s.admin.token },
      body: JSON.stringify({ name: 'Made elsewhere', sip_user: '7001@pbx' }),
    });
    expect(created.status).to.equal(201);
    const { id } = (await created.json()) as { id: number };
    for (const b of [engineBoard, ownBoard]) {
      await b.waitFor('the new agent', (e) => (e.event === 'update' && e.data.agents.some((a: any) => a.id === id) ? true : undefined));
    }
  });

  it('issue 13 §1: the reason the engine process computed reaches the API-only board by push, the same as its REST view', async () => {
    const board = await SseClient.open(apiUrl, s.admin);
    streams.push(board);
    const snap = await board.waitFor('a live snapshot', (e) => (e.event === 'snapshot' && e.data.live === true ? e.data : undefined));
    // This process has no engine: it does not watch FreeSWITCH itself.
    expect(snap.value.health).to.deep.include({ freeswitch: null });
    const c = await createCampaign(s, { name: 'Nobody registered' });
    await createAgents(s, 1, [c], {}, { registered: false });
    await addMembers(s, c, [{ name: 'Petro', communications: [{ number: '5559002' }] }]);
    await run(s, c);
    const seen = await board.waitFor('the reason', (e) =>
      e.event === 'update' ? e.data.campaigns.find((x: any) => x.id === c && x.reason?.code === 'no-agent-ready') : undefined, 20_000, snap.index);
    expect(seen.value.reason.text).to.equal('no agent ready: 1 Available but not registered');
    const view = await fetch(`${apiUrl}/api/v2/dialer/${c}`, { headers: { 'x-key': s.admin.key, 'x-access-token': s.admin.token } });
    expect(((await view.json()) as { reason: unknown }).reason).to.deep.equal(seen.value.reason);
  });
});
