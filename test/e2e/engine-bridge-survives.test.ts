/*
 * S3, C6 (issue 11, item 2; seen on the real 1.10.12): the dialer's outbound socket drops while the
 * agent talks to the subscriber, and FreeSWITCH keeps the call up (all four legs). The call must
 * not be given up: no second call to that agent or that member while it is up, its talk time is
 * FreeSWITCH's, and the agent goes to wrap-up only after its real end.
 */
import { expect } from 'chai';
import { startStack, until, type Stack } from '../helpers/stack.js';
import { addMembers, agent, attempts, createAgents, createCampaign, memberDone, number, run } from '../helpers/e2e-fixtures.js';

const ms = (iso: string) => Date.parse(iso);
const sleep = (n: number) => new Promise((r) => setTimeout(r, n));

describe('engine end to end: a bridged call outlives its outbound socket', function () {
  this.timeout(90_000);
  let s: Stack;
  before(async () => { s = await startStack('bridge_survives'); });
  after(async () => { await s?.close(); });

  for (const inboundToo of [false, true]) {
    const what = inboundToo ? 'the outbound socket and the inbound connection drop' : 'the outbound socket drops';
    it(`S3, C6: ${what} mid-bridge: the call goes on, nobody is dialled twice, the attempt settles at the real end with FreeSWITCH's talk time, then wrap-up`, async () => {
      const c = await createCampaign(s, { min_success_sec: 2, max_tries: 3, retry_wait_sec: 1 });
      const [ag] = await createAgents(s, 1, [c], { wrapup_sec: 2 });
      const talking = number();
      const next = number();
      s.sim.setSubscriber(talking, { outcome: 'answer', afterMs: 20, talkMs: 600_000 });
      s.sim.setSubscriber(next, { outcome: 'answer', afterMs: 20, talkMs: 2_200 });
      const [mid, mid2] = await addMembers(s, c, [
        { name: 'talking', priority: 10, communications: [{ number: talking }] },
        { name: 'next', priority: -1, communications: [{ number: next }] },
      ]);
      const sent = s.sim.originates().length;
      await run(s, c);
      await until('subscriber talking', async () => (await attempts(s, c, mid!))[0]?.state === 'talking');
      const agentLeg = s.sim.originates()[sent]!.originationUuid!;
      s.sim.closeOutbound(agentLeg);
      if (inboundToo) s.sim.dropInbound();
      // Longer than the engine used to wait for a hangup (lostLegMs, 3 s) plus the retry wait.
      await sleep(5_500);
      const live = s.sim.channels().map((ch) => ch.name);
      expect(live.filter((n) => n.includes(talking)), 'the subscriber\'s legs').to.have.length(3);
      expect(s.sim.channels().some((ch) => ch.uuid === agentLeg)).to.equal(true);
      expect(s.sim.originates().slice(sent), 'one originate: nobody dialled twice').to.have.length(1);
      const during = await attempts(s, c, mid!);
      expect(during.map((a) => a.state)).to.deep.equal(['talking']);
      expect((await agent(s, ag!.id)).state).to.equal('In a queue call');

      // The subscriber hangs up.
      const sip = s.sim.channels().find((ch) => ch.name.startsWith(`sofia/internal/${talking}@`))!;
      await s.telephony.kill(s.cfg.freeswitch[0]!.name, sip.uuid, 'NORMAL_CLEARING');
      const m = await memberDone(s, c, mid!, 30_000);
      expect(m.result).to.equal('NORMAL_CLEARING');
      const [first] = await attempts(s, c, mid!);
      expect(first.hangup_cause).to.equal('NORMAL_CLEARING');
      expect(first.outcome).to.equal('success');
      // C6: the talk time is FreeSWITCH's, from the bridge to the subscriber's hangup, not to the drop.
      expect(first.talk_sec).to.equal(Math.floor((ms(first.ended_at) - ms(first.answered_at)) / 1000));
      expect(first.talk_sec).to.be.at.least(5);
      await until('agent in wrap-up', async () => (await agent(s, ag!.id)).state === 'Wrap up');
      // The next member is called only after that wrap-up, by the same agent: one call at a time.
      await memberDone(s, c, mid2!, 30_000);
      const [second] = await attempts(s, c, mid2!);
      expect(ms(second.created_at)).to.be.at.least(ms(first.ended_at) + 2_000);
      expect(s.sim.originates().slice(sent)).to.have.length(2);
    });
  }
});
