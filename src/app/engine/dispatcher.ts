import type { Logger } from 'pino';
import { isOpen, nextOpening } from '../../domain/calendar.js';
import type { ClaimedAttempt, DispatchStore, OpenCampaign, RunningCampaign } from '../ports/dispatch-store.js';
import type { Timers } from '../ports/timers.js';

export interface DispatcherDeps {
  store: DispatchStore;
  timers: Timers;
  log: Logger;
  now: () => Date;
  instanceId: string;
  leaseSec: number;
  upNodes: () => string[];
  /** Starts the call of a claimed attempt; not awaited by dispatch. */
  onClaimed: (a: ClaimedAttempt) => void;
  /** Claims run at once in a pass. @defaultValue 4 */
  concurrency?: number;
  /** Observes how long a claim took (metrics). */
  observeClaim?: (seconds: number) => void;
  /** A pass ended: a claim found nothing more to do, or every campaign was closed. */
  afterPass?: () => void;
  /**
   * Runs in every pass before the claims, with whether a predictive campaign is open (P3: the
   * agents' nailed-up legs); a failure is logged, the pass goes on.
   */
  beforePass?: (upNodes: string[], open: readonly OpenCampaign[]) => Promise<void>;
  /**
   * W2: agents with a CTI client connected now, read once per pass; an agent that requires a
   * client is offered calls only when listed. Absent: nobody has a client.
   */
  presentAgents?: () => Promise<number[]>;
}

/** Claims per pass before yielding, so one pass never starves the event loop. */
const MAX_CLAIMS_PER_PASS = 200;
const DEFAULT_CONCURRENCY = 4;
/** Ready agents read per search (A2 order); the pass searches again when it tried them all and the page was full. */
const SEARCH_PAGE = 32;
/**
 * How long the running campaigns read from MySQL serve the passes, ms. The changes that matter
 * are news (campaign-changed, members-added: campaignsChanged()); this bounds how late a change
 * without news is seen (a campaign another process finished, a row edited by hand).
 */
const CAMPAIGNS_MAX_AGE_MS = 1_000;

interface PassState {
  upNodes: string[];
  presentAgentIds: number[];
  /** Agents found with nothing to dial in this pass (full or no member): never searched again in it. */
  exclude: number[];
  campaigns: OpenCampaign[];
  claims: number;
  /** Ready agents of the pass's searches not tried yet, best first (A2); every claim loop takes the next. */
  queue: number[];
  /** Agents handed to a claim in this pass: a later search of the pass leaves them out. */
  tried: Set<number>;
  /** The latest search filled its page: more ready agents may be left after the queue. */
  more: boolean;
  /** The search in progress, which the claim loops that ran out of agents wait for. */
  searching: Promise<void> | null;
}
/** Pause before a pass that failed runs again, ms. */
const RETRY_AFTER_FAILURE_MS = 1_000;

/**
 * Event-driven dispatch (DESIGN §2 step 1): `kick()` whenever something may have become
 * possible. Kicks coalesce: one pass runs at a time and a kick during a pass runs one more.
 */
export class Dispatcher {
  #running: Promise<void> | null = null;
  #again = false;
  #closed = false;
  /** Calendar wake-ups already armed, so a pass does not re-send them to Redis. */
  readonly #armed = new Map<number, number>();
  /** The running campaigns as last read, and when (performance.now()). */
  #runningList: { list: RunningCampaign[]; at: number } | null = null;
  /** Counts campaignsChanged() calls: a read that one overlapped is used once, not kept. */
  #campaignChanges = 0;

  constructor(private readonly d: DispatcherDeps) {}

