import type { Logger } from 'pino';
import { isPastEnd } from '../../domain/calendar.js';
import type { CallStore, ResultStatusStore, SettleResult, WakeUp } from '../ports/call-store.js';
import type { DispatchStore } from '../ports/dispatch-store.js';
import type { EngineSignals } from '../ports/engine-signals.js';
import type { EngineStore } from '../ports/engine-store.js';
import type { ResultStatus, ResultStatusOutcome } from '../ports/result-status.js';
import type { Telephony } from '../ports/telephony.js';
import type { TimerRequest, Timers } from '../ports/timers.js';
import { CallFlow } from './call-flow.js';
import { Dispatcher } from './dispatcher.js';
import type { EngineMetrics } from './engine-metrics.js';
import { LiveFeed } from './live-feed.js';

export interface EngineDeps {
  dispatchStore: DispatchStore;
  calls: CallStore;
  resultStatus: ResultStatusStore;
  engineStore: EngineStore;
  telephony: Telephony;
  timers: Timers;
  log: Logger;
  now?: () => Date;
  instanceId: string;
  leaseSec: number;
  /** Safety sweep period, ms (DESIGN §2: a slow sweep beside the events). @defaultValue 30000 */
  sweepMs?: number;
  agentCallerId?: { number: string; name: string };
  metrics?: EngineMetrics;
}

const EXPIRE_BATCH = 1000;

/**
 * The dialing engine: dispatch, the calls, the wake-ups and the housekeeping, wired together.
 * Also the EngineSignals the REST layer calls after a change.
 */
export class Engine implements EngineSignals {
  readonly dispatcher: Dispatcher;
  readonly calls: CallFlow;
  /** Changes as they happen, for the live boards. */
  readonly live = new LiveFeed();
  readonly #now: () => Date;
  #leaseTimer: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;

  constructor(private readonly d: EngineDeps) {
    this.#now = d.now ?? (() => new Date());
    this.dispatcher = new Dispatcher({
      store: d.dispatchStore,
      timers: d.timers,
      log: d.log.child({ component: 'dispatch' }),
      now: this.#now,
      instanceId: d.instanceId,
      leaseSec: d.leaseSec,
      upNodes: () => d.telephony.upNodes(),
      onClaimed: (a) => this.calls.start(a),
      observeClaim: d.metrics?.observeClaim,
    });
    this.calls = new CallFlow({
      calls: d.calls,
      engineStore: d.engineStore,
      telephony: d.telephony,
      log: d.log.child({ component: 'call' }),
      now: this.#now,
      afterSettle: (r) => this.#afterSettle(r),
      kick: () => this.dispatcher.kick(),
      agentCallerId: d.agentCallerId ?? { number: '0000000000', name: 'Dialer' },
      socketDeadlineMs: 10_000,
      onOriginate: (a) => {
        d.metrics?.onOriginate(a);
        this.live.agent(a.agentId);
        this.live.campaign(a.campaignId);
      },
      live: this.live,
    });
  }

  async start(): Promise<void> {
    const now = this.#now();
    await this.d.telephony.start(this.calls);
    await this.#recover(now);
    await this.d.engineStore.releaseStuckAgents(now);
    await this.#rebuildTimers(now);
    await this.d.timers.start((t) => this.#onTimer(t));
    this.#leaseTimer = setInterval(() => {
      const until = new Date(this.#now().getTime() + this.d.leaseSec * 1000);
      this.d.calls.renewLeases(this.d.instanceId, until).catch((err) => this.d.log.error({ err }, 'lease renewal failed'));
    }, (this.d.leaseSec * 1000) / 3);
    this.#leaseTimer.unref();
    await this.#sweep();
  }

  campaignChanged(campaignId: number): void {
    this.d.log.debug({ campaignId }, 'campaign changed');
    this.live.campaign(campaignId);
    void this.#checkCampaignEnds().catch((err) => this.d.log.error({ err }, 'campaign end check failed'));
    void this.d.engineStore.settleCampaign(campaignId, this.#now()).catch((err) => this.d.log.error({ err }, 'campaign settle failed'));
    this.dispatcher.kick();
  }

  agentChanged(agentId: number): void {
    this.live.agent(agentId);
    this.dispatcher.kick();
  }

  membersAdded(campaignId: number): void {
    this.live.campaign(campaignId);
    void this.#armExpiry().catch((err) => this.d.log.error({ err }, 'expiry timer failed'));
    this.dispatcher.kick();
  }

  /** R1, R2: the REST status of a member, then its wake-up and the campaign's end (C10). */
  readonly applyResultStatus = async (campaignId: number, memberId: number, s: ResultStatus, now: Date): Promise<ResultStatusOutcome> => {
    const r = await this.d.resultStatus(campaignId, memberId, s, now);
    await this.d.timers.scheduleMany(r.wakeUps.map(toTimer));
    if (r.campaignId !== null) await this.d.engineStore.settleCampaign(r.campaignId, now);
    this.live.campaign(campaignId);
    if (r.wakeUps.length) this.dispatcher.kick();
    return r.outcome;
  };

  async #afterSettle(r: SettleResult): Promise<void> {
    if (r.kind !== 'settled') return;
    this.d.metrics?.onSettled(r);
    this.live.agent(r.agentId);
    this.live.campaign(r.campaignId);
    await this.d.timers.scheduleMany(r.wakeUps.map(toTimer));
    const state = await this.d.engineStore.settleCampaign(r.campaignId, this.#now());
    if (state) this.d.log.info({ campaignId: r.campaignId, state }, 'campaign settled');
    this.dispatcher.kick();
  }

  async #onTimer(t: TimerRequest): Promise<void> {
    const now = this.#now();
    switch (t.kind) {
      case 'member-ready':
      case 'agent-ready':
      case 'calendar-open':
        break;
      case 'wrapup-end':
        await this.d.calls.endWrapup(Number(t.id), now);
        break;
      case 'result-deadline':
        await this.#afterSettle(await this.d.calls.resultDeadlinePassed(Number(t.id), now));
        return;
      case 'member-expire':
        await this.#expire(now);
        break;
      case 'campaign-end':
        await this.#checkCampaignEnds();
        return;
      case 'sweep':
        await this.#sweep();
        return;
      default: {
        const never: never = t.kind;
        return never;
      }
    }
    this.dispatcher.kick();
  }

