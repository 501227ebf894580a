import { expect } from 'chai';
import { pino } from 'pino';
import { LiveFeed } from '../../src/app/engine/live-feed.js';
import { DependencyHealth } from '../../src/app/dependency-health.js';
import { LiveBoards, type BoardViewer } from '../../src/app/live-boards.js';
import type { AgentBoardRow } from '../../src/contract/live-board.js';
import type { CampaignCounts, CampaignHead, LiveBoardReader } from '../../src/app/ports/live-board.js';

/** An in-memory board source that records what it was asked. */
class FakeReader implements LiveBoardReader {
  readonly calls: Array<{ what: 'agents' | 'heads' | 'counts'; ids: readonly number[] | undefined }> = [];
  readonly agentRows = new Map<number, AgentBoardRow>();
  readonly heads = new Map<number, CampaignHead>();
  readonly counts = new Map<number, CampaignCounts>();
  /** While set, every read waits for it. */
  gate: Promise<void> | undefined;
  failNext = false;

  async agents(_now: Date, ids?: readonly number[]): Promise<AgentBoardRow[]> {
    await this.#enter('agents', ids);
    return [...this.agentRows.values()].filter((a) => !ids || ids.includes(a.id));
  }

  async campaignHeads(_now: Date, ids?: readonly number[]): Promise<CampaignHead[]> {
    await this.#enter('heads', ids);
    return [...this.heads.values()].filter((c) => !ids || ids.includes(c.id));
  }

  async campaignCounts(ids?: readonly number[]): Promise<CampaignCounts[]> {
    await this.#enter('counts', ids);
    return [...this.counts.values()].filter((c) => !ids || ids.includes(c.id)).map((c) => structuredClone(c));
  }

  count(what: 'agents' | 'heads' | 'counts'): number {
    return this.calls.filter((c) => c.what === what).length;
  }

  async #enter(what: 'agents' | 'heads' | 'counts', ids: readonly number[] | undefined): Promise<void> {
    this.calls.push({ what, ids: ids ? [...ids] : undefined });
    await this.gate;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('database gone');
    }
  }
}

class Viewer implements BoardViewer {
  readonly got: Array<{ event: string; data: any }> = [];
  failed: unknown;
  send(event: 'snapshot' | 'update', json: string): void {
    this.got.push({ event, data: JSON.parse(json) });
  }
  fail(err: unknown): void {
    this.failed = err;
  }
  of(event: string) {
    return this.got.filter((g) => g.event === event);
  }
}