  kick(): void {
    if (this.#closed) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#loop().finally(() => {
      this.#running = null;
    });
  }

  /**
   * A campaign was started, stopped or edited, or got members (maybe in a new zone, K3): the
   * next pass reads the running campaigns again.
   */
  campaignsChanged(): void {
    this.#runningList = null;
    this.#campaignChanges++;
  }

  /** Waits for the pass in progress (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.idle();
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      try {
        const more = await this.#pass();
        if (more) this.#again = true;
        else this.d.afterPass?.();
      } catch (err) {
        // S3: e.g. the database connection was lost; try again soon rather than wait for the next event.
        this.d.log.error({ err }, 'dispatch pass failed');
        setTimeout(() => this.kick(), RETRY_AFTER_FAILURE_MS).unref();
        return;
      }
    } while (this.#again && !this.#closed);
  }

  /**
   * One pass: claim until no agent or no member is left. True when it stopped at the cap.
   * One search (no transaction, no locks) lists the ready agents best first; claim loops take
   * them in turn, each claim one transaction for one agent. Several claims run at once: each
   * waits mostly on MySQL round trips, and SKIP LOCKED keeps them off each other's members. A
   * pass with no ready agent costs that one statement; a claim is never run to find nothing.
   */
  async #pass(): Promise<boolean> {
    const open = await this.#openCampaigns(this.d.now());
    if (this.d.beforePass) {
      try {
        await this.d.beforePass(this.d.upNodes(), open);
      } catch (err) {
        this.d.log.error({ err }, 'before-pass work failed');
      }
    }
    if (open.length === 0) return false;
    // P3: predictive campaigns are dialled by their pacer (member first, agent at the answer), never by claims.
    const claimable = open.filter((c) => !c.predictive);
    if (claimable.length === 0) return false;
    const upNodes = this.d.upNodes();
    if (upNodes.length === 0) return false;
    const pass: PassState = { upNodes, presentAgentIds: await this.#presentAgents(), exclude: [], campaigns: claimable, claims: 0,
      queue: [], tried: new Set(), more: false, searching: null };
    await this.#search(pass);
    const loops = Math.min(this.d.concurrency ?? DEFAULT_CONCURRENCY, pass.queue.length);
    await Promise.all(Array.from({ length: loops }, () => this.#claimLoop(pass)));
    return pass.claims >= MAX_CLAIMS_PER_PASS;
  }

  /** The next page of ready agents (A2 order) onto the pass's queue; loops that ask meanwhile share it. */
  #search(pass: PassState): Promise<void> {
    pass.searching ??= (async () => {
      const found = await this.d.store.readyAgents({
        now: this.d.now(),
        upNodes: pass.upNodes,
        presentAgentIds: pass.presentAgentIds,
        campaigns: pass.campaigns,
        excludeAgentIds: [...pass.exclude, ...pass.tried],
      }, SEARCH_PAGE);
      pass.more = found.length >= SEARCH_PAGE;
      for (const id of found) {
        if (pass.tried.has(id)) continue;
        pass.tried.add(id);
        pass.queue.push(id);
      }
    })().finally(() => { pass.searching = null; });
    return pass.searching;
  }

  /** W2: unknown (Redis away) counts as nobody: an agent that requires a client is then not offered calls. */
  async #presentAgents(): Promise<number[]> {
    try {
      return (await this.d.presentAgents?.()) ?? [];
    } catch (err) {
      this.d.log.warn({ err }, 'agent presence unknown: agents that require a client are not offered calls in this pass');
      return [];
    }
  }

  async #claimLoop(pass: PassState): Promise<void> {
    while (!this.#closed && pass.campaigns.length > 0 && pass.claims < MAX_CLAIMS_PER_PASS) {
      if (pass.queue.length === 0 && pass.searching) await pass.searching;
      if (pass.queue.length === 0 && pass.more) await this.#search(pass);
      const agentId = pass.queue.shift();
      if (agentId === undefined) return;
      const started = performance.now();
      const r = await this.d.store.claimNext({
        now: this.d.now(),
        instanceId: this.d.instanceId,
        leaseUntil: new Date(Date.now() + this.d.leaseSec * 1000),
        upNodes: pass.upNodes,
        presentAgentIds: pass.presentAgentIds,
        campaigns: pass.campaigns,
        excludeAgentIds: pass.exclude,
        agentId,
      });
      switch (r.kind) {
        case 'no-agent':
          // Another process's claim holds this agent, or it is no longer ready: the next one.
          continue;
        case 'agent-idle':
          // C3: a full line group leaves this pass for every campaign on it; when a line frees, the
          // settle kicks a new pass that serves the group's campaigns in priority order again.
          pass.campaigns = pass.campaigns.filter((c) =>
            !r.exhaustedCampaignIds.includes(c.id) && !(c.lineGroupId !== null && r.fullLineGroupIds.includes(c.lineGroupId)));
          // Full or without a dialable member: true for every agent, not only this one. A campaign
          // that filled during the claim: the same agent, the best of those left, tries the others.
          if (r.agentMayRetry) pass.queue.unshift(r.agentId);
          else pass.exclude.push(r.agentId);
          continue;
        case 'claimed':
          pass.claims++;
          this.d.observeClaim?.((performance.now() - started) / 1000);
          this.d.onClaimed(r.attempt);
          continue;
        default: {
          const never: never = r;
          return never;
        }
      }
    }
  }

  /**
   * K3, K4: where each running campaign may dial now. A campaign closed in every zone it has
   * members in gets one wake-up at its next opening instead of being polled.
   */
  async #openCampaigns(now: Date): Promise<OpenCampaign[]> {
    const running = await this.#runningCampaigns();
    const open: OpenCampaign[] = [];
    for (const c of running) {
      const calendarZoneOpen = isOpen(c.calendar, c.calendar.timezone, now);
      const openZones = c.zones.filter((z) => isOpen(c.calendar, z, now));
      if (calendarZoneOpen || openZones.length) open.push({ id: c.id, lineGroupId: c.lineGroupId, calendarZoneOpen, openZones, predictive: c.predictive ?? false });
      if (!calendarZoneOpen || openZones.length < c.zones.length) await this.#armOpening(c, now);
    }
    return open;
  }

  async #runningCampaigns(): Promise<RunningCampaign[]> {
    const cached = this.#runningList;
    if (cached && performance.now() - cached.at < CAMPAIGNS_MAX_AGE_MS) return cached.list;
    const at = performance.now();
    const changes = this.#campaignChanges;
    const list = await this.d.store.runningCampaigns();
    // A change announced while the read was under way: the next pass reads again.
    if (changes === this.#campaignChanges) this.#runningList = { list, at };
    return list;
  }

  async #armOpening(c: RunningCampaign, now: Date): Promise<void> {
    const next = [c.calendar.timezone, ...c.zones]
      .filter((z) => !isOpen(c.calendar, z, now))
      .map((z) => nextOpening(c.calendar, z, now))
      .filter((d): d is Date => d !== null)
      .reduce<Date | null>((min, d) => (min === null || d < min ? d : min), null);
    if (!next || this.#armed.get(c.id) === next.getTime()) return;
    await this.d.timers.schedule({ kind: 'calendar-open', id: String(c.id), atMs: next.getTime() });
    this.#armed.set(c.id, next.getTime());
  }
}
