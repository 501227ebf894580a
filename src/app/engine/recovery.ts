import type { Logger } from 'pino';
import type { CallStore, SettleResult } from '../ports/call-store.js';
import type { Telephony } from '../ports/telephony.js';

/** How many lease periods an orphan whose legs cannot be asked about waits before it is settled anyway. */
const UNKNOWN_LEG_WAIT_LEASES = 10;

export interface RecoveryDeps {
  calls: CallStore;
  telephony: Telephony;
  log: Logger;
  instanceId: string;
  leaseSec: number;
  /** Attempts of this instance id created before this instant belong to a previous incarnation. */
  startedAt: Date;
}

/**
 * S3: attempts whose owner is gone are settled with no attempt charged to the member: the
 * legs, if still up, are hung up (their socket owner is dead) and the agent is freed. While
 * FreeSWITCH cannot be asked, a leg may still be up: the attempt waits (bounded), so its member
 * is not dialled twice at once. Returns what was settled, for the caller's after-settle work.
 */
export async function recoverOrphans(d: RecoveryDeps, now: Date): Promise<SettleResult[]> {
  const reservedBefore = new Date(now.getTime() - d.leaseSec * 1000);
  const orphans = await d.calls.orphanedAttempts(d.instanceId, now, d.startedAt, reservedBefore);
  const settled: SettleResult[] = [];
  for (const o of orphans) {
    const legs = [o.agentUuid, o.memberUuid].filter((u): u is string => u !== null);
    let unknown = false;
    for (const uuid of o.node ? legs : []) {
      const alive = await d.telephony.exists(o.node!, uuid);
      if (alive === true) await d.telephony.kill(o.node!, uuid, 'NORMAL_CLEARING');
      if (alive === 'unknown') unknown = true;
    }
    const expiredMs = now.getTime() - (o.leaseUntil?.getTime() ?? 0);
    if (unknown && expiredMs < UNKNOWN_LEG_WAIT_LEASES * d.leaseSec * 1000) continue;
    const r = await d.calls.settleAgentFailure(o.id, 'UNKNOWN', false, now);
    if (r.kind === 'settled') d.log.warn({ attemptId: o.id }, 'orphaned attempt recovered');
    settled.push(r);
  }
  return settled;
}
