import { expect } from 'chai';
import { startStack, until, type Stack } from '../helpers/stack.js';
import { addMembers, createAgents, createCampaign, number, run } from '../helpers/e2e-fixtures.js';

const MESSAGE = 'dialer/abandon-info.wav';

/*
 * P3, F3 (issue 18): a predictive campaign whose agents sit on nailed-up legs on two FreeSWITCH
 * nodes dials its lines on both, each where agents are: a subscriber is bridged only to an agent
 * leg on its own switch, so lines all sent to one node leave the other node's agents idle and
 * abandon the answers the first node has no agent for.
 */
describe('engine end to end: predictive lines over two FreeSWITCH nodes (P3, F3)', function () {
  this.timeout(90_000);
  let s: Stack;
  before(async () => { s = await startStack('predictive_nodes', { secondNode: true }); });
  after(async () => { await s?.close(); });

  it('F3: the lines go to both nodes, as many as each has idle agents; every answer is bridged to an agent on its own node', async () => {
    const sim2 = s.sim2!;
    const c = await createCampaign(s, { type: 'predictive', info_message: MESSAGE, max_tries: 1 });
    const first = await createAgents(s, 2, [c], {}, { afterMs: 20 });
    // the other two agents' phones are registered on the second node only
    const second = await createAgents(s, 2, [c], {}, { registered: false });
    for (const a of second) {
      sim2.setAgent(a.sipUser, { afterMs: 20 });
      sim2.register(a.sipUser);
    }
    const nodes = s.cfg.freeswitch.map((n) => n.name);
    const numbers = Array.from({ length: 8 }, () => number());
    for (const sim of [s.sim, sim2]) for (const n of numbers) sim.setSubscriber(n, { outcome: 'answer', afterMs: 300, talkMs: 700 });
    await addMembers(s, c, numbers.map((n, i) => ({ name: `m${i}`, communications: [{ number: n }] })));
    await run(s, c);
    const done = await until('every member called', async () => {
      const rows = await s.tdb.db('attempts').where('campaign_id', c).where('state', 'done').select('id', 'node', 'agent_id', 'hangup_cause');
      return rows.length === 8 ? rows : null;
    }, 60_000);
    // each line was dialled on one of the two nodes, and both nodes got lines
    expect(new Set(done.map((a) => a.node))).to.deep.equal(new Set(nodes));
    expect(done.map((a) => a.hangup_cause)).to.deep.equal(Array(8).fill('NORMAL_CLEARING'));
    const onSecond = new Set(second.map((a) => a.id));
    for (const a of done) expect(onSecond.has(a.agent_id), `attempt ${a.id} on ${a.node}`).to.equal(a.node === nodes[1]);
    // the subscriber legs are on the switch of their line
    const legs2 = sim2.channelLog().filter((ch) => /^loopback\/\d+-a$/.test(ch.name)).length;
    expect(legs2).to.equal(done.filter((a) => a.node === nodes[1]).length);
  });
});
