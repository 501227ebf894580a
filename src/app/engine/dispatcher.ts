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

interface PassState {
  upNodes: string[];
  presentAgentIds: number[];
  exclude: number[];
  campaigns: OpenCampaign[];
  claims: number;
  /** No agent left: every claim loop of the pass stops. */
  done: boolean;
  /** Claims of this pass in progress now (their agent rows are locked). */
  inFlight: number;
  /** Agents claimed in this pass: not offered again from an older search's list. */
  taken: Set<number>;
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
   * Several claims run at once: each waits mostly on MySQL round trips, and SKIP LOCKED keeps
   * them off each other's agents and members.
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
    const pass: PassState = { upNodes: this.d.upNodes(), presentAgentIds: await this.#presentAgents(), exclude: [], campaigns: claimable, claims: 0,
      done: false, inFlight: 0, taken: new Set() };
    await Promise.all(Array.from({ length: this.d.concurrency ?? DEFAULT_CONCURRENCY }, (_, slot) => this.#claimLoop(pass, slot)));
    return pass.claims >= MAX_CLAIMS_PER_PASS;
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

  async #claimLoop(pass: PassState, slot: number): Promise<void> {
    const concurrency = this.d.concurrency ?? DEFAULT_CONCURRENCY;
    /**
     * This loop's share of the latest search's ready agents, best first (A2): the claim tries the
     * next one before searching again, so one search serves several claims. Sibling loops take
     * every concurrency-th agent from their own slot on, so they do not try the same ones.
     */
    let queue: number[] = [];
    while (!pass.done && !this.#closed && pass.campaigns.length > 0 && pass.claims < MAX_CLAIMS_PER_PASS) {
      const started = performance.now();
      pass.inFlight++;
      queue = queue.filter((id) => !pass.taken.has(id) && !pass.exclude.includes(id));
      const agentId = queue.shift();
      const r = await this.d.store.claimNext({
        now: this.d.now(),
        instanceId: this.d.instanceId,
        leaseUntil: new Date(Date.now() + this.d.leaseSec * 1000),
        upNodes: pass.upNodes,
        presentAgentIds: pass.presentAgentIds,
        campaigns: pass.campaigns,
        excludeAgentIds: [...pass.exclude],
        slot,
        ...(agentId !== undefined ? { agentId } : {}),
      }).finally(() => { pass.inFlight--; });
      if (r.kind === 'claimed') pass.taken.add(r.attempt.agentId);
      if (r.kind !== 'no-agent' && r.searched) queue = r.searched.filter((_, i) => i % concurrency === slot % concurrency);
      switch (r.kind) {
        case 'no-agent':
          // A sibling claim may hold agent rows it will not use (FOR UPDATE locks every row the
          // ordered agent query matched, not only the one returned), so SKIP LOCKED saw none:
          // only a claim with no sibling in progress knows that no agent is left.
          if (pass.inFlight === 0) pass.done = true;
          return;
        case 'agent-idle':
          // Full or without a dialable member: true for every agent, not only this one.
          if (!r.agentMayRetry) pass.exclude.push(r.agentId);
          // C3: a full line group leaves this pass for every campaign on it; when a line frees, the
          // settle kicks a new pass that serves the group's campaigns in priority order again.
          pass.campaigns = pass.campaigns.filter((c) =>
            !r.exhaustedCampaignIds.includes(c.id) && !(c.lineGroupId !== null && r.fullLineGroupIds.includes(c.lineGroupId)));
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
    const running = await this.d.store.runningCampaigns();
    const open: OpenCampaign[] = [];
    for (const c of running) {
      const calendarZoneOpen = isOpen(c.calendar, c.calendar.timezone, now);
      const openZones = c.zones.filter((z) => isOpen(c.calendar, z, now));
      if (calendarZoneOpen || openZones.length) open.push({ id: c.id, lineGroupId: c.lineGroupId, calendarZoneOpen, openZones, predictive: c.predictive ?? false });
      if (!calendarZoneOpen || openZones.length < c.zones.length) await this.#armOpening(c, now);
    }
    return open;
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
