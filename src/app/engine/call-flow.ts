import type { Logger } from 'pino';
import type { AgentStatus } from '../../domain/agent-state.js';
import { callVariables } from '../../domain/call-variables.js';
import type { CallStore, SettleResult, SettleSnapshot } from '../ports/call-store.js';
import type { ClaimedAttempt } from '../ports/dispatch-store.js';
import type { EngineStore } from '../ports/engine-store.js';
import type { PreviewStore } from '../ports/preview-store.js';
import type { LiveFeed } from './live-feed.js';
import { PreviewDecisions } from './preview-decisions.js';
import type { Settlement } from './settlement.js';
import type { BridgePlan, ServiceCode, Telephony, TelephonyEvent, TelephonyHandler } from '../ports/telephony.js';

export interface CallFlowDeps {
  calls: CallStore;
  /** P2: the previews of preview campaigns. */
  previews: PreviewStore;
  /** Every end of an attempt (settlement.ts). */
  settle: Settlement;
  engineStore: EngineStore;
  telephony: Telephony;
  log: Logger;
  now: () => Date;
  /** After every settle: arm wake-ups, settle the campaign, dispatch again. */
  afterSettle: (r: SettleResult) => Promise<void>;
  /** Something may have become possible (an agent registered, logged in, …). */
  kick: () => void;
  /** Caller id shown on the agent's phone for a dialler call. */
  agentCallerId: { number: string; name: string };
  /** How long an answered agent leg may take to reach the outbound socket, ms. */
  socketDeadlineMs: number;
  onOriginate?: (a: ClaimedAttempt) => void;
  live: LiveFeed;
  /** P3: the predictive call flow, which owns the events of its subscriber and nailed-up agent legs. */
  predictive?: {
    onEvent(e: PredictiveLegEvent): Promise<void>;
    /** S3: the node's records of legs that ended while no process followed them are settled. */
    nodeUp(node: string): void;
  };
}

export type PredictiveLegEvent = Extract<TelephonyEvent, { kind: 'member-leg-answered' | 'member-leg-ended' | 'nailed-leg-gone' }>;

const SERVICE_STATUS: Record<ServiceCode, AgentStatus> = { login: 'Available', logout: 'Logged Out', break: 'On Break' };

/**
 * The agent-first call of one attempt (DESIGN §2 steps 3–6, A4) and the telephony events that
 * drive it. Every step is written to MySQL first; a step that arrives twice finds the row
 * already moved on and does nothing.
 */
export class CallFlow implements TelephonyHandler {
  /** Answered agent legs waiting for their outbound socket, by attempt id. */
  readonly #socketWaits = new Map<number, NodeJS.Timeout>();
  readonly #inFlight = new Set<Promise<unknown>>();
  /**
   * Attempts this process claimed whose answered agent leg has not reached the socket yet. An
   * agent leg whose socket reaches a process that did not claim it (e.g. a restarted process of
   * the same instance id and port) is hung up (DESIGN §1a).
   */
  readonly #owned = new Map<number, ClaimedAttempt>();
  /**
   * Attempts whose member leg's end was settled here: their agent-hangup, which follows every
   * bridged call, finds nothing left to do, so it skips the database. Bounded; a missed entry
   * only costs the look-up.
   */
  readonly #memberEnded = new Set<number>();
  /** The agent of each bridged attempt, for the live board when the subscriber answers. Bounded. */
  readonly #bridgedAgent = new Map<number, number>();
  /** Where settling each attempt bridged here starts (the claim's snapshot, ClaimedAttempt). Bounded. */
  readonly #bridgedRows = new Map<number, SettleSnapshot>();
  /**
   * The ringing write of each attempt whose originate is out: the bridge waits for it, so it
   * reads and writes the attempt after it (an agent can answer before that write is done).
   */
  readonly #ringing = new Map<number, Promise<void>>();
  /** Calls adopted from a dead process (S4) and followed here until their member leg ends. */
  readonly #adopted = new Set<number>();
  /** P2: previews claimed here, until their agent accepts or their time passes (then the timer fires). */
  readonly #previews = new Map<number, { a: ClaimedAttempt; timer: NodeJS.Timeout }>();
  /** Fast shutdown (DIALER_DRAIN_SEC=0): outcomes cut short by the close are left to recovery. */
  #leaving = false;
  readonly #previewDecisions: PreviewDecisions;

