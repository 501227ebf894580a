import { expect } from 'chai';
import { pino } from 'pino';
import { DialReasons } from '../../src/app/engine/dial-reasons.js';
import { LiveFeed } from '../../src/app/engine/live-feed.js';
import type { DialFactsStore } from '../../src/app/ports/dial-facts.js';
import type { DispatchStore, RunningCampaign } from '../../src/app/ports/dispatch-store.js';
import type { CampaignFacts, DialReason } from '../../src/domain/dial-reason.js';

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
});