  /** The slow safety net beside the events: expiry, calendar ends, orphans, then dispatch. */
  async #sweep(): Promise<void> {
    const now = this.#now();
    await this.#expire(now);
    await this.#checkCampaignEnds();
    await this.#recover(now);
    const at = now.getTime() + (this.d.sweepMs ?? 30_000);
    await this.d.timers.schedule({ kind: 'sweep', id: 'engine', atMs: at });
    this.dispatcher.kick();
  }

  /** M4: members past their expire instant end with MEMBER_EXPIRED. */
  async #expire(now: Date): Promise<void> {
    const touched = new Set<number>();
    for (;;) {
      const r = await this.d.engineStore.expireMembers(now, EXPIRE_BATCH);
      r.campaignIds.forEach((id) => touched.add(id));
      if (r.expired < EXPIRE_BATCH) break;
    }
    for (const id of touched) await this.d.engineStore.settleCampaign(id, now);
    await this.#armExpiry();
  }

  async #armExpiry(): Promise<void> {
    const next = await this.d.engineStore.nextExpiry();
    if (next) await this.d.timers.schedule({ kind: 'member-expire', id: 'next', atMs: next.getTime() });
  }

  /** C10: a campaign stops when its calendar's end passes; otherwise it wakes up then. */
  async #checkCampaignEnds(): Promise<void> {
    const now = this.#now();
    for (const c of await this.d.engineStore.campaignCalendars()) {
      if (c.state !== 'running' || !c.calendar.endAt) continue;
      if (isPastEnd(c.calendar, now)) {
        const s = await this.d.engineStore.stopCampaign(c.id, now);
        this.d.log.info({ campaignId: c.id, state: s }, 'calendar end passed');
      } else {
        await this.d.timers.schedule({ kind: 'campaign-end', id: String(c.id), atMs: c.calendar.endAt.getTime() });
      }
    }
  }

  /**
   * S3: attempts whose owner is gone are settled with no attempt charged to the member: the
   * leg, if still up, is hung up (its socket owner is dead) and the agent is freed.
   */
  async #recover(now: Date): Promise<void> {
    const orphans = await this.d.calls.orphanedAttempts(this.d.instanceId, now);
    for (const o of orphans) {
      if (o.node && o.agentUuid && (await this.d.telephony.exists(o.node, o.agentUuid)) === true) {
        await this.d.telephony.kill(o.node, o.agentUuid, 'NORMAL_CLEARING');
      }
      const r = await this.d.calls.settleAgentFailure(o.id, 'UNKNOWN', false, now);
      if (r.kind === 'settled') this.d.log.warn({ attemptId: o.id }, 'orphaned attempt recovered');
      await this.#afterSettle(r);
    }
  }

  async #rebuildTimers(now: Date): Promise<void> {
    const wakeUps = await this.d.engineStore.pendingWakeUps(now);
    await this.d.timers.scheduleMany(wakeUps.map(toTimer));
    await this.#armExpiry();
    await this.#checkCampaignEnds();
  }

  /** Stops claiming, lets the calls of this process finish, then closes (STYLE 8). */
  close(): Promise<void> {
    return (this.#closing ??= (async () => {
      clearInterval(this.#leaseTimer);
      await this.dispatcher.close();
      await this.calls.drain();
      this.calls.close();
    })());
  }
}

export function toTimer(w: WakeUp): TimerRequest {
  switch (w.kind) {
    case 'member-ready':
      return { kind: w.kind, id: w.memberId === null ? `c${w.campaignId}` : String(w.memberId), atMs: w.at.getTime() };
    case 'agent-ready':
    case 'wrapup-end':
      return { kind: w.kind, id: String(w.agentId), atMs: w.at.getTime() };
    case 'result-deadline':
      return { kind: w.kind, id: String(w.attemptId), atMs: w.at.getTime() };
  }
}