  constructor(private readonly d: CallFlowDeps) {
    this.#previewDecisions = new PreviewDecisions(d.previews);
  }

  /** Attempts whose call is in progress in this process. */
  get busy(): number {
    return this.#inFlight.size;
  }

  start(a: ClaimedAttempt): void {
    if (a.previewUntil) {
      this.#hold(a, a.previewUntil);
      return;
    }
    this.#owned.set(a.attemptId, a);
    this.#track(a.attemptId, this.#ring(a, false));
  }

  #track(attemptId: number, work: Promise<void>): void {
    const p = work.catch((err) => this.d.log.error({ err, attemptId }, 'call flow failed'));
    this.#inFlight.add(p);
    void p.finally(() => this.#inFlight.delete(p));
  }

  /**
   * P2: the agent sees the member card now (its desk is told by the live feed); nothing rings
   * until it accepts (previewAccepted) or the preview time passes. A process that dies meanwhile
   * leaves the attempt to recovery (S3): the member back without a try, the agent freed.
   */
  #hold(a: ClaimedAttempt, until: Date): void {
    const timer = setTimeout(() => {
      this.#previews.delete(a.attemptId);
      this.#track(a.attemptId, this.#previewDeadline(a));
    }, Math.max(0, until.getTime() - this.d.now().getTime()));
    timer.unref();
    this.#previews.set(a.attemptId, { a, timer });
    this.d.live.agent(a.agentId);
    this.d.live.campaign(a.campaignId);
  }

  /** P2: the agent accepted the preview held here (other processes' previews are theirs): ring it now. */
  previewAccepted(attemptId: number): void {
    const held = this.#previews.get(attemptId);
    if (!held) return;
    clearTimeout(held.timer);
    this.#previews.delete(attemptId);
    this.#track(attemptId, this.#dialPreview(held.a));
  }

  async #previewDeadline(a: ClaimedAttempt): Promise<void> {
    const r = await this.#previewDecisions.deadlinePassed(a.attemptId, this.d.now());
    switch (r.kind) {
      case 'dial':
        await this.#dialPreview(a);
        return;
      case 'returned':
        this.d.log.info({ attemptId: a.attemptId, agentId: a.agentId }, 'preview time passed: member returned');
        await this.d.afterSettle(r.result);
        return;
      case 'gone':
        return;
      default: {
        const never: never = r;
        return never;
      }
    }
  }

  /** Accepted, or the time passed with the policy dial: the call goes as A4 from here, once. */
  async #dialPreview(a: ClaimedAttempt): Promise<void> {
    this.#owned.set(a.attemptId, a);
    if (!(await this.#previewDecisions.startCall(a.attemptId, this.d.now()))) {
      this.#owned.delete(a.attemptId);
      return;
    }
    await this.#ring(a, true);
  }

  /** `marked`: the attempt is already ringing_agent (a preview's start did it). */
  async #ring(a: ClaimedAttempt, marked: boolean): Promise<void> {
    const log = this.d.log.child({ attemptId: a.attemptId, memberId: a.memberId, agentId: a.agentId });
    this.d.onOriginate?.(a);
    const ringing = marked ? undefined : this.d.calls.markRinging(a.attemptId, this.d.now());
    if (ringing) this.#ringing.set(a.attemptId, ringing.catch(() => undefined));
    const [, res] = await Promise.all([
      ringing?.finally(() => this.#ringing.delete(a.attemptId)),
      this.d.telephony.originateAgent({
        attemptId: a.attemptId,
        legUuid: a.agentLegUuid,
        node: a.node,
        sipUser: a.sipUser,
        ringSec: a.ringSec,
        callerIdNumber: this.d.agentCallerId.number,
        callerIdName: this.d.agentCallerId.name,
        variables: callVariables(a.bridge?.campaignVariables ?? {}, a.bridge?.memberVariables ?? {}, a),
      }),
    ]);
    switch (res.kind) {
      case 'answered':
        log.debug('agent answered');
        // The socket may have come before the originate's reply (then it is no longer owned here).
        if (this.#owned.has(a.attemptId)) this.#armSocketWait(a);
        return;
      case 'failed':
        this.#owned.delete(a.attemptId);
        log.info({ cause: res.cause }, 'agent leg failed');
        await this.#settle(this.d.settle.settleAgentFailure(a.attemptId, res.cause, false, this.d.now()));
        return;
      case 'unknown':
        this.#owned.delete(a.attemptId);
        // Fast shutdown: the leg may still ring; the attempt stays live for the process that
        // recovers it (it hangs the leg up first), so the agent is not offered twice meanwhile.
        if (this.#leaving) return;
        // F2: never originate again; if the leg is alive after all, its socket finds the attempt over.
        log.warn({ reason: res.reason }, 'agent leg outcome unknown');
        await this.#settle(this.d.settle.settleAgentFailure(a.attemptId, 'UNKNOWN', false, this.d.now()));
        return;
      default: {
        const never: never = res;
        return never;
      }
    }
  }

  /** An answered agent leg that never reaches our socket must not keep the agent forever. */
  #armSocketWait(a: ClaimedAttempt): void {
    const timer = setTimeout(() => {
      this.#socketWaits.delete(a.attemptId);
      this.#owned.delete(a.attemptId);
      void (async () => {
        const r = await this.d.settle.settleAgentFailure(a.attemptId, 'SOCKET_TIMEOUT', true, this.d.now());
        if (r.kind === 'settled') {
          this.d.log.warn({ attemptId: a.attemptId }, 'answered agent leg never reached the outbound socket');
          await this.d.telephony.kill(a.node, a.agentLegUuid, 'NORMAL_CLEARING');
        }
        await this.d.afterSettle(r);
      })().catch((err) => this.d.log.error({ err }, 'socket deadline failed'));
    }, this.d.socketDeadlineMs);
    timer.unref();
    this.#socketWaits.set(a.attemptId, timer);
  }

  /**
   * S4: a call adopted from a dead process is live here now: it is shown on the live boards like
   * any call, and its end arrives as member-ended / agent-hangup as for a call placed here.
   */
  async adopt(a: { attemptId: number; agentId: number | null; campaignId: number; state: string }, memberUuid: string, answeredAt: Date): Promise<void> {
    this.#adopted.add(a.attemptId);
    // The subscriber answered after the old owner's last write: recorded now, with FreeSWITCH's time.
    if (a.state !== 'talking') await this.d.calls.markMemberAnswered(a.attemptId, memberUuid, answeredAt);
    if (a.agentId !== null) this.#bridgedAgent.set(a.attemptId, a.agentId);
    this.d.live.agent(a.agentId);
    this.d.live.campaign(a.campaignId);
  }

  /** The call of this attempt is an adopted one followed here. */
  follows(attemptId: number): boolean {
    return this.#adopted.has(attemptId);
  }

  /** Fast shutdown: stop writing outcomes that only the close itself caused. */
  leave(): void {
    this.#leaving = true;
  }

  async planBridge(attemptId: number, agentLegUuid: string): Promise<BridgePlan> {
    const claimed = this.#owned.get(attemptId);
    if (!this.#owned.delete(attemptId)) {
      this.d.log.warn({ attemptId, agentLegUuid }, 'agent leg of an attempt this process does not own: hanging up');
      return { kind: 'hangup', cause: 'NORMAL_CLEARING' };
    }
    const wait = this.#socketWaits.get(attemptId);
    if (wait) {
      clearTimeout(wait);
      this.#socketWaits.delete(attemptId);
    }
    await this.#ringing.get(attemptId);
    const plan = await this.d.calls.planBridge(attemptId, agentLegUuid, this.d.now(), claimed?.bridge);
    const agentId = plan.kind === 'bridge' ? Number(plan.variables.dialer_agent_id) : null;
    if (plan.kind === 'bridge' && claimed?.settleOnceBridged) {
      this.#bridgedRows.set(attemptId, claimed.settleOnceBridged);
      if (this.#bridgedRows.size > 10_000) this.#bridgedRows.delete(this.#bridgedRows.keys().next().value!);
    }
    if (agentId) {
      this.#bridgedAgent.set(attemptId, agentId);
      if (this.#bridgedAgent.size > 10_000) this.#bridgedAgent.delete(this.#bridgedAgent.keys().next().value!);
    }
    this.d.live.agent(agentId);
    return plan;
  }

  async onEvent(e: TelephonyEvent): Promise<void> {
    switch (e.kind) {
      case 'member-answered':
        await this.d.calls.markMemberAnswered(e.attemptId, e.memberUuid, e.at);
        this.d.live.agent(this.#bridgedAgent.get(e.attemptId));
        return;
      case 'member-ended': {
        this.#bridgedAgent.delete(e.result.attemptId);
        this.#adopted.delete(e.result.attemptId);
        const known = this.#bridgedRows.get(e.result.attemptId);
        this.#bridgedRows.delete(e.result.attemptId);
        const r = await this.d.settle.settleCall(e.result, this.d.now(), known);
        this.#memberEnded.add(e.result.attemptId);
        if (this.#memberEnded.size > 10_000) this.#memberEnded.delete(this.#memberEnded.values().next().value!);
        await this.d.afterSettle(r);
        return;
      }
      case 'agent-hangup':
        // After a bridged call the attempt is settled already; before the bridge this frees the agent.
        this.#bridgedAgent.delete(e.attemptId);
        this.#bridgedRows.delete(e.attemptId);
        if (this.#memberEnded.delete(e.attemptId)) return;
        await this.#settle(this.d.settle.settleAgentFailure(e.attemptId, e.cause, true, this.d.now()));
        return;
      case 'registration': {
        const id = await this.d.engineStore.setRegistration(e.node, e.sipUser, e.registered ? (e.contact ?? '') : null);
        this.d.live.agent(id);
        if (id !== null && e.registered) this.d.kick();
        return;
      }
      case 'registrations-sync':
        for (const id of await this.d.engineStore.syncRegistrations(e.node, e.sipUsers)) this.d.live.agent(id);
        this.d.kick();
        return;
      case 'node-up':
        this.d.predictive?.nodeUp(e.node);
        this.d.kick();
        return;
      case 'node-down':
        this.d.log.warn({ node: e.node, reason: e.reason }, 'FreeSWITCH node down');
        return;
      case 'member-leg-answered': case 'member-leg-ended': case 'nailed-leg-gone':
        if (this.d.predictive) await this.d.predictive.onEvent(e);
        else this.d.log.warn({ event: e.kind }, 'a predictive leg reported with no predictive call flow in this process');
        return;
      default: {
        const never: never = e;
        return never;
      }
    }
  }

  async onServiceCode(_node: string, sipUser: string, code: ServiceCode): Promise<boolean> {
    const id = await this.d.engineStore.setAgentStatusBySipUser(sipUser, SERVICE_STATUS[code], this.d.now());
    if (id === null) return false;
    this.d.live.agent(id);
    this.d.log.info({ agentId: id, sipUser, code }, 'agent status by service number');
    this.d.kick();
    return true;
  }

  async #settle(p: Promise<SettleResult>): Promise<void> {
    await this.d.afterSettle(await p);
  }

  /** Waits for the calls started here to reach a settled state (graceful shutdown). */
  async drain(): Promise<void> {
    while (this.#inFlight.size) await Promise.allSettled([...this.#inFlight]);
  }

  close(): void {
    for (const t of this.#socketWaits.values()) clearTimeout(t);
    this.#socketWaits.clear();
    // Previews still held are recovered with the process's other live attempts (S3).
    for (const p of this.#previews.values()) clearTimeout(p.timer);
    this.#previews.clear();
  }
}
