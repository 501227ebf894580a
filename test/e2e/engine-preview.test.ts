import { expect } from 'chai';
import { pino } from 'pino';
import { FreeSwitchTelephony } from '../../src/adapters/freeswitch/telephony.js';
import { startRuntime, type Runtime } from '../../src/runtime.js';
import { httpClient } from '../helpers/http-client.js';
import { startStack, until, type Stack } from '../helpers/stack.js';
import {
  addMembers, agent, attempts, attemptsReach, createAgents, createCampaign, member, memberDone, number, run, stats, subscriberLegs,
} from '../helpers/e2e-fixtures.js';

/*
 * P2 end to end over the FreeSWITCH simulator: an agent of a preview campaign gets the member
 * card before anything is dialled, then accepts (the call goes as A4), skips with a reason, or
 * lets the preview time pass (the campaign dials or returns the member).
 */
describe('engine end to end: preview campaigns (P2)', function () {
  this.timeout(90_000);
  let s: Stack;
  // A process that does not dial (DIALER_ENGINE=false) on the same MySQL and Redis.
  let apiOnly: Runtime;
  let apiUrl: string;
  before(async () => {
    s = await startStack('preview');
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

  /** Waits until the agent's desk shows a preview, and returns the desk state. */
  const previewing = (agentId: number, notAttempt?: number) => until(`agent ${agentId} previewing`, async () => {
    const r = await s.call('GET', `/api/v2/agents/${agentId}/desk`);
    const a = r.body.call?.attempt;
    return a?.state === 'previewing' && a.id !== notAttempt ? r.body : null;
  });
  const agentUser = async (agentId: number, username: string, url = s.url) => {
    const password = `${username}-password`;
    const u = await s.call('POST', '/api/v2/users', { username, password, role: 'agent', agent_id: agentId });
    expect(u.status, JSON.stringify(u.body)).to.equal(201);
    const auth = await httpClient(url).login(username, password);
    return (method: string, path: string, body?: unknown) =>
      httpClient(url).send(method, path, body === undefined ? undefined : JSON.stringify(body), body === undefined ? undefined : 'application/json', auth);
  };

  it('P2, W3: the agent is reserved with the member card and nothing rings; accepted, the agent then the member are called (A4)', async () => {
    const c = await createCampaign(s, { type: 'preview', preview_sec: 120, preview_timeout: 'return' });
    const [ag] = await createAgents(s, 1, [c]);
    const n = number();
    s.sim.setSubscriber(n, { outcome: 'answer', afterMs: 20, talkMs: 200 });
    const [m] = await addMembers(s, c, [{ name: 'Preview Member', variables: { crm_id: 'P-1' }, communications: [{ number: n }] }]);
    const desk = await agentUser(ag!.id, 'preview-agent');
    await run(s, c);

    const card = await previewing(ag!.id);
    expect(card.agent.state).to.equal('Reserved');
    expect(card.call).to.deep.include({ live: true, number: n, try_number: 1 });
    expect(card.call.member).to.deep.include({ id: m, name: 'Preview Member', variables: { crm_id: 'P-1' } });
    const deadline = Date.parse(card.call.attempt.preview_deadline_at);
    expect(deadline - Date.parse(card.call.attempt.created_at)).to.equal(120_000);
    // Nothing was dialled: no leg to the agent's phone, none to the member.
    expect(s.sim.channelLog().filter((ch) => ch.name.includes(ag!.sipUser.split('@')[0]!))).to.deep.equal([]);
    expect(subscriberLegs(s, n)).to.deep.equal([]);

    const acc = await desk('POST', '/api/v2/agent/preview/accept');
    expect(acc.status, JSON.stringify(acc.body)).to.equal(202);
    expect(acc.body).to.deep.equal({ attempt_id: card.call.attempt.id });
    const again = await desk('POST', '/api/v2/agent/preview/accept');
    expect(again.status).to.equal(409);

    const done = await memberDone(s, c, m!);
    expect(done.result).to.equal('NORMAL_CLEARING');
    const [a] = await attempts(s, c, m!);
    expect(a).to.deep.include({ preview_decision: 'accepted', outcome: 'success', hangup_cause: 'NORMAL_CLEARING' });
    expect(a.agent_answered_at).to.be.a('string');
    expect(subscriberLegs(s, n)).to.have.length(1);
  });

  it('P2, DESIGN §1a: an accept and a skip given to a process that does not dial reach the engine holding the preview', async () => {
    const c = await createCampaign(s, { type: 'preview', preview_sec: 120, retry_wait_sec: 600 });
    const [ag] = await createAgents(s, 1, [c]);
    const n1 = number();
    const n2 = number();
    s.sim.setSubscriber(n2, { outcome: 'answer', afterMs: 20, talkMs: 200 });
    const [m1, m2] = await addMembers(s, c, [{ priority: 2, communications: [{ number: n1 }] }, { priority: 1, communications: [{ number: n2 }] }]);
    const desk = await agentUser(ag!.id, 'remote-preview-agent', apiUrl);
    await run(s, c);
    const first = await previewing(ag!.id);
    expect(first.call.member.id).to.equal(m1);
    expect((await desk('POST', '/api/v2/agent/preview/skip', { reason: 'not today' })).status).to.equal(200);
    expect(await member(s, c, m1!)).to.deep.include({ state: 'ready', tries: 0 });
    // The freed agent is offered the next member at once, and the accept is carried by Redis to the engine.
    const second = await previewing(ag!.id, first.call.attempt.id);
    expect(second.call.member.id).to.equal(m2);
    expect((await desk('POST', '/api/v2/agent/preview/accept')).status).to.equal(202);
    expect((await memberDone(s, c, m2!)).result).to.equal('NORMAL_CLEARING');
    const [a] = await attempts(s, c, m2!);
    expect(a.preview_decision).to.equal('accepted');
    // Rung at the accept, not at the end of the preview time two minutes later.
    expect(Date.parse(a.agent_answered_at)).to.be.below(Date.parse(a.preview_deadline_at));
  });

  it('P2: a skip with a reason dials nothing, is kept in the history without using a try, frees the agent, and the member comes back after the retry wait', async () => {
    const c = await createCampaign(s, { type: 'preview', preview_sec: 120, retry_wait_sec: 2, max_tries: 1 });
    const [ag] = await createAgents(s, 1, [c]);
    const n = number();
    s.sim.setSubscriber(n, { outcome: 'answer', afterMs: 20, talkMs: 200 });
    const [m] = await addMembers(s, c, [{ name: 'Skipped Once', communications: [{ number: n }] }]);
    await run(s, c);

    const first = await previewing(ag!.id);
    const empty = await s.call('POST', `/api/v2/agents/${ag!.id}/preview/skip`, { reason: '  ' });
    expect(empty.status).to.equal(400);
    expect(empty.body.error.details.issues[0].path).to.equal('body.reason');
    const skipped = await s.call('POST', `/api/v2/agents/${ag!.id}/preview/skip`, { reason: 'spoke to them yesterday' });
    expect(skipped.status, JSON.stringify(skipped.body)).to.equal(200);
    const [a1] = await attempts(s, c, m!);
    expect(a1).to.deep.include({
      id: first.call.attempt.id, state: 'done', outcome: 'skipped', preview_decision: 'skipped', agent_cause: 'PREVIEW_SKIPPED',
      comment: 'spoke to them yesterday', agent_answered_at: null, answered_at: null,
    });
    const back = await member(s, c, m!);
    expect(back).to.deep.include({ state: 'ready', tries: 0, minus_tries: 0 });
    expect(Date.parse(back.ready_at) - Date.parse(a1.ended_at)).to.equal(2000);
    expect((await agent(s, ag!.id)).state).to.equal('Waiting');
    expect(subscriberLegs(s, n)).to.deep.equal([]);
    const late = await s.call('POST', `/api/v2/agents/${ag!.id}/preview/skip`, { reason: 'again' });
    expect(late.status).to.equal(409);

    // The member is previewed again after the retry wait; its one try (max_tries 1) is still there.
    const second = await previewing(ag!.id, first.call.attempt.id);
    expect(second.call.try_number).to.equal(2);
    expect(second.call.previous_attempts[0]).to.deep.include({ outcome: 'skipped', comment: 'spoke to them yesterday' });
    expect((await s.call('POST', `/api/v2/agents/${ag!.id}/preview/accept`)).status).to.equal(202);
    expect((await memberDone(s, c, m!)).result).to.equal('NORMAL_CLEARING');
    // Issue 13 §2's "Dialled" leaves the skipped preview out: nothing was dialled for it.
    expect(await stats(s, c)).to.deep.include({ attempts: 2, dialled: 1 });
    // Q2: the report counts the skip in a class of its own.
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const r = await s.call('GET', `/api/v2/dialer/${c}/reports?interval=day&from=${from}&to=${to}`);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.totals.outcomes).to.deep.equal({ skipped: 1, success: 1 });
  });

  it('P2: when the preview time passes with the policy dial, the agent and then the member are called', async () => {
    const c = await createCampaign(s, { type: 'preview', preview_sec: 5, preview_timeout: 'dial' });
    const [ag] = await createAgents(s, 1, [c]);
    const n = number();
    s.sim.setSubscriber(n, { outcome: 'answer', afterMs: 20, talkMs: 200 });
    const [m] = await addMembers(s, c, [{ communications: [{ number: n }] }]);
    await run(s, c);
    await previewing(ag!.id);
    const done = await memberDone(s, c, m!, 30_000);
    expect(done.result).to.equal('NORMAL_CLEARING');
    const [a] = await attempts(s, c, m!);
    expect(a).to.deep.include({ preview_decision: 'timed_out', outcome: 'success' });
    expect(Date.parse(a.agent_answered_at)).to.be.at.least(Date.parse(a.preview_deadline_at));
  });

  it('P2, A3: when the preview time passes with the policy return, the member goes back without a try and the agent gets its no-answer delay', async () => {
    const c = await createCampaign(s, { type: 'preview', preview_sec: 5, preview_timeout: 'return', retry_wait_sec: 600 });
    const [ag] = await createAgents(s, 1, [c], { no_answer_delay_sec: 30 });
    const n = number();
    const [m] = await addMembers(s, c, [{ communications: [{ number: n }] }]);
    await run(s, c);
    await previewing(ag!.id);
    const [a] = await attemptsReach(s, c, m!, 1);
    const returned = await until('the preview returned', async () => {
      const list = await attempts(s, c, m!);
      return list[0]?.state === 'done' ? list[0] : null;
    }, 30_000);
    expect(returned).to.deep.include({ id: a.id, outcome: 'skipped', preview_decision: 'timed_out', agent_cause: 'PREVIEW_TIMEOUT', comment: null });
    expect(await member(s, c, m!)).to.deep.include({ state: 'ready', tries: 0 });
    const g = await agent(s, ag!.id);
    expect(g).to.deep.include({ state: 'Waiting', no_answer_count: 1 });
    expect(Date.parse(g.ready_at) - Date.parse(returned.ended_at)).to.equal(30_000);
    expect(subscriberLegs(s, n)).to.deep.equal([]);
  });
});
