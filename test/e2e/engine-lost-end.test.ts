/*
 * S3, C6 (issue 11, item 2): the outbound socket drops mid-call and no hangup reaches the inbound
 * connection either (FreeSWITCH restarted). The call's end is unknown: it must not be counted a
 * success with a talk time that runs to the moment the engine stopped waiting for a hangup.
 */
import { expect } from 'chai';
import { startStack, until, type Stack } from '../helpers/stack.js';
import { addMembers, attempts, createAgents, createCampaign, memberDone, number, run } from '../helpers/e2e-fixtures.js';

describe('engine end to end: a call whose end FreeSWITCH never reported', function () {
  this.timeout(60_000);
  let s: Stack;
  before(async () => { s = await startStack('lost_end'); });
  after(async () => { await s?.close(); });

  it('S3, C6: FreeSWITCH restarts under a short call: not a success, talk time from FreeSWITCH\'s own times, no try used, the member is called again', async () => {
    const c = await createCampaign(s, { min_success_sec: 2, max_tries: 3, retry_wait_sec: 1 });
    await createAgents(s, 1, [c]);
    const n = number();
    s.sim.setSubscriber(n, { outcome: 'answer', afterMs: 20, talkMs: 60_000 });
    const [mid] = await addMembers(s, c, [{ name: 'restart', communications: [{ number: n }] }]);
    await run(s, c);
    await until('subscriber talking', async () => (await attempts(s, c, mid!))[0]?.state === 'talking');
    const restartAt = Date.now();
    await s.sim.restart();
    const first = await until('first attempt settled', async () => {
      const [a] = await attempts(s, c, mid!);
      return a?.state === 'done' ? a : null;
    });
    expect(first.answered_at).to.be.a('string');
    expect(first.hangup_cause).to.equal('UNKNOWN');
    expect(first.outcome).to.equal('minus');
    // The call was known to be up only until FreeSWITCH's last event of it, before the restart:
    // never until the engine gave up waiting for a hangup (seconds later).
    expect(Date.parse(first.ended_at)).to.be.at.most(restartAt);
    expect(first.talk_sec).to.be.below(2);
    // Called again, and this time the call ends normally: a success after one counted try.
    s.sim.setSubscriber(n, { outcome: 'answer', afterMs: 20, talkMs: 2_200 });
    const m = await memberDone(s, c, mid!, 40_000);
    expect(m.result).to.equal('NORMAL_CLEARING');
    expect(m.tries).to.equal(1);
    expect(m.minus_tries).to.equal(1);
    const list = await attempts(s, c, mid!);
    expect(list.map((a) => a.outcome)).to.deep.equal(['minus', 'success']);
  });
});
