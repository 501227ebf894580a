import { expect } from 'chai';
import { startStack, type Stack } from '../helpers/stack.js';
import { addMembers, attempts, campaignState, createAgents, createCampaign, memberDone, number, run } from '../helpers/e2e-fixtures.js';

describe('engine end to end: the progressive call flow', function () {
  this.timeout(60_000);
  let s: Stack;
  before(async () => { s = await startStack('flow'); });
  after(async () => { await s?.close(); });

  it('A4, C6: the agent is rung first, then the subscriber; a long enough call ends the member with NORMAL_CLEARING', async () => {
    const c = await createCampaign(s, { min_success_sec: 1 });
    const [agent] = await createAgents(s, 1, [c]);
    const n = number();
    s.sim.setSubscriber(n, { outcome: 'answer', afterMs: 50, talkMs: 1300 });
    const [mid] = await addMembers(s, c, [{ name: 'Ann', communications: [{ number: n }] }]);
    await run(s, c);
    const m = await memberDone(s, c, mid!);
    expect(m.result).to.equal('NORMAL_CLEARING');
    const [a] = await attempts(s, c, mid!);
    expect(a.agent_id).to.equal(agent!.id);
    expect(a.hangup_cause).to.equal('NORMAL_CLEARING');
    expect(a.talk_sec).to.be.at.least(1);
    // A4: the agent leg was created before the subscriber leg.
    const log = s.sim.channelLog();
    const agentLeg = log.findIndex((ch) => ch.uuid === a.agent_uuid);
    const memberLeg = log.findIndex((ch) => ch.name.includes(n));
    expect(agentLeg).to.be.greaterThan(-1);
    expect(memberLeg).to.be.greaterThan(agentLeg);
    await campaignState(s, c, 'finished');
  });
});
