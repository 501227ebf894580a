import { expect } from 'chai';
import { allMembersDone, expectNothingLost, freePort, sleep, startFaultWorld, type FaultWorld } from '../helpers/fault-world.js';

/*
 * Two engine processes (own OS processes, own instance ids and outbound sockets) on one MySQL
 * and one Redis share the work (DESIGN §1a): the limits hold across them (C2, C3), sampled on
 * the switch; then one is killed and the other takes its attempts over when their lease expires (S4).
 */
describe('fault: two engine processes at once', function () {
  this.timeout(300_000);
  let w: FaultWorld;
  before(async () => {
    w = await startFaultWorld('fault_multi', { defaultSubscriber: { outcome: 'answer', afterMs: 100, talkMs: 500 } });
  });
  after(async () => { await w?.close(); });

  it('C2, C3, S3: two processes never exceed a campaign limit or the shared line group; one killed, the other takes its calls over', async () => {
    const group = await w.seed.lineGroup(4);
    const a = await w.seed.campaign({ call_limit: 3, line_group_id: group, retry_wait_sec: 1, max_tries: 20, min_success_sec: 0 });
    const b = await w.seed.campaign({ call_limit: 3, line_group_id: group, retry_wait_sec: 1, max_tries: 20, min_success_sec: 0 });
    await w.agents(10, [a, b]);
    await w.members(a, 30, group);
    await w.members(b, 30, group);
    const [p1, p2] = await Promise.all([w.engine('fault-multi-1', await freePort()), w.engine('fault-multi-2', await freePort())]);
    // Both processes take calls: each hears of the capacity the other frees (dispatch news).
    const deadline = Date.now() + 60_000;
    const claimedBy = async () => (await w.db('attempts').whereIn('campaign_id', [a, b]).distinct('instance_id')).map((r) => r.instance_id as string);
    while ((await claimedBy()).length < 2 && Date.now() < deadline) await sleep(100);
    while (w.watch.live === 0 && Date.now() < deadline) await sleep(20);
    await sleep(Math.floor(Math.random() * 800));
    // Kill the one with live calls (the first if both have), so the other has calls to recover.
    const liveOf = async (id: string) => Number((await w.db('attempts').where('instance_id', id)
      .whereIn('state', ['reserved', 'ringing_agent', 'bridging', 'talking']).count({ n: '*' }).first())?.n);
    const [victim, survivor, victimId] = (await liveOf('fault-multi-1')) > 0 || (await liveOf('fault-multi-2')) === 0
      ? [p1!, p2!, 'fault-multi-1'] : [p2!, p1!, 'fault-multi-2'];
    const liveOfVictim = await liveOf(victimId);
    // Read before the kill: a takeover gives the dead process's live attempts the survivor's id (S4).
    const dialledBy = await claimedBy();
    await victim.killHard();
    await allMembersDone(w.db, [a, b], 150_000, [survivor]);
    const settle = Date.now() + 20_000;
    while (Date.now() < settle && Number((await w.db('attempts').whereNot('state', 'done').count({ n: '*' }).first())?.n) > 0) await sleep(100);
    await expectNothingLost(w, [a, b], ['NORMAL_CLEARING']);
    expect(w.watch.maxPerCampaign.get(a), 'campaign a calls at once').to.be.at.most(3);
    expect(w.watch.maxPerCampaign.get(b), 'campaign b calls at once').to.be.at.most(3);
    expect(w.watch.maxPerGroup.get(group), 'line group calls at once').to.be.at.most(4);
    // The load really pressed on the shared capacity (10 agents for 4 lines).
    expect(w.watch.maxPerGroup.get(group), 'line group calls at once').to.be.at.least(3);
    // Both processes dialled: the limits above held across two processes.
    expect(dialledBy).to.have.members(['fault-multi-1', 'fault-multi-2']);
    if (liveOfVictim > 0) {
      // S4: the survivor took them over (their instance id is now its own): adopted, or ended uncharged.
      const taken = survivor.lines.filter((l) => l.includes(`"from":"${victimId}"`)
        && (l.includes('live call adopted') || l.includes('orphaned attempt ended')));
      expect(taken.length, 'attempts of the dead process taken over by the other').to.be.at.least(1);
    }
    expect(await survivor.stop(), 'exit code after SIGTERM').to.equal(0);
  });
});