async function until(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const agentRow = (id: number, state = 'Waiting'): AgentBoardRow => ({
  id, name: `a${id}`, sip_user: `${id}@pbx`, status: 'Available', state, registered_node: null, registered_contact: null, requires_client: false, client_online: false, no_answer_count: 0,
  ready_at: null, idle_since: null, state_since: null, ready_in_ms: 0, call: null,
});
const counts = (id: number, done: number, total: number): CampaignCounts => ({
  id, members: { ready: total - done, dialing: 0, waiting_result: 0, done, total }, dialled: done, succeeded: done, failed: 0, next_due_at: null,
  remaining: total - done, results: done ? { NORMAL_CLEARING: done } : {},
});

describe('live boards shared by every viewer of a process', () => {
  let feed: LiveFeed;
  let reader: FakeReader;
  let boards: LiveBoards;
  const make = (o: { countEveryMs?: number; feed?: LiveFeed | undefined } = {}) => {
    boards = new LiveBoards({ feed: 'feed' in o ? o.feed : feed, reader, log: pino({ level: 'silent' }), now: () => new Date(),
      coalesceMs: 5, countEveryMs: o.countEveryMs ?? 60_000, retryMs: 5 });
    return boards;
  };
  beforeEach(() => {
    feed = new LiveFeed();
    reader = new FakeReader();
    reader.agentRows.set(1, agentRow(1));
    reader.heads.set(7, { id: 7, name: 'c7', state: 'running', limit: 3, live_calls: 1, line_group: null, agents_ready: 0, reason: null });
    reader.counts.set(7, counts(7, 10, 100));
  });
  afterEach(() => boards?.close());

  it('A5: five viewers, one snapshot read and one read per burst of changes, the same rows for all', async () => {
    make({ countEveryMs: 0 });
    const vs = Array.from({ length: 5 }, () => new Viewer());
    vs.forEach((v) => boards.watch(v));
    await until('every snapshot', () => vs.every((v) => v.of('snapshot').length === 1));
    expect(reader.count('counts'), 'one count of every campaign for five snapshots').to.equal(1);
    expect(vs[0]!.of('snapshot')[0]!.data).to.deep.include({ live: true });
    expect(vs[0]!.of('snapshot')[0]!.data.campaigns[0]).to.deep.include({ id: 7, state: 'running', live_calls: 1, remaining: 90 });

    reader.counts.set(7, counts(7, 11, 100));
    const before = reader.calls.length;
    feed.campaign(7);
    feed.campaign(7);
    feed.agent(1);
    await until('every update', () => vs.every((v) => v.of('update').length === 1));
    const reads = reader.calls.slice(before);
    expect(reads.filter((c) => c.what === 'counts')).to.deep.equal([{ what: 'counts', ids: [7] }]);
    expect(reads.filter((c) => c.what === 'heads')).to.have.length(1);
    expect(reads.filter((c) => c.what === 'agents')).to.deep.equal([{ what: 'agents', ids: [1] }]);
    for (const v of vs) {
      expect(v.of('update')[0]!.data.campaigns[0]).to.deep.include({ id: 7, remaining: 89, succeeded: 11 });
      expect(v.of('update')[0]!.data.agents.map((a: any) => a.id)).to.deep.equal([1]);
    }
  });

  it('C2: a campaign\'s state and live calls go out at once; its counts are read again no sooner than countEveryMs', async () => {
    make({ countEveryMs: 60_000 });
    const v = new Viewer();
    boards.watch(v);
    await until('the snapshot', () => v.of('snapshot').length === 1);
    reader.heads.set(7, { id: 7, name: 'c7', state: 'stopping', limit: 3, live_calls: 0, line_group: null, agents_ready: 0, reason: null });
    reader.counts.set(7, counts(7, 50, 100));
    feed.campaign(7);
    await until('the update', () => v.of('update').length === 1);
    // Fresh head, kept counts: the campaign was counted by the snapshot a moment ago.
    expect(v.of('update')[0]!.data.campaigns[0]).to.deep.include({ state: 'stopping', live_calls: 0, remaining: 90 });
    expect(reader.count('counts')).to.equal(1);
  });

  it('A5: a viewer joining while a read is in progress gets its snapshot before any update', async () => {
    make();
    const a = new Viewer();
    boards.watch(a);
    await until('a\'s snapshot', () => a.of('snapshot').length === 1);
    let open!: () => void;
    reader.gate = new Promise<void>((r) => { open = r; });
    reader.agentRows.set(1, agentRow(1, 'Reserved'));
    feed.agent(1);
    await until('the update read started', () => reader.calls.filter((c) => c.what === 'agents').length === 2);
    const b = new Viewer();
    boards.watch(b);
    feed.agent(1);
    open();
    reader.gate = undefined;
    await until('b\'s snapshot', () => b.of('snapshot').length === 1);
    // The read for b's snapshot answers the second change too: a gets it as an update, b in its snapshot.
    await until('a\'s second update', () => a.of('update').length === 2);
    expect(b.got.map((g) => g.event)).to.deep.equal(['snapshot']);
    expect(b.got[0]!.data.agents[0].state).to.equal('Reserved');
    expect(a.of('snapshot')).to.have.length(1);
    expect(a.of('update')[1]!.data.agents[0].state).to.equal('Reserved');
  });

  it('A5: when the feed stops being live every viewer gets a snapshot saying so, and a full count when it is back', async () => {
    make();
    const v = new Viewer();
    boards.watch(v);
    await until('the snapshot', () => v.of('snapshot').length === 1);
    feed.setLive(false);
    await until('a snapshot marked not live', () => v.of('snapshot').length === 2);
    expect(v.of('snapshot')[1]!.data.live).to.equal(false);
    const counted = reader.count('counts');
    feed.setLive(true);
    await until('a snapshot marked live', () => v.of('snapshot').length === 3);
    expect(v.of('snapshot')[2]!.data.live).to.equal(true);
    // Changes may have been missed meanwhile: every campaign is counted again.
    expect(reader.calls.filter((c) => c.what === 'counts').slice(counted)).to.deep.equal([{ what: 'counts', ids: undefined }]);
  });

  it('A5: without a feed the snapshot says it is not live', async () => {
    make({ feed: undefined });
    const v = new Viewer();
    boards.watch(v);
    await until('the snapshot', () => v.of('snapshot').length === 1);
    expect(v.of('snapshot')[0]!.data.live).to.equal(false);
  });

  it('A5: nothing is listened to or read while nobody watches', async () => {
    make();
    const v = new Viewer();
    const stop = boards.watch(v);
    await until('the snapshot', () => v.of('snapshot').length === 1);
    expect(feed.listenerCount('campaign')).to.equal(1);
    stop();
    expect(feed.listenerCount('campaign')).to.equal(0);
    expect(feed.listenerCount('agent')).to.equal(0);
    const reads = reader.calls.length;
    feed.campaign(7);
    await new Promise((r) => setTimeout(r, 20));
    expect(reader.calls.length).to.equal(reads);
  });

  it('S2: a failed snapshot read ends its viewers; a failed update is read again', async () => {
    make();
    reader.failNext = true;
    const v = new Viewer();
    boards.watch(v);
    await until('the failure', () => v.failed !== undefined);
    expect(v.got).to.deep.equal([]);
    const w = new Viewer();
    boards.watch(w);
    await until('the snapshot', () => w.of('snapshot').length === 1);
    reader.failNext = true;
    feed.agent(1);
    await until('the update, on the second try', () => w.of('update').length === 1);
    expect(w.failed).to.equal(undefined);
  });

  it('issue 13 §1: the snapshot carries the dependencies\' health, and a change of it is pushed to every viewer', async () => {
    let redisUp = true;
    const health = new DependencyHealth({ database: async () => true, redis: () => redisUp, nodes: () => [{ node: 'fs1:8021', up: true, since: null }] });
    boards = new LiveBoards({ feed, reader, log: pino({ level: 'silent' }), now: () => new Date(), coalesceMs: 5, health });
    const v = new Viewer();
    boards.watch(v);
    await until('the snapshot', () => v.of('snapshot').length === 1);
    expect(v.of('snapshot')[0]!.data.health).to.deep.include({ freeswitch: [{ node: 'fs1:8021', up: true, since: health.current.freeswitch![0]!.since }] });
    redisUp = false;
    await health.check();
    await until('the update', () => v.of('update').length === 1);
    expect(v.of('update')[0]!.data.health.redis.up).to.equal(false);
    expect(v.of('update')[0]!.data.campaigns).to.deep.equal([]);
  });
});
