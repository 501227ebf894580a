import { expect } from 'chai';
import { freePort, sleep, startFaultWorld, type FaultWorld } from '../helpers/fault-world.js';

/*
 * S3 for a preview (P2): the engine process holding a preview is killed with SIGKILL while the
 * agent is still looking at the card. Its restart (same instance id) recovers the reservation as
 * any attempt it left: nothing was dialled, so the member is back without a try and the agent free.
 */
describe('fault: kill -9 of the engine process holding a preview', function () {
  this.timeout(120_000);
  let w: FaultWorld;
  before(async () => { w = await startFaultWorld('fault_preview'); });
  after(async () => { await w?.close(); });

  const until = async <T>(what: string, probe: () => Promise<T | undefined | null>, ms = 30_000): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await probe();
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(50);
    }
  };

  it('S3, P2: the restart ends the dead process\'s preview uncharged (member ready, no try; agent free) and previews the member again', async () => {
    const c = await w.seed.campaign({ retry_wait_sec: 1 });
    await w.db('campaigns').where('id', c).update({ type: 'preview', preview_sec: 600 });
    const [agentId] = await w.agents(1, [c]);
    const [n] = await w.members(c, 1);
    const port = await freePort();
    const eng = await w.engine('fault-preview', port);
    const first = await until('a preview', () => w.db('attempts').where({ campaign_id: c, state: 'previewing' }).first());
    expect(await w.db('agents').where('id', agentId).first('state', 'attempt_id')).to.deep.equal({ state: 'Reserved', attempt_id: first.id });
    await eng.killHard();

    const again = await w.engine('fault-preview', port);
    const ended = await until('the preview recovered', async () => {
      const a = await w.db('attempts').where('id', first.id).first();
      return a.state === 'done' ? a : null;
    });
    expect(ended).to.deep.include({ outcome: 'agent_failed', agent_cause: 'UNKNOWN', active_member: null, live_campaign: null });
    // The restart says so in its log (read as the process writes it).
    await until('the recovery logged', async () => again.lines.some((l) => l.includes('orphaned attempt ended')) || null, 10_000);
    const m = await w.db('members').where('campaign_id', c).first('tries', 'minus_tries');
    expect(m).to.deep.equal({ tries: 0, minus_tries: 0 });
    // Freed, the agent gets the member's card again from the restarted process; nothing was ever dialled.
    const second = await until('a new preview', () => w.db('attempts').where({ campaign_id: c, state: 'previewing' }).whereNot('id', first.id).first());
    expect(second).to.deep.include({ agent_id: agentId, instance_id: 'fault-preview' });
    expect(w.sim.channelLog().filter((ch) => ch.name.includes(`/${n}@`))).to.deep.equal([]);
    expect(await again.stop(), 'exit code after SIGTERM').to.equal(0);
  });
});
