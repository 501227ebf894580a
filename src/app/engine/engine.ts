import type { SettleResult } from '../ports/call-store.js';
import type { DispatchNewsItem } from '../ports/dispatch-news.js';
import type { CallLeg, EngineSignals } from '../ports/engine-signals.js';
import type { ApplyResultStatus } from '../ports/result-status.js';
import { resultStatusFlow } from '../result-status-flow.js';
import type { TimerRequest } from '../ports/timers.js';
import { CallFlow } from './call-flow.js';
import { CampaignChecks } from './campaign-checks.js';
import type { PredictiveFlow } from './predictive-flow.js';
import type { PacerRunner } from './pacer-runner.js';
import { DialReasons } from './dial-reasons.js';
import { Dispatcher } from './dispatcher.js';
import type { EngineDeps } from './engine-deps.js';
import { LiveFeed } from './live-feed.js';
import { handleNews } from './news-handler.js';
import { wirePredictive } from './predictive-wiring.js';
import { recoverOrphans } from './recovery.js';
import { Settlement } from './settlement.js';
import { Upkeep } from './upkeep.js';
import { toTimer } from './wake-up-timer.js';

export type { EngineDeps } from './engine-deps.js';

/**
 * The dialing engine: dispatch, the calls, the wake-ups and the housekeeping, wired together.
 * Also the EngineSignals the REST layer calls after a change.
 */
export class Engine implements EngineSignals {
  readonly dispatcher: Dispatcher;
  readonly calls: CallFlow;
  readonly predictive: PredictiveFlow | undefined;
  readonly pacer: PacerRunner | undefined;
  /** Changes as they happen, for the live boards. */
  readonly live: LiveFeed;
  /** R1, R2: the REST status of a member (result-status-flow.ts), dispatched here at once. */
  readonly applyResultStatus: ApplyResultStatus;
  readonly #upkeep: Upkeep;
  readonly #settle: Settlement;
  readonly #campaignChecks: CampaignChecks;
  readonly #reasons: DialReasons | undefined;
  readonly #now: () => Date;
  #leaseTimer: NodeJS.Timeout | undefined;
  #housekeeping: Promise<void> | null = null;
  /** Attempts of this instance id created before this instant belong to a previous incarnation. */
  #startedAt = new Date(0);
  #closing: Promise<void> | undefined;

