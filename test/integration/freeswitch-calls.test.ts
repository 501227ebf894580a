/*
 * The FreeSWITCH adapter against the simulator over TCP: agent-first calls (A3, A4, C6, C8, C9),
 * registrations (A2) and service numbers (A5). The subscriber is dialled through
 * `loopback/<number>/dialer-out`, which the simulator runs as FreeSWITCH does (05c): the agent is
 * bridged to loopback-a, the route bridges loopback-b to the SIP leg.
 */
import { expect } from 'chai';
import { CONFIRM_TONE, ERROR_TONE } from '../../src/adapters/freeswitch/service-codes.js';
import { header, type EslMessage } from '../helpers/transcript.js';
import { legRequest, startRig, waitFor, type Rig } from './freeswitch-harness.js';
import { TestEsl } from './simulator-esl-client.js';

const AGENT = '1000@127.0.0.1';
const sipLeg = (n: string) => `sofia/internal/${n}@127.0.0.1:5090`;

describe('FreeSWITCH adapter: calls over TCP against the simulator', function () {
  this.timeout(30_000);
  let rig: Rig;

  beforeEach(async () => {
    rig = await startRig(
      {
        agents: {
          [AGENT]: { answer: 'answer', afterMs: 20 },
          '1101@127.0.0.1': { answer: 'busy', afterMs: 20 },
          '1102@127.0.0.1': { answer: 'reject', afterMs: 20 },
          '1103@127.0.0.1': { answer: 'no-answer' },
          '1104@127.0.0.1': { answer: 'unavailable', afterMs: 20 },
          '1105@127.0.0.1': { answer: 'dnd', afterMs: 20 },
          '1106@127.0.0.1': { registered: false },
        },
        subscribers: {
          '5551234': { outcome: 'answer', afterMs: 30, talkMs: 1_200 },
          '5550486': { outcome: 'busy', afterMs: 20 },
          '5550408': { outcome: 'no-answer' },
          '5550404': { outcome: 404, afterMs: 20 },
          '5550480': { outcome: 480, afterMs: 20 },
          '5550503': { outcome: 503, afterMs: 20 },
          '5550603': { outcome: 603, afterMs: 20 },
        },
      },
      { routeCallTimeoutSec: 0.5 },
    );
    await waitFor(() => rig.tel.upNodes().length === 1, 'node up');
  });

  afterEach(async () => {
    await rig.close();
  });

  it('A4, C6, C8: answered agent → bridge → subscriber answered, NORMAL_CLEARING, talk 1 s; variables on both legs; events in order; sent once', async () => {
    const esl = await TestEsl.login(Number(rig.node.split(':')[1]), 'CHANNEL_HANGUP_COMPLETE CHANNEL_EXECUTE_COMPLETE');
    const req = legRequest(rig.node, AGENT, { variables: { dialer_member_id: '77', dialer_campaign: 'camp-1' } });
    const r = await rig.tel.originateAgent(req);
    expect(r).to.deep.equal({ kind: 'answered', legUuid: req.legUuid });
    await waitFor(() => rig.handler.forAttempt(req.attemptId).some((e) => e.kind === 'agent-hangup'), 'agent hangup');
    const evs = rig.handler.forAttempt(req.attemptId);
    expect(evs.map((e) => e.kind)).to.deep.equal(['member-answered', 'member-ended', 'agent-hangup']);
    const ended = evs[1];
    if (ended?.kind !== 'member-ended') throw new Error('member-ended expected');
    expect(ended.result).to.include({ attemptId: req.attemptId, agentLegUuid: req.legUuid, cause: 'NORMAL_CLEARING', talkSec: 1 });
    expect(ended.result.memberUuid).to.be.a('string');
    expect(ended.result.answeredAt).to.be.instanceOf(Date);
    const sent = rig.sim.originates().filter((o) => o.originationUuid === req.legUuid);
    expect(sent).to.have.length(1);
    expect(sent[0]!.command).to.include(`dialer_attempt_id=${req.attemptId}`).and.include(`'&socket(${rig.tel.advertise} async full)'`);
    const agentLeg = rig.sim.channelLog().find((c) => c.uuid === req.legUuid);
    expect(agentLeg?.variables).to.include({ dialer_campaign: 'camp-1', dialer_member_id: '77', continue_on_fail: 'true', hangup_after_bridge: 'true' });
    const memberLeg = rig.sim.channelLog().find((c) => c.uuid === ended.result.memberUuid);
    expect(memberLeg?.variables).to.include({ dialer_campaign: 'camp-1' });
    expect(memberLeg?.variables['continue_on_fail']).to.not.equal('true');
    expect(rig.handler.planned).to.deep.equal([{ attemptId: req.attemptId, legUuid: req.legUuid }]);
    // 05c layout: the member uuid is loopback-a, kept for the whole call (no bow-out); the
    // exported variables reach the SIP leg through loopback-b's export_vars
    expect(memberLeg?.name).to.equal('loopback/5551234-a');
    expect(memberLeg?.variables).to.include({ loopback_bowout: 'false' });
    const sip = rig.sim.channelLog().find((c) => c.name === sipLeg('5551234'));
    expect(sip?.variables).to.include({ dialer_campaign: 'camp-1' });
    expect(sip?.variables['continue_on_fail']).to.not.equal('true');
    // the talk seconds are the SIP leg's billsec, which loopback-a repeats
    const billsec = async (uuid: string) => header(await esl.event((e: EslMessage) => header(e, 'Unique-ID') === uuid), 'variable_billsec');
    expect(await billsec(sip!.uuid)).to.equal('1');
    expect(await billsec(memberLeg!.uuid)).to.equal('1');
    // F2: what tells the SIP leg apart on the inbound connection (INBOUND_FILTERS): its originator,
    // loopback-b, is an inbound channel; the agent's and loopback-a's other leg is outbound (real 1.10.12)
    const otherDirection = (uuid: string) => header(esl.events().find((e) => header(e, 'Unique-ID') === uuid
      && header(e, 'Event-Name') === 'CHANNEL_HANGUP_COMPLETE')!, 'Other-Leg-Direction');
    expect([sip!.uuid, memberLeg!.uuid, req.legUuid].map(otherDirection)).to.deep.equal(['inbound', 'outbound', 'outbound']);
    // C8: the agent leg has the call's variables from its originate and the subscriber's legs from
    // the bridge's {…}: the socket runs the bridge alone, no `export` (a round trip and a whole
    // channel's CHANNEL_EXECUTE_COMPLETE each)
    const apps = esl.events().filter((e) => header(e, 'Unique-ID') === req.legUuid && header(e, 'Event-Name') === 'CHANNEL_EXECUTE_COMPLETE')
      .map((e) => header(e, 'Application')).filter((app) => app !== 'socket');
    expect(apps).to.deep.equal(['bridge']);
    esl.close();
  });

  const agentFailures: [string, string][] = [
    ['1101@127.0.0.1', 'USER_BUSY'],
    ['1102@127.0.0.1', 'CALL_REJECTED'],
    ['1103@127.0.0.1', 'NO_ANSWER'],
    ['1104@127.0.0.1', 'NO_USER_RESPONSE'],
    ['1105@127.0.0.1', 'USER_BUSY'],
    ['1106@127.0.0.1', 'USER_NOT_REGISTERED'],
  ];
  it('A3: every agent-leg failure comes back as failed with its FreeSWITCH cause, no socket session', async () => {
    const reqs = agentFailures.map(([user]) => legRequest(rig.node, user, { ringSec: 1 }));
    const results = await Promise.all(reqs.map((r) => rig.tel.originateAgent(r)));
    expect(results.map((r) => (r.kind === 'failed' ? r.cause : r.kind))).to.deep.equal(agentFailures.map(([, c]) => c));
    expect(rig.handler.planned).to.deep.equal([]);
  });

  const subscriberOutcomes: [string, string][] = [
    ['5550486', 'USER_BUSY'],
    ['5550408', 'NO_ANSWER'],
    ['5550404', 'UNALLOCATED_NUMBER'],
    ['5550480', 'NO_USER_RESPONSE'],
    ['5550503', 'NORMAL_TEMPORARY_FAILURE'],
    ['5550603', 'CALL_REJECTED'],
  ];
  it('C9: every subscriber outcome is member-ended with its cause and 0 s talk, then the agent leg is hung up', async () => {
    const byAttempt = new Map<number, string>();
    rig.handler.plan = (attemptId) => ({ kind: 'bridge', number: byAttempt.get(attemptId)!, variables: {}, callerIdNumber: '5550000', callerIdName: 'Dialer' });
    const reqs = subscriberOutcomes.map(([num]) => {
      const r = legRequest(rig.node, AGENT);
      byAttempt.set(r.attemptId, num);
      return r;
    });
    const results = await Promise.all(reqs.map((r) => rig.tel.originateAgent(r)));
    expect(results.every((r) => r.kind === 'answered')).to.equal(true);
    await waitFor(() => rig.handler.of('agent-hangup').length === reqs.length, 'all agent hangups');
    for (const [i, r] of reqs.entries()) {
      const evs = rig.handler.forAttempt(r.attemptId);
      expect(evs.map((e) => e.kind), subscriberOutcomes[i]![0]).to.deep.equal(['member-ended', 'agent-hangup']);
      const ended = evs[0];
      if (ended?.kind !== 'member-ended') throw new Error('member-ended expected');
      expect(ended.result, subscriberOutcomes[i]![0]).to.include({ cause: subscriberOutcomes[i]![1], talkSec: 0, answeredAt: null });
      // the cause came back through the loopback pair: every leg of it ended with the SIP leg's cause
      const log = rig.sim.channelLog();
      const member = log.find((c) => c.uuid === ended.result.memberUuid);
      expect(member?.name, subscriberOutcomes[i]![0]).to.equal(`loopback/${subscriberOutcomes[i]![0]}-a`);
      for (const name of [`loopback/${subscriberOutcomes[i]![0]}-a`, `loopback/${subscriberOutcomes[i]![0]}-b`, sipLeg(subscriberOutcomes[i]![0])]) {
        expect(log.find((c) => c.name === name)?.hangupCause, name).to.equal(subscriberOutcomes[i]![1]);
      }
    }
  });

  it('S3, C6: the outbound socket lost mid-bridge: the call goes on; when the subscriber hangs up, member-ended from loopback-a\'s inbound HANGUP_COMPLETE (the member uuid), then one agent-hangup', async () => {
    rig.sim.setSubscriber('5551234', { outcome: 'answer', afterMs: 20, talkMs: 20_000 });
    const req = legRequest(rig.node, AGENT);
    expect((await rig.tel.originateAgent(req)).kind).to.equal('answered');
    await waitFor(() => rig.handler.of('member-answered').length === 1, 'bridged');
    const answered = rig.handler.of('member-answered')[0]!;
    rig.sim.closeOutbound(req.legUuid);
    await waitFor(() => rig.tel.followedLegs === 1, 'the call followed on the inbound connection');
    // Real 1.10.12: a bridged call outlives its socket; nothing has ended.
    expect(rig.sim.channels().map((c) => c.uuid)).to.include.members([req.legUuid, answered.memberUuid]);
    expect(rig.handler.of('member-ended')).to.have.length(0);
    const esl = await TestEsl.login(Number(rig.node.split(':')[1]), '');
    const sip = rig.sim.channels().find((c) => c.name === sipLeg('5551234'))!;
    expect(await esl.api(`uuid_kill ${sip.uuid} NORMAL_CLEARING`)).to.equal('+OK\n');
    esl.close();
    await waitFor(() => rig.handler.of('agent-hangup').length === 1, 'agent hangup');
    const evs = rig.handler.forAttempt(req.attemptId);
    expect(evs.map((e) => e.kind)).to.deep.equal(['member-answered', 'member-ended', 'agent-hangup']);
    const ended = evs[1];
    if (ended?.kind !== 'member-ended') throw new Error('member-ended expected');
    const memberLeg = rig.sim.channelLog().find((c) => c.uuid === answered.memberUuid);
    expect(memberLeg?.name).to.equal('loopback/5551234-a');
    // the subscriber went first: loopback-a ended with the SIP leg's cause, an end FreeSWITCH reported
    expect(ended.result).to.include({ memberUuid: answered.memberUuid, cause: 'NORMAL_CLEARING', endKnown: true });
    expect(ended.result.answeredAt?.getTime()).to.equal(answered.at.getTime());
    expect(rig.handler.of('agent-hangup')[0]!.cause).to.equal('NORMAL_CLEARING');
    expect(rig.sim.channels()).to.have.length(0);
  });

  it('S3: uuid_kill on the member uuid (loopback-a) ends the subscriber\'s call with that cause', async () => {
    rig.sim.setSubscriber('5551234', { outcome: 'answer', afterMs: 20, talkMs: 20_000 });
    const req = legRequest(rig.node, AGENT);
    expect((await rig.tel.originateAgent(req)).kind).to.equal('answered');
    await waitFor(() => rig.handler.of('member-answered').length === 1, 'bridged');
    const { memberUuid } = rig.handler.of('member-answered')[0]!;
    expect(await rig.tel.exists(rig.node, memberUuid!)).to.equal(true);
    await rig.tel.kill(rig.node, memberUuid!, 'NORMAL_CLEARING');
    await waitFor(() => rig.handler.of('agent-hangup').length === 1, 'agent hangup');
    const ended = rig.handler.of('member-ended')[0]!;
    expect(ended.result).to.include({ memberUuid, cause: 'NORMAL_CLEARING' });
    expect(await rig.tel.exists(rig.node, memberUuid!)).to.equal(false);
  });

  it('A4: a `hangup` plan hangs the answered agent leg up with its cause and sends no bridge', async () => {
    rig.handler.plan = () => ({ kind: 'hangup', cause: 'NORMAL_CLEARING' });
    const req = legRequest(rig.node, AGENT);
    expect((await rig.tel.originateAgent(req)).kind).to.equal('answered');
    await waitFor(() => rig.handler.of('agent-hangup').length === 1, 'agent hangup');
    expect(rig.handler.forAttempt(req.attemptId).map((e) => e.kind)).to.deep.equal(['agent-hangup']);
    expect(rig.sim.channelLog().filter((c) => c.uuid !== req.legUuid)).to.have.length(0);
  });

  it('S3: exists / kill on a live bridged call: exists true, kill ends it (member-ended, agent-hangup), a second kill is harmless', async () => {
    rig.handler.plan = () => ({ kind: 'bridge', number: '5551234', variables: {}, callerIdNumber: '5550000', callerIdName: 'Dialer' });
    rig.sim.setSubscriber('5551234', { outcome: 'answer', afterMs: 20, talkMs: 20_000 });
    const req = legRequest(rig.node, AGENT);
    expect((await rig.tel.originateAgent(req)).kind).to.equal('answered');
    await waitFor(() => rig.handler.of('member-answered').length === 1, 'bridged');
    expect(await rig.tel.exists(rig.node, req.legUuid)).to.equal(true);
    await rig.tel.kill(rig.node, req.legUuid, 'NORMAL_CLEARING');
    await waitFor(() => rig.handler.of('agent-hangup').length === 1, 'agent hangup');
    expect(rig.handler.forAttempt(req.attemptId).map((e) => e.kind)).to.deep.equal(['member-answered', 'member-ended', 'agent-hangup']);
    expect(await rig.tel.exists(rig.node, req.legUuid)).to.equal(false);
    await rig.tel.kill(rig.node, req.legUuid, 'NORMAL_CLEARING');
    expect(await rig.tel.exists('no-such-node', req.legUuid)).to.equal('unknown');
  });

  it('A2: a full registration resync on connect, then register / unregister events', async () => {
    await waitFor(() => rig.handler.of('registrations-sync').length >= 1, 'sync');
    const sync = rig.handler.of('registrations-sync')[0]!;
    expect(sync.node).to.equal(rig.node);
    const users = sync.sipUsers.map((u) => u.sipUser);
    expect(users).to.include(AGENT).and.not.include('1106@127.0.0.1');
    rig.sim.register('1106@127.0.0.1');
    await waitFor(() => rig.handler.of('registration').length === 1, 'register event');
    rig.sim.unregister('1106@127.0.0.1');
    await waitFor(() => rig.handler.of('registration').length === 2, 'unregister event');
    expect(rig.handler.of('registration').map((e) => [e.sipUser, e.registered])).to.deep.equal([
      ['1106@127.0.0.1', true],
      ['1106@127.0.0.1', false],
    ]);
  });

  it('A5: *100 / *101 / *102 from a phone reach the engine with its SIP user; confirmation tone, then hangup', async () => {
    const results = [];
    for (const code of ['*100', '*101', '*102']) results.push(await rig.sim.dialServiceCode(AGENT, code));
    expect(rig.handler.serviceCalls).to.deep.equal([
      { node: rig.node, sipUser: AGENT, code: 'login' },
      { node: rig.node, sipUser: AGENT, code: 'logout' },
      { node: rig.node, sipUser: AGENT, code: 'break' },
    ]);
    for (const r of results) expect(r).to.deep.equal({ hangupCause: 'NORMAL_CLEARING', played: [CONFIRM_TONE] });
  });

  it('A5: a refused change plays the error tone; an unknown service number is hung up', async () => {
    rig.handler.serviceResult = false;
    expect(await rig.sim.dialServiceCode(AGENT, '*100')).to.deep.equal({ hangupCause: 'NORMAL_CLEARING', played: [ERROR_TONE] });
    const unknown = await rig.sim.dialServiceCode(AGENT, '*199');
    expect(unknown.hangupCause).to.equal('UNALLOCATED_NUMBER');
    expect(rig.handler.serviceCalls).to.have.length(1);
  });
});
