import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ABANDONED } from '../../domain/compliance.js';
import type { SettleResult } from '../ports/call-store.js';
import type { PredictiveStore } from '../ports/predictive-store.js';
import type { ClaimedLine, PacerStore } from '../ports/pacer-store.js';
import type { PredictiveEnd, Telephony } from '../ports/telephony.js';
import type { PredictiveLegEvent } from './call-flow.js';
import type { LiveFeed } from './live-feed.js';
import type { Settlement } from './settlement.js';

/** The human/machine detection module the `amd` setting refers to (webitel/mod_amd; not in stock 1.10). */
export const AMD_MODULE = 'mod_amd';

export interface PredictiveFlowDeps {
  /** Every end of an attempt (settlement.ts). */
  settle: Settlement;
  store: PredictiveStore;
  telephony: Telephony;
  log: Logger;
  now: () => Date;
  afterSettle: (r: SettleResult) => Promise<void>;
  kick: () => void;
  live: LiveFeed;
  /** Caller id shown on the agent's phone when its nailed-up leg rings. */
  agentCallerId: { number: string; name: string };
  /** P3: claims the agent of a line the pacer dialled, at the answer. */
  pacerStore: PacerStore;
}

/**
 * P3 (DESIGN §8): the predictive campaign's subscriber-first call. Agents of a running predictive
 * campaign sit on nailed-up legs (rung once, parked between calls); the campaign's pacer
 * (pacer-runner.ts) claims a line with a member and no agent, the subscriber is dialled into the
 * switch's dialer-predictive context (`startLine`), and at the answer an agent on its leg is
 * claimed and bridged within milliseconds. When that cannot be done the switch's own fail-safe
 * (or an immediate transfer) plays the information message: the call is ABANDONED, recorded with
 * its answer and message instants.
 */
export class PredictiveFlow {
  /** Live attempts of this process: the nailed-up leg each subscriber is to be bridged to. */
  readonly #calls = new Map<number, { nailedUuid: string; node: string }>();
  readonly #inFlight = new Set<Promise<unknown>>();
  /** Nailed-up legs this process is ringing now. */
  readonly #ringing = new Set<string>();
  /** Attempts of a dead process whose subscriber leg is followed here (S3). */
  readonly #followed = new Set<number>();
  /** Answered subscribers not yet bridged nor abandoned, by campaign (the pacer's answeredWaiting). */
  readonly #waiting = new Map<number, number>();
  /**
   * False once the housekeeping beat found no nailed-up leg on record and no predictive campaign
   * was open since (legs are taken only while one is): the passes then have none to release.
   */
  #legsMayExist = true;
  /** Passes that found a predictive campaign open, counted: a beat's read they overlap is not trusted. */
  #predictiveOpenings = 0;

  constructor(private readonly d: PredictiveFlowDeps) {}

  get busy(): number {
    return this.#inFlight.size;
  }

  /** A line the pacer dialled: the subscriber first, an agent claimed when it answers. */
  startLine(line: ClaimedLine): void {
    this.#track(this.#dialLine(line));
  }

  /** S3: a subscriber leg of a dead process, followed here until it ends. */
  follow(attemptId: number, node: string, memberUuid: string): void {
    this.#followed.add(attemptId);
    this.d.telephony.followMemberLeg(node, memberUuid, attemptId);
  }

  follows(attemptId: number): boolean {
    return this.#followed.has(attemptId);
  }

  answeredWaiting(campaignId: number): number {
    return this.#waiting.get(campaignId) ?? 0;
  }

