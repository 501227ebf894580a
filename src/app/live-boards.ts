import type { Logger } from 'pino';
import type { DependencyHealth, HealthView } from './dependency-health.js';
import type { LiveFeed } from './engine/live-feed.js';
import type { AgentBoardRow, CampaignBoardRow, LiveMessage } from '../contract/live-board.js';
import type { CampaignCounts, CampaignHead, LiveBoardReader } from './ports/live-board.js';

/** One open board (an SSE stream): gets each message as JSON, serialised once for all viewers. */
export interface BoardViewer {
  send(event: 'snapshot' | 'update', json: string): void;
  /** The snapshot could not be read: the viewer should end (the client connects again). */
  fail(err: unknown): void;
}

export interface LiveBoardsOptions {
  /** This process's live feed; absent: snapshots only, marked not live. */
  feed: LiveFeed | undefined;
  reader: LiveBoardReader;
  log: Logger;
  now: () => Date;
  /** How long changes are gathered before one read for every viewer, ms. @defaultValue 200 */
  coalesceMs?: number;
  /** Least time between two counts of one campaign, ms. @defaultValue 1000 */
  countEveryMs?: number;
  /**
   * A campaign is counted again no sooner than this many times its last count took, so that
   * counting a huge campaign takes at most about 1/countSpacing of the time. @defaultValue 5
   */
  countSpacing?: number;
  /**
   * A snapshot counts every campaign again when the last such count is older than this, ms
   * (else it uses the kept counts): a lost relay message leaves a count stale no longer.
   * @defaultValue 30000
   */
  recountAfterMs?: number;
  /** Pause after a failed read, ms. @defaultValue 2000 */
  retryMs?: number;
  /** The dependencies as this process sees them (issue 13 §1): in snapshots, pushed on change. */
  health?: DependencyHealth;
}

const ZERO_COUNTS = (id: number): CampaignCounts => ({
  id, members: { ready: 0, dialing: 0, waiting_result: 0, done: 0, total: 0 }, dialled: 0, succeeded: 0, failed: 0, remaining: 0, results: {}, next_due_at: null,
});

/**
 * The live boards of one process, shared by every open stream (issue: live boards): the feed's
 * changes are gathered for `coalesceMs` and read once, whatever the number of viewers. Reads run
 * one at a time, so each message is at least as fresh as the one before it.
 *
 * A campaign's own fields (state, live calls) are read with every change; its counts over
 * members and attempts (a scan of the campaign's index entries) are kept, and read again at most
 * every `countEveryMs` (longer for a campaign whose count is slow). Nothing is read, kept or
 * listened to while nobody watches.
 */
export class LiveBoards {
  readonly #viewers = new Set<BoardViewer>();
  /** Viewers waiting for their (first, or fresh) snapshot; they get no update before it. */
  readonly #awaiting = new Set<BoardViewer>();
  readonly #agents = new Set<number>();
  readonly #heads = new Set<number>();
  readonly #counts = new Set<number>();
  readonly #kept = new Map<number, CampaignCounts>();
  readonly #nextCountAt = new Map<number, number>();
  /** When every campaign was last counted at once (then kept up to date by the feed); 0: not since watching began. */
  #keptAllAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;
  #reading = false;
  #closed = false;

  constructor(private readonly o: LiveBoardsOptions) {}

