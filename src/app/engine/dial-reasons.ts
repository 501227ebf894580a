import type { Logger } from 'pino';
import { dialReason, mergeNodeViews, openZones, sameReason, type NodeFact } from '../../domain/dial-reason.js';
import type { DialFactsStore } from '../ports/dial-facts.js';
import type { DispatchStore } from '../ports/dispatch-store.js';
import type { LiveFeed } from './live-feed.js';

export interface DialReasonsDeps {
  facts: DialFactsStore;
  dispatchStore: DispatchStore;
  /** This process's view of the FreeSWITCH nodes, as its claims use it. */
  nodes: () => NodeFact[];
  live: LiveFeed;
  log: Logger;
  now: () => Date;
  /** This process's instance id: its row of node views. */
  instanceId: string;
  /** Least time between two reads of the facts, ms. @defaultValue 1000 */
  everyMs?: number;
  /**
   * A process's node views count while it wrote them this recently, ms; each process writes its
   * own at least every third of it. @defaultValue 30000
   */
  nodeViewsFreshMs?: number;
}

/**
 * Issue 13 §1: keeps each running campaign's reason (dial-reason.ts) in its row, from the facts
 * the claim checks. Asked after every dispatch pass (a pass ends when a claim found nothing more
 * to do) and on the housekeeping beat; reads at most once per `everyMs` whatever the number of
 * passes, and writes only a reason that changed. A change is announced on the live feed, which
 * the relay carries to every process: the stored value is the one answer all boards show.
 */
export class DialReasons {
  #running: Promise<void> | null = null;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #lastAt = 0;
  #closed = false;
  /** This process's node view as last written, and when. */
  #shared = { json: '', at: 0 };

  constructor(private readonly d: DialReasonsDeps) {}

  request(): void {
    if (this.#closed) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    if (this.#timer) return;
    const wait = this.#lastAt + (this.d.everyMs ?? 1_000) - Date.now();
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.refresh()
        .catch((err) => this.d.log.warn({ err }, 'dial reasons not read'))
        .finally(() => {
          this.#running = null;
          if (this.#again) {
            this.#again = false;
            this.request();
          }
        });
    }, Math.max(0, wait));
    this.#timer.unref();
  }

  /** Reads the facts of every running campaign and stores the reasons that changed. */
  async refresh(): Promise<void> {
    this.#lastAt = Date.now();
    const now = this.d.now();
    const running = await this.d.dispatchStore.runningCampaigns();
    const nodes = await this.#allNodes(now);
    const up = nodes.filter((n) => n.up).map((n) => n.node);
    const read = await this.d.facts.gather(running.map((c) => ({ campaign: c, ...openZones(c, now) })), up, now);
    for (const [id, { facts, stored }] of read) {
      const reason = dialReason({ ...facts, nodes }, now);
      if (sameReason(reason, stored)) continue;
      if (await this.d.facts.saveReason(id, reason)) this.d.live.campaign(id);
    }
  }

  /**
   * The nodes as every engine process sees them (mergeNodeViews), so all decide alike: this
   * process's view is written when it changed or a third of the freshness has passed.
   */
  async #allNodes(now: Date): Promise<NodeFact[]> {
    const own = this.d.nodes();
    const freshMs = this.d.nodeViewsFreshMs ?? 30_000;
    const json = JSON.stringify(own.map((n) => [n.node, n.up]));
    if (json !== this.#shared.json || now.getTime() - this.#shared.at >= freshMs / 3) {
      await this.d.facts.shareNodes(this.d.instanceId, own, now);
      this.#shared = { json, at: now.getTime() };
    }
    const others = (await this.d.facts.nodeViews(new Date(now.getTime() - freshMs))).filter((v) => v.instanceId !== this.d.instanceId);
    return mergeNodeViews([...own, ...others]);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
