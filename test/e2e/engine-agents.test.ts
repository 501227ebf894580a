import { expect } from 'chai';
import { startStack, until, type Stack } from '../helpers/stack.js';
import {
  addMembers, agent, attempts, attemptsReach, createAgents, createCampaign, member, memberDone, number, run,
} from '../helpers/e2e-fixtures.js';
import type { AgentScript } from '../../src/simulator/index.js';

const ms = (iso: string) => Date.parse(iso);

/** A campaign with one member (answering) and one agent with this phone script and these settings. */
async function setup(s: Stack, script: AgentScript, agentFields: Record<string, unknown>, campaign: Record<string, unknown> = {}) {
  const c = await createCampaign(s, { max_tries: 1, min_success_sec: 0, ...campaign });
  const [ag] = await createAgents(s, 1, [c], agentFields, script);
  const n = number();
  s.sim.setSubscriber(n, { outcome: 'answer', afterMs: 20, talkMs: 100 });
  const [mid] = await addMembers(s, c, [{ name: 'x', communications: [{ number: n }] }]);
  return { c, mid: mid!, ag: ag!, n };
}

/** A3: the member is untouched by agent-leg failures. */
async function expectNotCharged(s: Stack, c: number, mid: number) {
  const m = await member(s, c, mid);
  expect(m.state).to.be.oneOf(['ready', 'dialing']);
  expect(m.tries).to.equal(0);
  expect(m.communications[0].tries).to.equal(0);
  expect(m.result).to.equal(null);
}

