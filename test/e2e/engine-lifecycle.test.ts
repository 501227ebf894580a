import { expect } from 'chai';
import { startStack, until, type Stack } from '../helpers/stack.js';
import {
  addMembers, agent, attempts, campaignState, createAgents, createCampaign, member, memberDone, number, run, stats,
} from '../helpers/e2e-fixtures.js';

const ms = (iso: string) => Date.parse(iso);

function talking(s: Stack, talkMs: number): string {
  const n = number();
  s.sim.setSubscriber(n, { outcome: 'answer', afterMs: 20, talkMs });
  return n;
}

describe('engine end to end: run, stop, finish', function () {
  this.timeout(60_000);
  let s: Stack;
  // No safety sweep: the calendar end must stop the campaign through its own timer.
  before(async () => { s = await startStack('lifecycle', { sweepMs: 600_000 }); });
  after(async () => { await s?.close(); });

  it('C10: stop dials nothing new, lets the live call finish and record its result, then the campaign is stopped; run resumes it', async () => {
    const c = await createCampaign(s, { min_success_sec: 1 });
    const [ag] = await createAgents(s, 1, [c]);
    const [first, second] = await addMembers(s, c, [
      { name: 'first', priority: 10, communications: [{ number: talking(s, 2500) }] },
      { name: 'second', communications: [{ number: talking(s, 1300) }] },
    ]);
    await run(s, c);
    await until('agent in the call', async () => (await agent(s, ag!.id)).state === 'In a queue call');
    const stop = await s.call('POST', `/api/v2/dialer/${c}/stop`);
    expect(stop.status, JSON.stringify(stop.body)).to.equal(200);
    expect(stop.body.state).to.equal('stopping');
    const stopped = await campaignState(s, c, 'stopped');
    expect(stopped.state).to.equal('stopped');
    // The live call finished and its result is recorded.
    const m1 = await member(s, c, first!);
    expect(m1.result).to.equal('NORMAL_CLEARING');
    const [a1] = await attempts(s, c, first!);
    expect(a1.talk_sec).to.be.at.least(1);
    // Nothing new was dialled: the agent is free, the other member waits.
    await until('agent waiting', async () => (await agent(s, ag!.id)).state === 'Waiting');
    expect((await member(s, c, second!)).state).to.equal('ready');
    expect(await attempts(s, c, second!)).to.have.length(0);
    expect((await stats(s, c)).live_calls).to.equal(0);
    // Run again: the campaign resumes and finishes by itself.
    const resumedAt = Date.now();
    await run(s, c);
    const m2 = await memberDone(s, c, second!);
    expect(m2.result).to.equal('NORMAL_CLEARING');
    const [a2] = await attempts(s, c, second!);
    expect(ms(a2.created_at)).to.be.at.least(resumedAt);
    const fin = await campaignState(s, c, 'finished');
    expect(fin.finished_at).to.be.a('string');
  });

  it('C10: stop with no live call stops at once; stop on an idle campaign is refused', async () => {
    const c = await createCampaign(s);
    await addMembers(s, c, [{ name: 'x', communications: [{ number: talking(s, 100) }] }]);
    const idle = await s.call('POST', `/api/v2/dialer/${c}/stop`);
    expect(idle.status).to.equal(409);
    await run(s, c);
    const stop = await s.call('POST', `/api/v2/dialer/${c}/stop`);
    expect(stop.status).to.equal(200);
    expect(stop.body.state).to.equal('stopped');
  });

  it('C10: a campaign finishes by itself when no member can be dialled any more (errors, expiry, max tries)', async () => {
    const c = await createCampaign(s, { max_tries: 1 });
    await createAgents(s, 1, [c]);
    const bad = number();
    s.sim.setSubscriber(bad, { outcome: 404, afterMs: 20 });
    const busy = number();
    s.sim.setSubscriber(busy, { outcome: 'busy', afterMs: 20 });
    const ids = await addMembers(s, c, [
      { name: 'unallocated', communications: [{ number: bad }] },
      { name: 'busy', communications: [{ number: busy }] },
      { name: 'expired', expire_at: new Date(Date.now() - 1000).toISOString(), communications: [{ number: talking(s, 100) }] },
    ]);
    await run(s, c);
    const fin = await campaignState(s, c, 'finished');
    expect(fin.state).to.equal('finished');
    const results = await Promise.all(ids.map(async (id) => (await member(s, c, id)).result));
    expect(results).to.deep.equal(['UNALLOCATED_NUMBER', 'MAX_TRY_COUNT', 'MEMBER_EXPIRED']);
  });

  it('C10: the campaign stops when its calendar end passes, after the live call finishes; no member is dialled after the end', async () => {
    const endAt = new Date(Date.now() + 2500);
    const c = await createCampaign(s, { min_success_sec: 1 }, { end_at: endAt.toISOString() });
    await createAgents(s, 1, [c]);
    const [first, second] = await addMembers(s, c, [
      { name: 'long', priority: 10, communications: [{ number: talking(s, 4000) }] },
      { name: 'later', communications: [{ number: talking(s, 100) }] },
    ]);
    await run(s, c);
    await campaignState(s, c, 'stopping');
    const stopped = await campaignState(s, c, 'stopped');
    expect(stopped.state).to.equal('stopped');
    const m1 = await member(s, c, first!);
    expect(m1.result).to.equal('NORMAL_CLEARING');
    const [a1] = await attempts(s, c, first!);
    expect(ms(a1.ended_at)).to.be.at.least(endAt.getTime());
    expect((await member(s, c, second!)).state).to.equal('ready');
    expect(await attempts(s, c, second!)).to.have.length(0);
  });
});