  constructor(private readonly d: EngineDeps) {
    this.#now = d.now ?? (() => new Date());
    this.live = d.live ?? new LiveFeed();
    this.#settle = new Settlement(d.calls);
    this.dispatcher = new Dispatcher({
      store: d.dispatchStore,
      timers: d.timers,
      // `component` is already 'engine' on d.log: a part of it gets its own key, never a second `component`.
      log: d.log.child({ part: 'dispatch' }),
      now: this.#now,
      instanceId: d.instanceId,
      leaseSec: d.leaseSec,
      upNodes: () => d.telephony.upNodes(),
      onClaimed: (a) => this.calls.start(a),
      observeClaim: d.metrics?.observeClaim,
      ...(d.presentAgents ? { presentAgents: d.presentAgents } : {}),
      afterPass: () => this.#reasons?.request(),
      beforePass: async (upNodes, open) => {
        await this.predictive?.keepNailedLegs(upNodes, open.some((c) => c.predictive));
        await this.pacer?.run(open);
      },
    });
    this.#reasons = d.dialFacts && new DialReasons({
      facts: d.dialFacts,
      dispatchStore: d.dispatchStore,
      nodes: () => d.telephony.nodeHealth?.() ?? d.telephony.upNodes().map((node) => ({ node, up: true, since: null })),
      live: this.live,
      instanceId: d.instanceId,
      log: d.log.child({ part: 'reasons' }),
      now: this.#now,
    });
    const predictive = wirePredictive(d, {
      settle: this.#settle,
      live: this.live,
      now: this.#now,
      afterSettle: (r) => this.#afterSettle(r),
      kick: () => this.dispatcher.kick(),
    });
    this.predictive = predictive?.flow;
    this.pacer = predictive?.pacer;
    this.calls = new CallFlow({
      calls: d.calls,
      previews: d.previews,
      settle: this.#settle,
      engineStore: d.engineStore,
      telephony: d.telephony,
      log: d.log.child({ part: 'call' }),
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
      ...(this.predictive ? { predictive: this.predictive } : {}),
    });
    this.#upkeep = new Upkeep({
      engineStore: d.engineStore,
      calls: d.calls,
      timers: d.timers,
      live: this.live,
      log: d.log,
      now: this.#now,
      recover: (now) => this.#recover(now),
      kick: () => this.dispatcher.kick(),
      ...(d.sweepMs ? { sweepMs: d.sweepMs } : {}),
    });
    this.#campaignChecks = new CampaignChecks({ engineStore: d.engineStore, live: this.live, log: d.log, now: this.#now });
    this.applyResultStatus = resultStatusFlow({
      store: d.resultStatus, timers: d.timers, engineStore: d.engineStore, news: d.news, live: this.live,
      onReady: () => this.dispatcher.kick(),
    });
  }

  async start(): Promise<void> {
    const now = this.#now();
    this.#startedAt = now;
    await this.d.telephony.start(this.calls);
    // Legs can only be asked about once a FreeSWITCH connection is up (bounded; later passes retry).
    for (let i = 0; i < 50 && this.d.telephony.upNodes().length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    // S3: a previous incarnation of this instance id is surely dead: its attempts now; others' when their lease expires.
    await this.#recover(now);
    await this.d.engineStore.releaseStuckAgents(now);
    // Marks Redis as holding the wake-ups, which the rebuild below makes true.
    await this.#timersLost();
    await this.#upkeep.rebuildTimers(now);
    await this.d.timers.start((t) => this.#onTimer(t));
    await this.d.news?.listen((items) => this.#onNews(items));
    // Renewal at a third of the lease; the same beat settles other processes' expired leases
    // and notices a Redis that lost its wake-ups, independently of those wake-ups.
    this.#leaseTimer = setInterval(() => {
      this.#housekeeping ??= this.#housekeep().finally(() => { this.#housekeeping = null; });
    }, (this.d.leaseSec * 1000) / 3);
    this.#leaseTimer.unref();
    await this.#upkeep.sweep();
  }

  async #housekeep(): Promise<void> {
    const now = this.#now();
    try {
      await this.d.calls.renewLeases(this.d.instanceId, new Date(now.getTime() + this.d.leaseSec * 1000));
    } catch (err) {
      this.d.log.error({ err }, 'lease renewal failed');
    }
    if (this.#closing) return;
    try {
      await this.#recover(now);
      await this.#upkeep.endOverdueWrapups(now);
      await this.predictive?.checkNailedLegs();
      await this.#upkeep.settleStopping(now);
      if (await this.#timersLost()) {
        this.d.log.warn('Redis lost the wake-ups: rebuilding them from MySQL');
        await this.#upkeep.rebuildTimers(now);
        await this.#upkeep.sweep();
      }
    } catch (err) {
      this.d.log.error({ err }, 'housekeeping failed');
    }
    // A pass on every beat: work freed by another process (or a kick lost to a failure) is found here.
    this.dispatcher.kick();
    // Reasons change with time alone too (a node down for long, a due time that passed).
    this.#reasons?.request();
  }

  async #timersLost(): Promise<boolean> {
    try {
      return (await this.d.timersLost?.()) ?? false;
    } catch (err) {
      this.d.log.warn({ err }, 'could not check the wake-ups in Redis');
      return false;
    }
  }

  campaignChanged(campaignId: number): void {
    this.#changedHere({ kind: 'campaign-changed', campaignId });
  }

  agentChanged(agentId: number): void {
    this.#changedHere({ kind: 'agent-changed', agentId });
  }

  membersAdded(campaignId: number): void {
    this.#changedHere({ kind: 'members-added', campaignId });
  }

  hangUp(call: CallLeg): void {
    this.#changedHere({ kind: 'hang-up', ...call });
  }

  previewAccepted(attemptId: number): void {
    this.#changedHere({ kind: 'preview-accepted', attemptId });
  }

  /** A change made through this process's REST API: handled here, then told to the others. */
  #changedHere(item: DispatchNewsItem): void {
    this.#onNews([item]);
    this.d.news?.announce(item);
  }

  /** Changes, made here or announced by another process (news-handler.ts), then a dispatch pass. */
  #onNews(items: DispatchNewsItem[]): void {
    // The running campaigns (and their zones, K3) are read again by the next pass.
    if (items.some((n) => n.kind === 'campaign-changed' || n.kind === 'members-added')) this.dispatcher.campaignsChanged();
    handleNews(items, {
      live: this.live, log: this.d.log, now: this.#now, engineStore: this.d.engineStore, telephony: this.d.telephony,
      upkeep: this.#upkeep, previewAccepted: (id) => this.calls.previewAccepted(id),
    });
    this.dispatcher.kick();
  }

  async #afterSettle(r: SettleResult): Promise<void> {
    if (r.kind !== 'settled') return;
    // First, so the other processes race this one for the freed line and agent on equal terms.
    this.d.news?.announce({ kind: 'settled', campaignId: r.campaignId, agentId: r.agentId });
    this.d.metrics?.onSettled(r);
    // The news above tells the other processes' boards too.
    this.live.show({ agents: r.agentId ? [r.agentId] : [], campaigns: [r.campaignId] });
    await this.d.timers.scheduleMany(r.wakeUps.map(toTimer));
    // C10: a running campaign finishes only when a member ends; a stopping one when a line frees.
    // (A stop that raced this settle is caught by the housekeeping beat.)
    const running = r.campaignState === 'running';
    if (!running || r.decision?.kind === 'end') this.#campaignChecks.soon(r.campaignId, running ? 'running' : undefined);
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
        if (await this.d.calls.endWrapup(Number(t.id), now)) this.live.agent(Number(t.id));
        break;
      case 'result-deadline':
        await this.#afterSettle(await this.#settle.resultDeadlinePassed(Number(t.id), now));
        return;
      case 'member-expire':
        await this.#upkeep.expire(now);
        break;
      case 'campaign-end':
        await this.#upkeep.checkCampaignEnds();
        return;
      case 'sweep':
        await this.#upkeep.sweep();
        return;
      default: {
        const never: never = t.kind;
        return never;
      }
    }
    this.dispatcher.kick();
  }

  /** S3, S4: adopts or settles the attempts whose owner is gone (recovery.ts). */
  async #recover(now: Date): Promise<void> {
    const settled = await recoverOrphans({ calls: this.d.calls, settle: this.#settle, telephony: this.d.telephony, log: this.d.log,
      instanceId: this.d.instanceId, leaseSec: this.d.leaseSec, startedAt: this.#startedAt,
      follows: (id) => this.calls.follows(id) || (this.predictive?.follows(id) ?? false),
      adopted: (o, call) => this.calls.adopt({ ...o, attemptId: o.id }, call.memberUuid, call.answeredAt),
      ...(this.predictive ? {
        followMemberLeg: (o: { id: number; node: string; memberUuid: string }) => this.predictive!.follow(o.id, o.node, o.memberUuid),
        settleRecorded: (o: { id: number; node: string; memberUuid: string }) => this.predictive!.settleRecorded(o.id, o.node, o.memberUuid),
      } : {}) }, now);
    for (const r of settled) await this.#afterSettle(r);
  }

  /**
   * Graceful stop (STYLE 8, S3): stops claiming, waits (bounded by drainMs) until this process's
   * live attempts are settled, leases renewed meanwhile, then closes. What is still live after
   * that is adopted or recovered by another process when its lease expires, or by this
   * instance's restart (S4). drainMs 0 is the fast mode: nothing is waited for, not even an
   * agent still ringing; FreeSWITCH keeps the bridged calls up meanwhile.
   */
  close(): Promise<void> {
    return (this.#closing ??= (async () => {
      const drainMs = this.d.drainMs ?? 20_000;
      await this.dispatcher.close();
      await this.pacer?.close();
      await this.#reasons?.close();
      if (drainMs === 0) this.calls.leave();
      else await Promise.all([this.calls.drain(), this.predictive?.drain()]);
      const deadline = Date.now() + drainMs;
      for (;;) {
        const live = await this.d.calls.liveCount(this.d.instanceId).catch(() => 0);
        if (live === 0) break;
        if (Date.now() >= deadline) {
          this.d.log.warn({ live }, 'closing with live attempts; their lease will expire');
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      clearInterval(this.#leaseTimer);
      await this.#housekeeping;
      await this.#campaignChecks.drain();
      this.calls.close();
    })());
  }
}