  async #dialLine(line: ClaimedLine): Promise<void> {
    const log = this.d.log.child({ attemptId: line.attemptId, memberId: line.memberId });
    const memberUuid = randomUUID();
    const plan = await this.d.store.markMemberDialling(line.attemptId, memberUuid, this.d.now());
    if (!plan) return;
    this.d.live.campaign(line.campaignId);
    const unplaced = (cause: string) => this.d.settle.settleAgentFailure(line.attemptId, cause, false, this.d.now()).then((r) => this.d.afterSettle(r));
    if (plan.infoMessage === null) return void (await unplaced('INVALID_PROFILE'));
    const res = await this.d.telephony.originateMemberLeg({
      attemptId: line.attemptId, legUuid: memberUuid, node: line.node, number: plan.number, minRingSec: plan.minRingSec,
      abandonMessage: plan.infoMessage, optOutKey: plan.optOutKey, callerIdNumber: plan.callerIdNumber,
      callerIdName: plan.callerIdName, variables: plan.variables,
    });
    if (res.kind === 'failed' && ['NODE_DOWN', 'INVALID_NUMBER_FORMAT'].includes(res.cause)) return void (await unplaced(res.cause));
    if (res.kind !== 'answered') return;
    const answeredAt = this.d.now();
    this.#waiting.set(line.campaignId, (this.#waiting.get(line.campaignId) ?? 0) + 1);
    try {
      const agent = await this.d.pacerStore.claimAgentAt(line.attemptId, answeredAt);
      if (!agent) {
        const r = await this.d.telephony.abandonMemberLeg(line.node, memberUuid);
        log.info({ result: r }, 'no agent for the answered subscriber: information message');
        return;
      }
      this.#calls.set(line.attemptId, { nailedUuid: agent.nailedUuid, node: line.node });
      this.d.live.agent(agent.agentId);
      const connected = await this.d.telephony.connectMemberLeg(line.node, memberUuid, agent.nailedUuid);
      log.info({ connected, agentId: agent.agentId, ms: this.d.now().getTime() - answeredAt.getTime() }, 'subscriber answered');
      if (connected === 'bridged') await this.d.store.markBridged(line.attemptId, memberUuid, answeredAt, this.d.now());
      else if (connected === 'abandoned') await this.#nailedGone(agent.nailedUuid, false);
    } finally {
      this.#waiting.set(line.campaignId, Math.max(0, (this.#waiting.get(line.campaignId) ?? 1) - 1));
    }
  }

  async onEvent(e: PredictiveLegEvent): Promise<void> {
    switch (e.kind) {
      case 'member-leg-answered':
        return;
      case 'member-leg-ended':
        await this.#ended(e.end, e.node);
        return;
      case 'nailed-leg-gone':
        this.#ringing.delete(e.legUuid);
        // The agent hung its phone up (or the switch dropped the leg): taken as a break (A5).
        await this.#nailedGone(e.legUuid, true);
        return;
      default: {
        const never: never = e;
        return never;
      }
    }
  }

  async #ended(end: PredictiveEnd, node: string): Promise<void> {
    const call = this.#calls.get(end.attemptId);
    this.#calls.delete(end.attemptId);
    this.#followed.delete(end.attemptId);
    const abandoned = end.answeredAt !== null && end.bridgedAt === null && end.endKnown;
    const r = await this.d.settle.settleCall({
      attemptId: end.attemptId,
      agentLegUuid: call?.nailedUuid ?? '',
      memberUuid: end.memberUuid,
      cause: abandoned ? ABANDONED : end.cause,
      // C6: the talk with the agent counts from the bridge
      answeredAt: end.bridgedAt ?? end.answeredAt,
      endedAt: end.endedAt,
      talkSec: end.talkSec,
      endKnown: end.endKnown,
      ...(abandoned ? { messageAt: end.messageAt } : {}),
    }, this.d.now());
    if (abandoned) {
      this.d.log.info({ attemptId: end.attemptId, answeredAt: end.answeredAt, messageAt: end.messageAt }, 'call abandoned');
    }
    if (end.optOutDigit !== null) await this.d.store.optOut(end.attemptId, this.d.now());
    await this.d.afterSettle(r);
    // the switch's record of an answered leg (predictive-record.ts) is done with once settled
    if (end.answeredAt !== null && end.endKnown) await this.d.telephony.forgetMemberLeg(node, end.memberUuid);
  }

  /**
   * S3, P6: an attempt taken over whose subscriber leg is gone: the switch's record of it, kept
   * whether or not a dialer ran when it ended (the abandon with its answer and message instants,
   * the opt-out key), settles it. False when the switch has none (the caller settles it as lost).
   */
  async settleRecorded(attemptId: number, node: string, memberUuid: string): Promise<boolean> {
    const end = await this.d.telephony.memberLegRecord(node, memberUuid);
    if (end === null || end === 'unknown' || end.attemptId !== attemptId) return false;
    this.d.log.warn({ attemptId, memberUuid, answeredAt: end.answeredAt, messageAt: end.messageAt }, 'subscriber leg ended while no dialer followed it: settled from the switch record');
    await this.#ended(end, node);
    return true;
  }

  /**
   * S3: a node came up (a start, a reconnect): the records it kept of legs that ended while no
   * process followed them are settled (settling is idempotent: one already settled only gets its
   * record deleted). Records of attempts that are not ours (another database) are left alone.
   */
  nodeUp(node: string): void {
    this.#track(this.#checkAmd(node));
    this.#track((async () => {
      for (let round = 0; round < 100; round++) {
        const got = await this.d.telephony.memberLegRecords(node);
        if (got === 'unknown') return;
        let settled = 0;
        for (const end of got.ends) {
          if ((await this.d.store.memberUuidOf(end.attemptId)) !== end.memberUuid) continue;
          await this.#ended(end, node);
          settled++;
        }
        if (!got.more || settled === 0) return;
      }
    })());
  }

  async #nailedGone(legUuid: string, breakAgent: boolean): Promise<void> {
    const agentId = await this.d.store.nailedLegGone(legUuid, this.d.now(), breakAgent);
    this.d.live.agent(agentId);
    this.d.kick();
  }

  /**
   * Before each dispatch pass: rings a nailed-up leg for every free agent of a running predictive
   * campaign that has none, and hangs up the legs of agents that left (logged out, on break, no
   * running predictive campaign).
   */
  async keepNailedLegs(upNodes: string[], predictiveOpen: boolean): Promise<void> {
    if (predictiveOpen) {
      this.#legsMayExist = true;
      this.#predictiveOpenings++;
    }
    if (!this.#legsMayExist) return;
    for (const leg of await this.d.store.nailedLegsToRelease()) {
      await this.d.telephony.kill(leg.node, leg.legUuid, 'NORMAL_CLEARING');
      await this.d.store.nailedLegGone(leg.legUuid, this.d.now(), false);
      this.d.live.agent(leg.agentId);
    }
    if (!predictiveOpen) return;
    const wanted = await this.d.store.takeNailedLegsWanted(upNodes, this.d.now(), () => randomUUID());
    for (const w of wanted) {
      this.#ringing.add(w.legUuid);
      this.#track((async () => {
        const res = await this.d.telephony.originateNailedLeg({
          agentId: w.agentId, legUuid: w.legUuid, node: w.node, sipUser: w.sipUser, ringSec: w.ringSec,
          callerIdNumber: this.d.agentCallerId.number, callerIdName: this.d.agentCallerId.name,
        });
        this.#ringing.delete(w.legUuid);
        if (res.kind === 'answered') {
          if (!(await this.d.store.nailedLegUp(w.agentId, w.legUuid, w.node))) {
            // the record was cleared meanwhile (the agent left, or the leg was taken for lost): not used
            await this.d.telephony.kill(w.node, w.legUuid, 'NORMAL_CLEARING');
            return;
          }
          this.d.log.info({ agentId: w.agentId, legUuid: w.legUuid }, 'agent on its nailed-up leg');
          this.d.kick();
          return;
        }
        this.d.log.info({ agentId: w.agentId, outcome: res.kind, cause: res.kind === 'failed' ? res.cause : undefined }, 'nailed-up leg not answered');
        // Not answered: the agent is put on break rather than rung again at once.
        await this.#nailedGone(w.legUuid, true);
      })());
    }
  }

  /**
   * Housekeeping: nailed-up legs on record that the switch no longer has are cleared (S3: the
   * legs of a dead process, or one still ringing when it died: looked for on every node that is up).
   */
  async checkNailedLegs(): Promise<void> {
    const up = this.d.telephony.upNodes();
    const openings = this.#predictiveOpenings;
    const legs = await this.d.store.nailedLegs();
    if (legs.length === 0 && openings === this.#predictiveOpenings) this.#legsMayExist = false;
    for (const leg of legs) {
      if (this.#ringing.has(leg.legUuid)) continue;
      const nodes = leg.node !== null ? [leg.node] : up;
      if (nodes.length === 0) continue;
      const seen = await Promise.all(nodes.map((n) => this.d.telephony.exists(n, leg.legUuid)));
      if (seen.every((x) => x === false)) await this.#nailedGone(leg.legUuid, false);
    }
  }

  /**
   * P3: `amd` is a setting only (README, "Answering-machine detection"): human/machine detection
   * needs a module outside stock FreeSWITCH 1.10 (mod_amd), and no detection is run by the dialer.
   * A node that comes up without the module while campaigns ask for it is said so: their answers
   * are all taken as human, as an undecided detection would be.
   */
  async #checkAmd(node: string): Promise<void> {
    const asking = await this.d.store.campaignsAskingAmd();
    if (asking.length === 0) return;
    const loaded = await this.d.telephony.moduleLoaded(node, AMD_MODULE);
    this.d.log.warn({ node, module: AMD_MODULE, loaded, campaignIds: asking },
      'campaigns ask for answering-machine detection, which the dialer does not run: every answer is taken as human');
  }

  #track(p: Promise<void>): void {
    const q = p.catch((err) => this.d.log.error({ err }, 'predictive call flow failed'));
    this.#inFlight.add(q);
    void q.finally(() => this.#inFlight.delete(q));
  }

  async drain(): Promise<void> {
    while (this.#inFlight.size) await Promise.allSettled([...this.#inFlight]);
  }
}