describe('engine end to end: agents', function () {
  this.timeout(60_000);
  let s: Stack;
  before(async () => { s = await startStack('agents'); });
  after(async () => { await s?.close(); });

  it('A3: an answered agent is In a queue call, then Wrap up for its wrap-up time, then Waiting', async () => {
    const { c, mid, ag, n } = await setup(s, {}, { wrapup_sec: 2 });
    s.sim.setSubscriber(n, { outcome: 'answer', afterMs: 20, talkMs: 1500 });
    const next = number();
    s.sim.setSubscriber(next, { outcome: 'answer', afterMs: 20, talkMs: 100 });
    const [mid2] = await addMembers(s, c, [{ name: 'next', priority: -1, communications: [{ number: next }] }]);
    await run(s, c);
    await until('agent in a queue call', async () => (await agent(s, ag.id)).state === 'In a queue call');
    await memberDone(s, c, mid);
    const wrap = await until('agent in wrap-up', async () => {
      const a = await agent(s, ag.id);
      return a.state === 'Wrap up' ? a : null;
    });
    const [att] = await attempts(s, c, mid);
    expect(ms(wrap.ready_at)).to.be.at.least(ms(att.ended_at) + 2000);
    const waiting = await until('agent waiting again', async () => {
      const a = await agent(s, ag.id);
      return a.state === 'Waiting' ? a : null;
    });
    expect(waiting.status).to.equal('Available');
    // No call during wrap-up: the next member's call started after the wrap-up ended.
    await memberDone(s, c, mid2!);
    const [att2] = await attempts(s, c, mid2!);
    expect(ms(att2.created_at)).to.be.at.least(ms(att.ended_at) + 2000);
  });

  it('A3: USER_BUSY on the agent leg gives the busy delay and never costs the member an attempt', async () => {
    const { c, mid, ag } = await setup(s, { answer: 'busy', afterMs: 20 }, { busy_delay_sec: 2, reject_delay_sec: 7, no_answer_delay_sec: 9 });
    await run(s, c);
    const list = await attemptsReach(s, c, mid, 2);
    const a = await agent(s, ag.id);
    const first = list[0];
    expect(first.outcome).to.equal('agent_failed');
    expect(first.agent_cause).to.equal('USER_BUSY');
    expect(first.hangup_cause).to.equal(null);
    // The member was never dialled: no subscriber leg, and the next try waited for the agent's delay.
    expect(ms(list[1].created_at)).to.be.at.least(ms(first.ended_at) + 2000);
    expect(a.status).to.equal('Available');
    await expectNotCharged(s, c, mid);
    // The phone is free again: the member is dialled and the success is its only counted try.
    s.sim.setAgent(ag.sipUser, {});
    const m = await memberDone(s, c, mid);
    expect(m.result).to.equal('NORMAL_CLEARING');
    expect(m.tries).to.equal(1);
  });

  it('A3: CALL_REJECTED on the agent leg gives the reject delay and never costs the member an attempt', async () => {
    const { c, mid, ag } = await setup(s, { answer: 'reject', afterMs: 20 }, { busy_delay_sec: 7, reject_delay_sec: 2, no_answer_delay_sec: 9 });
    await run(s, c);
    const list = await attemptsReach(s, c, mid, 2);
    expect(list[0].agent_cause).to.equal('CALL_REJECTED');
    expect(list[0].outcome).to.equal('agent_failed');
    expect(ms(list[1].created_at)).to.be.at.least(ms(list[0].ended_at) + 2000);
    await expectNotCharged(s, c, mid);
    s.sim.setAgent(ag.sipUser, {});
    const m = await memberDone(s, c, mid);
    expect(m.result).to.equal('NORMAL_CLEARING');
  });

  it('A3: no answer within call timeout gives the no-answer delay; reaching max no answer puts the agent On Break', async () => {
    const { c, mid, ag } = await setup(s, { answer: 'no-answer' },
      { call_timeout: 1, max_no_answer: 2, busy_delay_sec: 7, reject_delay_sec: 7, no_answer_delay_sec: 1 });
    await run(s, c);
    const brk = await until('agent on break', async () => {
      const a = await agent(s, ag.id);
      return a.status === 'On Break' ? a : null;
    });
    expect(brk.state).to.equal('Waiting');
    const list = await attempts(s, c, mid);
    expect(list).to.have.length(2);
    for (const a of list) {
      expect(a.outcome).to.equal('agent_failed');
      expect(a.agent_cause).to.equal('NO_ANSWER');
    }
    expect(ms(list[1].created_at)).to.be.at.least(ms(list[0].ended_at) + 1000);
    await expectNotCharged(s, c, mid);
    // On Break, it gets no call; back Available (REST) with an answering phone, the member is served.
    s.sim.setAgent(ag.sipUser, {});
    const r = await s.call('PUT', `/api/v2/agents/${ag.id}/status`, { status: 'Available' });
    expect(r.status).to.equal(200);
    const m = await memberDone(s, c, mid);
    expect(m.result).to.equal('NORMAL_CLEARING');
    const all = await attempts(s, c, mid);
    expect(all).to.have.length(3);
    expect(all[2].agent_id).to.equal(ag.id);
  });

  it('A3: agent-leg failures of any kind never end the member, even with max_tries 1', async () => {
    const { c, mid, ag } = await setup(s, { answer: 503, afterMs: 20 }, { busy_delay_sec: 1, reject_delay_sec: 1, no_answer_delay_sec: 1, max_no_answer: 0 });
    await run(s, c);
    const list = await attemptsReach(s, c, mid, 3);
    for (const a of list.filter((x) => x.state === 'done')) expect(a.outcome).to.equal('agent_failed');
    await expectNotCharged(s, c, mid);
    s.sim.setAgent(ag.sipUser, {});
    const m = await memberDone(s, c, mid);
    expect(m.result).to.equal('NORMAL_CLEARING');
    expect(m.tries).to.equal(1);
  });

  it('A5: service numbers *101 / *102 / *100 log out, take a break and log in, as REST shows; only Available agents get calls', async () => {
    const c = await createCampaign(s, { max_tries: 1, min_success_sec: 0 });
    const [ag] = await createAgents(s, 1, [c]);
    const out = await s.sim.dialServiceCode(ag!.sipUser, '*101');
    expect(out.hangupCause).to.equal('NORMAL_CLEARING');
    expect(out.played.length).to.be.greaterThan(0);
    expect((await agent(s, ag!.id)).status).to.equal('Logged Out');
    await s.sim.dialServiceCode(ag!.sipUser, '*102');
    expect((await agent(s, ag!.id)).status).to.equal('On Break');
    // A member waits while the only agent is not Available.
    const n = number();
    s.sim.setSubscriber(n, { outcome: 'answer', afterMs: 20, talkMs: 100 });
    const [mid] = await addMembers(s, c, [{ name: 'x', communications: [{ number: n }] }]);
    await run(s, c);
    const st = await s.call('GET', `/api/v2/dialer/${c}/stats`);
    expect(st.body.attempts).to.equal(0);
    const before = Date.now();
    await s.sim.dialServiceCode(ag!.sipUser, '*100');
    expect((await agent(s, ag!.id)).status).to.equal('Available');
    const m = await memberDone(s, c, mid!);
    expect(m.result).to.equal('NORMAL_CLEARING');
    const [a] = await attempts(s, c, mid!);
    expect(ms(a.created_at)).to.be.at.least(before);
    // And through REST.
    const r = await s.call('PUT', `/api/v2/agents/${ag!.id}/status`, { status: 'On Break' });
    expect(r.status).to.equal(200);
    expect((await agent(s, ag!.id)).status).to.equal('On Break');
  });

  it('A5: an unknown phone dialling a service number gets the error tone and changes nothing', async () => {
    const out = await s.sim.dialServiceCode('2999@127.0.0.1', '*100');
    expect(out.hangupCause).to.equal('NORMAL_CLEARING');
    expect(out.played.join(' ')).to.match(/480,620/);
  });

  it('A5: registration is watched live (registered_node follows register / unregister)', async () => {
    const c = await createCampaign(s);
    const [ag] = await createAgents(s, 1, [c]);
    await until('registered', async () => (await agent(s, ag!.id)).registered_node !== null);
    s.sim.unregister(ag!.sipUser);
    await until('unregistered', async () => (await agent(s, ag!.id)).registered_node === null);
    s.sim.register(ag!.sipUser);
    await until('registered again', async () => (await agent(s, ag!.id)).registered_node !== null);
  });
  it('A2: an agent whose phone is not registered gets no call; once it registers it does', async () => {
    const c = await createCampaign(s, { max_tries: 1, min_success_sec: 0 });
    const [ag] = await createAgents(s, 1, [c], {}, { registered: false });
    const n = number();
    s.sim.setSubscriber(n, { outcome: 'answer', afterMs: 20, talkMs: 100 });
    const [mid] = await addMembers(s, c, [{ name: 'x', communications: [{ number: n }] }]);
    await run(s, c);
    expect((await agent(s, ag!.id)).registered_node).to.equal(null);
    expect(await attempts(s, c, mid!)).to.have.length(0);
    const registeredAt = Date.now();
    s.sim.setAgent(ag!.sipUser, {});
    s.sim.register(ag!.sipUser);
    const m = await memberDone(s, c, mid!);
    expect(m.result).to.equal('NORMAL_CLEARING');
    const [a] = await attempts(s, c, mid!);
    expect(a.agent_id).to.equal(ag!.id);
    expect(ms(a.created_at)).to.be.at.least(registeredAt);
  });
  it('A3: USER_NOT_REGISTERED on the agent leg marks the phone unregistered and costs the member nothing', async () => {
    const { c, mid, ag } = await setup(s, {}, {});
    await until('registered', async () => (await agent(s, ag.id)).registered_node !== null);
    // The phone went away without an unregister event reaching us: only the originate finds out.
    s.sim.setAgent(ag.sipUser, { registered: false });
    await run(s, c);
    const [a] = await attemptsReach(s, c, mid, 1);
    await until('attempt settled', async () => (await attempts(s, c, mid))[0].state === 'done');
    const [settled] = await attempts(s, c, mid);
    expect(settled.outcome).to.equal('agent_failed');
    expect(settled.agent_cause).to.match(/NOT_REGISTERED|SUBSCRIBER_ABSENT/);
    expect(a.agent_id).to.equal(ag.id);
    await until('agent shown unregistered', async () => (await agent(s, ag.id)).registered_node === null);
    await expectNotCharged(s, c, mid);
    // No further call to a phone we know is not there; registering again brings the call.
    expect(await attempts(s, c, mid)).to.have.length(1);
    s.sim.setAgent(ag.sipUser, {});
    s.sim.register(ag.sipUser);
    const m = await memberDone(s, c, mid);
    expect(m.result).to.equal('NORMAL_CLEARING');
    expect(await attempts(s, c, mid)).to.have.length(2);
  });

  it('A3, S3: an agent left in Wrap up after its wrap-up ended (its wake-up lost) is made Waiting by the housekeeping beat', async () => {
    const c = await createCampaign(s);
    const [ag] = await createAgents(s, 1, [c]);
    // As if the wrap-up-end wake-up had been lost with Redis: nothing will fire for it.
    await s.tdb.db('agents').where('id', ag!.id).update({ state: 'Wrap up', ready_at: new Date(Date.now() - 5_000) });
    await until('the agent is Waiting again', async () =>
      (await s.tdb.db('agents').where('id', ag!.id).first('state'))?.state === 'Waiting', 30_000);
  });
});
