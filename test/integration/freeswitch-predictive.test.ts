/*
 * P3, P5: the FreeSWITCH adapter's predictive legs against the simulator over TCP, as transcript
 * 09 and the shipped dialer-predictive.xml behave on the real 1.10.12: the agent's nailed-up leg,
 * the subscriber dialled first, its switch-side fail-safe, sched_del + uuid_bridge, the message.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { MemberLegRequest, NailedLegRequest } from '../../src/app/ports/telephony.js';
import { memberLegCommand, RING_MARGIN_SEC } from '../../src/adapters/freeswitch/predictive-legs.js';
import { startRig, waitFor, type Rig } from './freeswitch-harness.js';

const AGENT = '1000@127.0.0.1';
let nextAttempt = 9000;

function memberLeg(node: string, number: string, over: Partial<MemberLegRequest> = {}): MemberLegRequest {
  return {
    attemptId: nextAttempt++, legUuid: randomUUID(), node, number, minRingSec: 15, abandonMessage: 'dialer/abandon-info.wav',
    optOutKey: null, callerIdNumber: '5550000', callerIdName: 'Dialer', variables: { dialer_campaign: 'camp-1' }, ...over,
  };
}

function nailedLeg(node: string, sipUser = AGENT): NailedLegRequest {
  return { agentId: 7, legUuid: randomUUID(), node, sipUser, ringSec: 10, callerIdNumber: '5550000', callerIdName: 'Dialer' };
}

describe('FreeSWITCH adapter: predictive legs against the simulator (P3, P5)', function () {
  this.timeout(30_000);
  let rig: Rig;

  beforeEach(async () => {
    rig = await startRig({
      agents: { [AGENT]: { afterMs: 20 }, '1001@127.0.0.1': { afterMs: 20, hangupAfterMs: 300 } },
      subscribers: {
        '5551234': { afterMs: 60, talkMs: 400 },
        '5552001': { afterMs: 60, talkMs: 20_000 },
        '5553009': { afterMs: 60, talkMs: 20_000, optOutDigit: '9' },
        '5550486': { outcome: 'busy', afterMs: 40 },
        '5550408': { outcome: 'no-answer' },
      },
    }, { abandonMessageMs: 300 });
    await waitFor(() => rig.tel.upNodes().length === 1, 'node up');
  });

  afterEach(async () => {
    await rig.close();
  });

  const ended = (attemptId: number) => rig.handler.of('member-leg-ended').find((e) => e.end.attemptId === attemptId)?.end;
  const answered = (attemptId: number) => rig.handler.of('member-leg-answered').find((e) => e.attemptId === attemptId);

  it('P3: the subscriber answers, the fail-safe is cancelled and it is bridged to the nailed-up agent leg, which is parked again after the call', async () => {
    const agent = nailedLeg(rig.node);
    expect(await rig.tel.originateNailedLeg(agent)).to.deep.equal({ kind: 'answered', legUuid: agent.legUuid });
    for (const round of [1, 2]) {
      const m = memberLeg(rig.node, '5551234');
      expect(await rig.tel.originateMemberLeg(m), `round ${round}`).to.deep.equal({ kind: 'answered', legUuid: m.legUuid });
      await waitFor(() => answered(m.attemptId) !== undefined, 'the answer');
      expect(await rig.tel.connectMemberLeg(rig.node, m.legUuid, agent.legUuid)).to.equal('bridged');
      await waitFor(() => ended(m.attemptId) !== undefined, 'the end');
      const end = ended(m.attemptId)!;
      expect(end).to.include({ cause: 'NORMAL_CLEARING', messageAt: null, endKnown: true, memberUuid: m.legUuid });
      expect(end.bridgedAt).to.be.instanceOf(Date);
      expect(end.bridgedAt!.getTime() - end.answeredAt!.getTime()).to.be.below(2_000);
      // the nailed-up leg is still there for the next subscriber
      expect(await rig.tel.exists(rig.node, agent.legUuid)).to.equal(true);
    }
    expect(rig.handler.of('nailed-leg-gone')).to.deep.equal([]);
  });

  it('P3: nobody connects it: the switch-side fail-safe plays the message within 2 s of the answer and hangs up; connecting afterwards is too late', async () => {
    const agent = nailedLeg(rig.node);
    await rig.tel.originateNailedLeg(agent);
    const m = memberLeg(rig.node, '5552001');
    await rig.tel.originateMemberLeg(m);
    await waitFor(() => ended(m.attemptId) !== undefined, 'the end', 10_000);
    const end = ended(m.attemptId)!;
    expect(end.bridgedAt).to.equal(null);
    expect(end.messageAt).to.be.instanceOf(Date);
    expect(end.messageAt!.getTime() - end.answeredAt!.getTime()).to.be.within(0, 2_000);
    expect(await rig.tel.connectMemberLeg(rig.node, m.legUuid, agent.legUuid)).to.equal('gone');
  });

  it('P3: a connect after the fail-safe fired says too-late and leaves the message playing', async () => {
    const agent = nailedLeg(rig.node);
    await rig.tel.originateNailedLeg(agent);
    const m = memberLeg(rig.node, '5552001');
    await rig.tel.originateMemberLeg(m);
    await waitFor(() => rig.sim.channels().some((c) => c.uuid === m.legUuid && c.variables['dialer_message_uepoch'] !== undefined), 'the message');
    expect(await rig.tel.connectMemberLeg(rig.node, m.legUuid, agent.legUuid)).to.equal('too-late');
    await waitFor(() => ended(m.attemptId) !== undefined, 'the end');
    expect(ended(m.attemptId)!.bridgedAt).to.equal(null);
  });

  it('P3: no agent: abandoning starts the message at once; the opt-out key pressed is reported', async () => {
    const m = memberLeg(rig.node, '5553009', { optOutKey: '9' });
    await rig.tel.originateMemberLeg(m);
    await waitFor(() => answered(m.attemptId) !== undefined, 'the answer');
    expect(await rig.tel.abandonMemberLeg(rig.node, m.legUuid)).to.equal('abandoned');
    await waitFor(() => ended(m.attemptId) !== undefined, 'the end');
    const end = ended(m.attemptId)!;
    expect(end.optOutDigit).to.equal('9');
    expect(end.messageAt!.getTime() - end.answeredAt!.getTime()).to.be.below(1_000);
  });

  it('P3: a subscriber that does not answer: the originate fails with its cause and its end is reported, never answered', async () => {
    const m = memberLeg(rig.node, '5550486');
    expect(await rig.tel.originateMemberLeg(m)).to.deep.equal({ kind: 'failed', legUuid: m.legUuid, cause: 'USER_BUSY' });
    await waitFor(() => ended(m.attemptId) !== undefined, 'the end');
    expect(ended(m.attemptId)).to.include({ cause: 'USER_BUSY', answeredAt: null, bridgedAt: null, messageAt: null });
  });

  it('P5: an unanswered subscriber rings at least the minimum ring time; the originate allows the margin for whole seconds and routing', async () => {
    const cmd = memberLegCommand(memberLeg(rig.node, '5550408', { minRingSec: 15 }), 'dialer-out');
    expect(cmd.kind === 'ok' && cmd.command).to.include(`originate_timeout=${15 + RING_MARGIN_SEC},`);
    const m = memberLeg(rig.node, '5550408', { minRingSec: 1 });
    const startedAt = Date.now();
    expect(await rig.tel.originateMemberLeg(m)).to.deep.equal({ kind: 'failed', legUuid: m.legUuid, cause: 'NO_ANSWER' });
    expect(Date.now() - startedAt).to.be.at.least(1_000);
  });

  it('P3: the nailed-up leg ending (the agent hung up) is reported with the agent', async () => {
    const agent = nailedLeg(rig.node, '1001@127.0.0.1');
    await rig.tel.originateNailedLeg(agent);
    await waitFor(() => rig.handler.of('nailed-leg-gone').length === 1, 'the nailed leg gone');
    expect(rig.handler.of('nailed-leg-gone')[0]).to.include({ agentId: 7, legUuid: agent.legUuid, node: rig.node });
  });
  it('S3: the switch keeps the record of an answered leg\'s end: read back equal to its hang-up event, listed only for legs not followed, deleted once settled', async () => {
    const m = memberLeg(rig.node, '5553009', { optOutKey: '9' });
    await rig.tel.originateMemberLeg(m);
    await waitFor(() => answered(m.attemptId) !== undefined, 'the answer');
    expect(await rig.tel.abandonMemberLeg(rig.node, m.legUuid)).to.equal('abandoned');
    await waitFor(() => ended(m.attemptId) !== undefined, 'the end');
    const end = ended(m.attemptId)!;
    expect(await rig.tel.memberLegRecord(rig.node, m.legUuid)).to.deep.equal(end);
    const listed = await rig.tel.memberLegRecords(rig.node);
    expect(listed !== 'unknown' && listed.ends.map((e) => e.memberUuid)).to.deep.equal([m.legUuid]);
    expect(await rig.tel.forgetMemberLeg(rig.node, m.legUuid)).to.equal(true);
    expect(await rig.tel.memberLegRecord(rig.node, m.legUuid)).to.equal(null);
    expect(await rig.tel.memberLegRecords(rig.node)).to.deep.equal({ ends: [], more: false });
    // a leg that never answered leaves no record
    const busy = memberLeg(rig.node, '5550486');
    await rig.tel.originateMemberLeg(busy);
    expect(await rig.tel.memberLegRecord(rig.node, busy.legUuid)).to.equal(null);
  });

  it('P3: module_exists as the test bed answers it: no mod_amd, no mod_avmd; mod_db loaded', async () => {
    expect(await rig.tel.moduleLoaded(rig.node, 'mod_amd')).to.equal(false);
    expect(await rig.tel.moduleLoaded(rig.node, 'mod_avmd')).to.equal(false);
    expect(await rig.tel.moduleLoaded(rig.node, 'mod_db')).to.equal(true);
  });
});