  /** Starts a viewer: its snapshot first, then updates. Returns how to stop it. */
  watch(v: BoardViewer): () => void {
    if (this.#closed) {
      v.fail(new Error('live boards closed'));
      return () => undefined;
    }
    // Listening starts before the first snapshot read, so no change between the two is missed.
    if (this.#viewers.size === 0) this.#listen(true);
    this.#viewers.add(v);
    this.#awaiting.add(v);
    this.#arm(0);
    return () => this.#drop(v);
  }

  close(): void {
    this.#closed = true;
    for (const v of [...this.#viewers]) this.#drop(v);
  }

  #drop(v: BoardViewer): void {
    if (!this.#viewers.delete(v)) return;
    this.#awaiting.delete(v);
    if (this.#viewers.size > 0) return;
    this.#listen(false);
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
    for (const s of [this.#agents, this.#heads, this.#counts, this.#kept, this.#nextCountAt]) s.clear();
    this.#keptAllAt = 0;
  }

  #listen(on: boolean): void {
    if (on) this.o.health?.on('change', this.#onHealth);
    else this.o.health?.off('change', this.#onHealth);
    const f = this.o.feed;
    if (!f) return;
    if (on) {
      f.on('agent', this.#onAgent);
      f.on('campaign', this.#onCampaign);
      f.on('status', this.#onStatus);
    } else {
      f.off('agent', this.#onAgent);
      f.off('campaign', this.#onCampaign);
      f.off('status', this.#onStatus);
    }
  }

  readonly #onAgent = (id: number): void => {
    this.#agents.add(id);
    this.#arm(this.o.coalesceMs ?? 200);
  };

  readonly #onCampaign = (id: number): void => {
    this.#heads.add(id);
    this.#counts.add(id);
    this.#arm(this.o.coalesceMs ?? 200);
  };

  /** A dependency went up or down: every viewer with its snapshot hears it at once. */
  readonly #onHealth = (health: HealthView): void => {
    const json = JSON.stringify({ server_now: this.o.now().toISOString(), agents: [], campaigns: [], health } satisfies LiveMessage);
    for (const v of this.#viewers) if (!this.#awaiting.has(v)) v.send('update', json);
  };

  /** The feed lost or regained the other processes: every viewer gets a snapshot saying so. */
  readonly #onStatus = (): void => {
    // Changes may have been missed meanwhile: the kept counts are read again.
    this.#keptAllAt = 0;
    this.#kept.clear();
    for (const v of this.#viewers) this.#awaiting.add(v);
    this.#arm(0);
  };

  /** Runs a read in `ms` unless one is due sooner; a read in progress arms the next itself. */
  #arm(ms: number): void {
    if (this.#reading || this.#closed) return;
    const at = Date.now() + ms;
    if (this.#timer && this.#timerAt <= at) return;
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => void this.#run(), ms);
  }

  async #run(): Promise<void> {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    if (this.#viewers.size === 0) return;
    this.#reading = true;
    let failed = false;
    try {
      await this.#read();
    } catch (err) {
      failed = true;
      this.o.log.warn({ err }, 'live board read failed');
    } finally {
      this.#reading = false;
    }
    if (this.#viewers.size === 0) return;
    const coalesceMs = this.o.coalesceMs ?? 200;
    if (failed) this.#arm(this.o.retryMs ?? 2_000);
    else if (this.#awaiting.size) this.#arm(0);
    else if (this.#agents.size || this.#heads.size) this.#arm(coalesceMs);
    else if (this.#counts.size) {
      const due = Math.min(...[...this.#counts].map((id) => this.#nextCountAt.get(id) ?? 0));
      this.#arm(Math.max(coalesceMs, due - Date.now()));
    }
  }

  /**
   * One read for everyone: the snapshot when a viewer waits for one (everything), else the
   * changed rows. The ids it answers are taken out of the pending sets before the first await,
   * so a change that comes during the read is read again next time.
   */
  async #read(): Promise<void> {
    const now = this.o.now();
    const snapshotFor = [...this.#awaiting];
    const agents = take(this.#agents);
    const heads = take(this.#heads);
    const nowMs = Date.now();
    const countAll = snapshotFor.length > 0 && nowMs - this.#keptAllAt > (this.o.recountAfterMs ?? 30_000);
    const counts = countAll ? take(this.#counts) : take(this.#counts, (id) => (this.#nextCountAt.get(id) ?? 0) <= nowMs);
    const asked = [...new Set([...heads, ...counts])];
    try {
      if (snapshotFor.length > 0) {
        this.#awaiting.clear();
        const [ar, hr] = await Promise.all([this.o.reader.agents(now), this.o.reader.campaignHeads(now), this.#count(countAll ? undefined : counts)]);
        // After counting all, a campaign without a count has no members; one never counted since
        // watching began (its news lost, say) is counted now.
        const uncounted = hr.filter((h) => !this.#kept.has(h.id)).map((h) => h.id);
        if (countAll) uncounted.forEach((id) => this.#kept.set(id, ZERO_COUNTS(id)));
        else await this.#count(uncounted);
        const cr = hr.map((h) => this.#row(h));
        this.#prune(hr);
        // Snapshot viewers may have left meanwhile; those still here (and not re-queued) get it.
        const json = JSON.stringify({ server_now: now.toISOString(), agents: ar, campaigns: cr, live: this.o.feed?.live ?? false,
          health: this.o.health?.current ?? null } satisfies LiveMessage);
        for (const v of snapshotFor) if (this.#viewers.has(v) && !this.#awaiting.has(v)) v.send('snapshot', json);
        // The others get the changes this read answered, from the same rows.
        this.#broadcast(now, agents, asked, ar.filter((a) => agents.includes(a.id)), cr.filter((c) => asked.includes(c.id)), snapshotFor);
        return;
      }
      if (agents.length === 0 && asked.length === 0) return;
      const [ar, hr] = await Promise.all([this.o.reader.agents(now, agents), this.o.reader.campaignHeads(now, asked), this.#count(counts)]);
      for (const id of asked) if (!hr.some((h) => h.id === id)) this.#forget(id);
      this.#broadcast(now, agents, asked, ar, hr.map((h) => this.#row(h)), []);
    } catch (err) {
      // Keep the news for the next try; the snapshot viewers end (their client connects again).
      agents.forEach((id) => this.#agents.add(id));
      heads.forEach((id) => this.#heads.add(id));
      counts.forEach((id) => this.#counts.add(id));
      for (const v of snapshotFor) {
        if (!this.#viewers.has(v)) continue;
        this.#drop(v);
        v.fail(err);
      }
      throw err;
    }
  }

  /** Counts of these campaigns (all when undefined), kept; the next count of each is spaced by its cost. */
  async #count(ids: number[] | undefined): Promise<void> {
    if (ids && ids.length === 0) return;
    const startMs = Date.now();
    const rows = await this.o.reader.campaignCounts(ids);
    const endMs = Date.now();
    const next = endMs + Math.max(this.o.countEveryMs ?? 1_000, (this.o.countSpacing ?? 5) * (endMs - startMs));
    if (!ids) {
      this.#kept.clear();
      this.#keptAllAt = endMs;
    }
    for (const id of ids ?? []) this.#kept.set(id, ZERO_COUNTS(id));
    for (const r of rows) this.#kept.set(r.id, r);
    for (const id of ids ?? rows.map((r) => r.id)) this.#nextCountAt.set(id, next);
  }

  #row(h: CampaignHead): CampaignBoardRow {
    const c = this.#kept.get(h.id) ?? ZERO_COUNTS(h.id);
    return { ...h, ...c, id: h.id };
  }

  /** Drops what is kept of campaigns that no longer exist. */
  #prune(heads: readonly CampaignHead[]): void {
    const exist = new Set(heads.map((h) => h.id));
    for (const id of this.#kept.keys()) if (!exist.has(id)) this.#forget(id);
  }

  #forget(id: number): void {
    this.#kept.delete(id);
    this.#nextCountAt.delete(id);
    this.#counts.delete(id);
  }

  #broadcast(now: Date, agentIds: number[], campaignIds: number[], agents: AgentBoardRow[], campaigns: CampaignBoardRow[],
    skip: readonly BoardViewer[]): void {
    if (agentIds.length === 0 && campaignIds.length === 0) return;
    // Ids asked for but not found were deleted: the board drops them.
    const removed = {
      agents: agentIds.filter((id) => !agents.some((a) => a.id === id)),
      campaigns: campaignIds.filter((id) => !campaigns.some((c) => c.id === id)),
    };
    const json = JSON.stringify({ server_now: now.toISOString(), agents, campaigns, removed } satisfies LiveMessage);
    for (const v of this.#viewers) if (!this.#awaiting.has(v) && !skip.includes(v)) v.send('update', json);
  }
}

/** Removes and returns the set's members (those passing `keep`, when given). */
function take(s: Set<number>, keep?: (id: number) => boolean): number[] {
  const out = keep ? [...s].filter(keep) : [...s];
  for (const id of out) s.delete(id);
  return out;
}
