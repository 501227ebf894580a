import { expect } from 'chai';
import { pino } from 'pino';
import { DialReasons } from '../../src/app/engine/dial-reasons.js';
import { LiveFeed } from '../../src/app/engine/live-feed.js';
import type { DialFactsStore } from '../../src/app/ports/dial-facts.js';
import type { DispatchStore, RunningCampaign } from '../../src/app/ports/dispatch-store.js';
import type { CampaignFacts, DialReason, NodeFact } from '../../src/domain/dial-reason.js';

const CAL = { timezone: 'UTC', startAt: null, endAt: null, windows: [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start: '00:00', end: '24:00' })), holidays: [] };
const RUNNING: RunningCampaign = { id: 7, priority: 0, limit: 2, lineGroupId: null, calendar: CAL, zones: [] };

/** Facts of one campaign with no agent; counts reads and writes; a read can be held open. */
class FakeFacts implements DialFactsStore {
  reads = 0;
  stored: string | null = null;
  writes: DialReason[] = [];
  gate: Promise<void> | undefined;
  async gather() {
    this.reads++;
    await this.gate;
    const facts: Omit<CampaignFacts, 'nodes'> = {
      calendar: CAL, zones: [], limit: 2, live: 0, lineGroup: null, agents: [],
      members: { readyNowOpen: true, readyNowAny: true, nextReadyAt: null, dialing: 0, waitingResult: 0 },
    };
    return new Map([[7, { facts, stored: this.stored }]]);
  }
  views: Array<NodeFact & { instanceId: string }> = [];
  async shareNodes(instanceId: string, nodes: NodeFact[], now: Date) {
    this.views = [...this.views.filter((v) => v.instanceId !== instanceId), ...nodes.map((n) => ({ ...n, since: n.since ?? now, instanceId }))];
  }
  async nodeViews() {
    return this.views;
  }
  async saveReason(_id: number, r: DialReason) {
    this.writes.push(r);
    this.stored = JSON.stringify(r);
    return true;
  }
}

async function until(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('issue 13 §1: the engine reads the facts behind the reasons sparingly', () => {
  it('a burst of passes costs one read, requests during a read one more; an unchanged reason is not written again', async () => {
    const facts = new FakeFacts();
    const live = new LiveFeed();
    const announced: number[] = [];
    live.on('campaign', (id) => announced.push(id));
    const reasons = new DialReasons({
      facts, dispatchStore: { runningCampaigns: async () => [RUNNING] } as unknown as DispatchStore,
      nodes: () => [{ node: 'fs1', up: true, since: null }], live, log: pino({ level: 'silent' }), now: () => new Date(), everyMs: 10,
      instanceId: 'e1',
    });
    let open!: () => void;
    facts.gate = new Promise((r) => { open = r; });
    for (let i = 0; i < 100; i++) reasons.request();
    await until('the first read', () => facts.reads === 1);
    for (let i = 0; i < 100; i++) reasons.request();
    open();
    await until('the second read', () => facts.reads === 2);
    await reasons.close();
    expect(facts.reads).to.equal(2);
    expect(facts.writes.map((w) => w.code)).to.deep.equal(['no-agent-ready']);
    expect(announced).to.deep.equal([7]);
  });

  it('F3, DESIGN §1a: two engine processes that see a node differently decide alike, so the stored reason does not flip', async () => {
    const facts = new FakeFacts();
    const engine = (instanceId: string, up: boolean) => new DialReasons({
      facts, dispatchStore: { runningCampaigns: async () => [RUNNING] } as unknown as DispatchStore,
      nodes: () => [{ node: 'fs1', up, since: new Date('2026-12-04T12:00:00Z') }], live: new LiveFeed(), log: pino({ level: 'silent' }),
      now: () => new Date(), instanceId,
    });
    const cut = engine('cut-off', false);
    const reaching = engine('reaching', true);
    await reaching.refresh();
    for (let i = 0; i < 3; i++) {
      await cut.refresh();
      await reaching.refresh();
    }
    // fs1 is reachable by one of them, which dials there: the reason is about agents, written once.
    expect(facts.writes.map((w) => w.code)).to.deep.equal(['no-agent-ready']);
    // Once no process reaches it, it is down.
    facts.views = facts.views.filter((v) => v.instanceId !== 'reaching');
    await cut.refresh();
    expect(facts.writes.map((w) => w.code)).to.deep.equal(['no-agent-ready', 'freeswitch-down']);
  });
});
