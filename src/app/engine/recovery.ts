import type { Logger } from 'pino';
import type { CallStore, OrphanedAttempt, SettleResult } from '../ports/call-store.js';
import type { AdoptedCall, HeldCall, Telephony } from '../ports/telephony.js';
import type { Settlement } from './settlement.js';

/** How many lease periods an orphan whose legs cannot be asked about waits before it is settled anyway. */
const UNKNOWN_LEG_WAIT_LEASES = 10;

export interface RecoveryDeps {
  calls: CallStore;
  settle: Settlement;
  telephony: Telephony;
  log: Logger;
  instanceId: string;
  leaseSec: number;
  /** Attempts of this instance id created before this instant belong to a previous incarnation. */
  startedAt: Date;
  /** Adopted attempts this process follows now: no longer orphans, though created before startedAt. */
  follows(attemptId: number): boolean;
  /** An attempt was adopted (its ownership is taken): the call flow and the boards learn of it. */
  adopted(o: OrphanedAttempt, call: AdoptedCall): Promise<void>;
  /** P3: a predictive subscriber leg taken over is followed to its end (the flow learns of it). */
  followMemberLeg?(o: OrphanedAttempt & { node: string; memberUuid: string }): void;
  /** P3, S3: settles the attempt from the switch's record of its ended subscriber leg; false when there is none. */
  settleRecorded?(o: OrphanedAttempt & { node: string; memberUuid: string }): Promise<boolean>;
}

/**
 * S3, S4: attempts whose owner is gone. A call FreeSWITCH still holds with the agent talking to
 * the subscriber is adopted: this process takes the attempt over (its lease) and follows the call
 * to its end, which is then settled by the ordinary rules. Anything else cannot be completed, as
 * nothing drives its legs any more (an agent still ringing or answered into a dead socket, a
 * subscriber still ringing): what is left of it is hung up, and the attempt is settled without
 * charging the member. While FreeSWITCH cannot be asked the attempt waits (bounded), so its
 * member is not dialled twice at once. Returns what was settled, for the caller's after-settle work.
 */
export async function recoverOrphans(d: RecoveryDeps, now: Date): Promise<SettleResult[]> {
  const reservedBefore = new Date(now.getTime() - d.leaseSec * 1000);
  const orphans = await d.calls.orphanedAttempts(d.instanceId, now, d.startedAt, reservedBefore);
  const settled: SettleResult[] = [];
  for (const o of orphans) {
    if (d.follows(o.id)) continue;
    // P3: a predictive subscriber leg with no agent yet, still on the switch: ringing, or hearing
    // the information message its fail-safe started. It is followed to its end and settled then
    // (an abandoned call stays counted as one); hanging it up would cut the message short.
    if (d.followMemberLeg && o.agentUuid === null && o.memberUuid !== null && o.node !== null) {
      const alive = await d.telephony.exists(o.node, o.memberUuid);
      if (alive === 'unknown') continue;
      if (alive) {
        if (!(await d.calls.takeOver(o, d.instanceId, new Date(now.getTime() + d.leaseSec * 1000)))) continue;
        d.followMemberLeg({ ...o, node: o.node, memberUuid: o.memberUuid });
        d.log.warn({ attemptId: o.id, from: o.instanceId, memberUuid: o.memberUuid }, 'predictive subscriber leg followed');
        continue;
      }
    }
    // P3, S3: a predictive subscriber leg that ended while nobody followed it left the switch's
    // record of its end (an abandon with its instants, an opt-out): settled from it, not as lost.
    if (d.settleRecorded && o.memberUuid !== null && o.node !== null) {
      if (await d.settleRecorded({ ...o, node: o.node, memberUuid: o.memberUuid })) continue;
    }
    const held: HeldCall = o.node && o.agentUuid ? await d.telephony.inspect(o.node, o.agentUuid) : { kind: 'gone' };
    const expiredMs = now.getTime() - (o.leaseUntil?.getTime() ?? 0);
    if (held.kind === 'unknown' && expiredMs < UNKNOWN_LEG_WAIT_LEASES * d.leaseSec * 1000) continue;
    // One process acts on an orphan: the others find it taken (and then renewed by its new owner).
    if (!(await d.calls.takeOver(o, d.instanceId, new Date(now.getTime() + d.leaseSec * 1000)))) continue;
    if (held.kind === 'bridged') {
      const call: AdoptedCall = { attemptId: o.id, node: o.node!, agentLegUuid: o.agentUuid!, memberUuid: held.memberUuid,
        answeredAt: held.answeredAt, upAt: held.upAt };
      await d.adopted(o, call);
      d.telephony.adopt(call);
      d.log.warn({ attemptId: o.id, from: o.instanceId, memberUuid: held.memberUuid }, 'live call adopted');
      continue;
    }
    settled.push(await endOrphan(d, o, held, now));
  }
  return settled;
}

/** What cannot be completed is hung up and settled with no try charged to the member (S4). */
async function endOrphan(d: RecoveryDeps, o: OrphanedAttempt, held: HeldCall, now: Date): Promise<SettleResult> {
  for (const uuid of o.node ? [o.agentUuid, o.memberUuid] : []) {
    if (uuid && (await d.telephony.exists(o.node!, uuid)) === true) await d.telephony.kill(o.node!, uuid, 'NORMAL_CLEARING');
  }
  // The subscriber had answered, and the call ended while nobody watched: its end is unknown, so
  // it is no success and no try (README, "Crashes"); the agent goes to wrap-up after a talk (A3).
  const r = o.state === 'talking' && o.answeredAt
    ? await d.settle.settleCall({ attemptId: o.id, agentLegUuid: o.agentUuid ?? '', memberUuid: o.memberUuid, cause: 'UNKNOWN',
      answeredAt: o.answeredAt, endedAt: o.answeredAt, talkSec: 0, endKnown: false }, now)
    : await d.settle.settleAgentFailure(o.id, 'UNKNOWN', held.kind === 'unbridged' && held.agentAnswered, now);
  if (r.kind === 'settled') d.log.warn({ attemptId: o.id, from: o.instanceId, state: o.state, held: held.kind }, 'orphaned attempt ended');
  return r;
}
