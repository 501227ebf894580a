/*
 * S4: calls taken over from an engine process that died. What FreeSWITCH holds is read from the
 * agent leg's `uuid_dump` (real 1.10.12, 08): after the dialer was killed mid-bridge the agent
 * leg is still answered and inside its `bridge` (CS_EXECUTE), `variable_bridge_uuid` (also
 * Other-Leg-Unique-ID) names loopback-a, the member leg, and `Caller-Channel-Bridged-Time` is
 * when the talk began. The call is then followed on the node's inbound connection like one whose
 * socket was lost (LegWatch), and reported as any call: member-ended, then agent-hangup.
 */
import type { AdoptedCall, HeldCall } from '../../app/ports/telephony.js';
import { lostAgentLegEnd } from './agent-call.js';
import { adoptedOutcome } from './bridge-result.js';
import { parsePlainEvent } from './event-parser.js';
import { parseChannelEvent } from './channel-event.js';
import type { SessionContext } from './session-context.js';

/**
 * The agent leg as `uuid_dump` shows it; `bridged` still needs the member leg to be up (a bridge
 * that just ended leaves bridge_uuid behind).
 */
export function heldCallOfDump(reply: string): HeldCall {
  const text = reply.trimStart();
  if (text.startsWith('-ERR')) return /No such channel/i.test(text) ? { kind: 'gone' } : { kind: 'unknown' };
  const ev = parseChannelEvent(parsePlainEvent(text));
  if (!ev) return { kind: 'unknown' };
  const answered = ev.answerState === 'answered';
  const member = ev.variables['bridge_uuid'] ?? ev.otherLegUuid;
  if (answered && member && ev.bridgedAt) return { kind: 'bridged', memberUuid: member, answeredAt: ev.bridgedAt, upAt: ev.at };
  return { kind: 'unbridged', agentAnswered: answered };
}

/** Follows an adopted call to its end and reports it; the longest call still applies (maxCallSec). */
export async function followAdoptedCall(ctx: SessionContext, call: AdoptedCall): Promise<void> {
  const { node, agentLegUuid, memberUuid, attemptId } = call;
  const t = ctx.timeouts;
  const log = ctx.log.child({ attemptId, legUuid: agentLegUuid, node });
  const limit = setTimeout(() => {
    log.warn({ maxCallSec: t.maxCallSec }, 'call longer than the limit; hanging up');
    void ctx.kill(node, agentLegUuid, 'ALLOTTED_TIMEOUT');
  }, Math.max(0, call.answeredAt.getTime() + t.maxCallSec * 1000 - Date.now()));
  const end = await ctx.watch.untilEnd(node, memberUuid, { graceMs: t.lostLegMs, unreachableMs: t.unreachableLegMs }, call.upAt)
    .finally(() => clearTimeout(limit));
  // The adapter is closing: the attempt stays live for the next process to adopt.
  if (end.kind === 'stopped') return;
  if (end.kind === 'unreachable') ctx.givenUp(node, [memberUuid, agentLegUuid]);
  const outcome = adoptedOutcome(memberUuid, call.answeredAt, end.kind === 'hangup' ? end.hangup : null, end.kind === 'hangup' ? null : end.lastUpAt);
  log.info({ cause: outcome.cause, talkSec: outcome.talkSec, endKnown: outcome.endKnown }, 'adopted call ended');
  await ctx.emit({ kind: 'member-ended', result: { attemptId, agentLegUuid, ...outcome } });
  // hangup_after_bridge ends the agent leg; one still up is hung up, as its session would have done.
  const hangup = end.kind === 'unreachable' ? null : await lostAgentLegEnd(ctx, node, agentLegUuid);
  await ctx.emit({ kind: 'agent-hangup', attemptId, agentLegUuid, cause: hangup?.cause ?? 'NORMAL_CLEARING', at: hangup?.hangupAt ?? new Date() });
}
