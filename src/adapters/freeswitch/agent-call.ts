/*
 * An answered agent leg on our outbound socket (DESIGN §2 steps 4-6, A4, C8): ask the engine
 * for a plan, then bridge through the outbound route (`loopback/<number>/<route context>`, so the
 * route's call_timeout applies) with the call's variables in the bridge's `{…}`; the leg carries
 * them, `continue_on_fail=true` and `hangup_after_bridge=true` from its originate (originate.ts).
 * Emits member-answered at CHANNEL_BRIDGE, member-ended when the bridge is over, then hangs the
 * agent leg up and emits agent-hangup (once per leg, see LiveLegs). A bridged call outlives a lost
 * socket (real 1.10.12): it is then followed on the inbound connection to its real end (LegWatch).
 */
import { randomUUID } from 'node:crypto';
import type { BridgePlan, TelephonyEvent } from '../../app/ports/telephony.js';
import { memberOutcome, memberOutcomeFromHangup, type BridgeObservation, type MemberOutcome } from './bridge-result.js';
import { bracketBlock, sanitizeValue, splitVariables } from './channel-vars.js';
import type { ChannelData } from './channel-event.js';
import type { SeenHangup } from './hangup-watch.js';
import { withDeadline, type SessionContext } from './session-context.js';
import type { SocketSession } from './socket-session.js';

const NUMBER = /^\+?[0-9*#]{1,40}$/;
/** What the bridge's `{…}` sets itself: never taken from the call's variables. */
const CONTROL = new Set(['origination_uuid', 'origination_caller_id_number', 'origination_caller_id_name', 'loopback_bowout', 'export_vars', 'loopback_export']);

export async function runAgentCall(ctx: SessionContext, session: SocketSession, data: ChannelData, attemptId: number, node: string): Promise<void> {
  const legUuid = data.uuid;
  const log = ctx.log.child({ attemptId, legUuid, node });
  // The answer reached our socket: that settles the originate even if its BACKGROUND_JOB is late.
  ctx.originator.markAnswered(legUuid);
  ctx.legs.track(legUuid, node, attemptId);
  ctx.legs.attachSession(legUuid);

  let chain = Promise.resolve();
  const emit = (ev: TelephonyEvent) => (chain = chain.then(() => ctx.emit(ev)));
  const obs: BridgeObservation = { bridge: null, unbridge: null, complete: null, agentHangup: null, lastEventAt: null };
  session.onChannelEvent((ev) => {
    if (ev.uuid !== legUuid) return;
    if (ev.at && (!obs.lastEventAt || ev.at > obs.lastEventAt)) obs.lastEventAt = ev.at;
    if (ev.name === 'CHANNEL_BRIDGE' && !obs.bridge) {
      obs.bridge = ev;
      void emit({ kind: 'member-answered', attemptId, agentLegUuid: legUuid, memberUuid: ev.otherLegUuid, at: ev.bridgedAt ?? ev.at ?? new Date() });
    } else if (ev.name === 'CHANNEL_UNBRIDGE') obs.unbridge = ev;
    else if (ev.name === 'CHANNEL_HANGUP' || ev.name === 'CHANNEL_HANGUP_COMPLETE') obs.agentHangup = ev;
  });

  try {
    const plan: BridgePlan = (await withDeadline(ctx.handler.planBridge(attemptId, legUuid), ctx.timeouts.handlerMs, log, 'planBridge')) ?? {
      kind: 'hangup',
      cause: 'NORMAL_TEMPORARY_FAILURE',
    };
    if (plan.kind === 'hangup') {
      log.info({ cause: plan.cause }, 'plan: hang up the agent leg');
      await session.hangupChannel(plan.cause);
    } else {
      const outcome = await bridge(ctx, session, plan, obs, { node, legUuid, attemptId }, log);
      if (outcome === 'stopped') {
        // The adapter is closing with the call up: its attempt stays live for the recovery (S3).
        log.warn('closing while a call whose socket was lost is still up');
        return;
      }
      if (outcome) {
        log.info({ cause: outcome.cause, talkSec: outcome.talkSec, answered: outcome.answeredAt !== null, endKnown: outcome.endKnown }, 'member leg ended');
        await emit({ kind: 'member-ended', result: { attemptId, agentLegUuid: legUuid, ...outcome } });
      }
      await session.hangupChannel('NORMAL_CLEARING');
    }
    const hangup: SeenHangup | null = (await session.waitHangup(ctx.timeouts.hangupMs))
      ?? (session.gone ? await lostAgentLegEnd(ctx, node, legUuid) : null);
    await chain;
    if (ctx.legs.settle(legUuid)) {
      await emit({ kind: 'agent-hangup', attemptId, agentLegUuid: legUuid, cause: hangup?.cause ?? 'NORMAL_CLEARING', at: hangup?.hangupAt ?? hangup?.at ?? new Date() });
    }
  } finally {
    ctx.legs.detachSession(legUuid);
    session.close();
  }
}

/**
 * The agent leg's end once its socket is gone: its CHANNEL_HANGUP_COMPLETE on the inbound
 * connection (a parked leg is hung up by FreeSWITCH, 06 B1/B2). One still up after its bridge is
 * hung up, as the session would have done.
 */
export async function lostAgentLegEnd(ctx: SessionContext, node: string, legUuid: string): Promise<SeenHangup | null> {
  const seen = await ctx.hangups.wait(legUuid, ctx.timeouts.lostLegMs);
  if (seen || (await ctx.exists(node, legUuid)) !== true) return seen;
  await ctx.kill(node, legUuid, 'NORMAL_CLEARING');
  return ctx.hangups.wait(legUuid, ctx.timeouts.hangupMs);
}

/**
 * Runs the bridge; null when no subscriber call was placed (agent gone first), 'stopped' when the
 * adapter closed while following a call whose socket was lost.
 */
async function bridge(ctx: SessionContext, session: SocketSession, plan: Extract<BridgePlan, { kind: 'bridge' }>, obs: BridgeObservation,
  leg: { node: string; legUuid: string; attemptId: number }, log: SessionContext['log']): Promise<MemberOutcome | null | 'stopped'> {
  const t = ctx.timeouts;
  const { accepted, rejected } = splitVariables(plan.variables);
  for (const r of rejected) log.warn({ variable: r.name, reason: r.reason }, 'channel variable not set');
  if (session.gone || session.hangup) {
    log.info('agent leg gone before the bridge');
    return null;
  }
  if (!NUMBER.test(plan.number)) {
    log.error({ number: plan.number }, 'subscriber number refused');
    return { memberUuid: null, cause: 'INVALID_NUMBER_FORMAT', answeredAt: null, endedAt: new Date(), talkSec: 0, endKnown: true };
  }
  const memberUuid = randomUUID();
  // origination_uuid names loopback-a, the leg the agent is bridged to (05c): memberUuid is the
  // CHANNEL_BRIDGE's Other-Leg-Unique-ID and the leg whose hangup a lost socket waits for.
  // loopback_bowout=false keeps that layout for the whole call: by default mod_loopback replaces
  // the pair with a direct bridge once audio flows (uuid_bridge of the agent and the SIP leg),
  // which unbridges the agent from loopback-a mid-conversation, and this session would read
  // that as the end of the call.
  const pairs: [string, string][] = [
    ['origination_uuid', memberUuid],
    ['origination_caller_id_number', sanitizeValue(plan.callerIdNumber).trim() || '0000000000'],
    ['origination_caller_id_name', sanitizeValue(plan.callerIdName).trim() || 'Dialer'],
    ['loopback_bowout', 'false'],
    // F2: the inbound connection's filter lets through the events of legs carrying
    // dialer_attempt_id (INBOUND_FILTERS); loopback-a is the member leg followed there.
    ['dialer_attempt_id', String(leg.attemptId)],
  ];
  // C8: the call's variables are set on loopback-a by this `{…}` (the agent leg has them from its
  // originate: one `export` each here cost a command round trip and a CHANNEL_EXECUTE_COMPLETE
  // of the whole channel); loopback_export hands them (and export_vars) to loopback-b, whose
  // export_vars then copies them to the real subscriber leg of the route.
  const names = accepted.map(([k]) => k).filter((k) => !CONTROL.has(k));
  const given = new Set(pairs.map(([k]) => k));
  pairs.push(...accepted.filter(([k]) => !given.has(k) && !CONTROL.has(k)));
  if (names.length > 0) pairs.push(['export_vars', names.join(',')], ['loopback_export', [...names, 'export_vars'].join(',')]);
  const callDeadline = Date.now() + t.maxCallSec * 1000;
  const r = await session.execute('bridge', `${bracketBlock(pairs)}loopback/${plan.number}/${ctx.routeContext}`, t.maxCallSec * 1000);
  if (r.kind === 'done') {
    obs.complete = r.event;
    return memberOutcome(obs, memberUuid, 'UNKNOWN', new Date());
  }
  if (r.kind === 'timeout') {
    log.warn({ maxCallSec: t.maxCallSec }, 'call longer than the limit; hanging up');
    await session.hangupChannel('ALLOTTED_TIMEOUT');
    await session.waitHangup(t.hangupMs);
    return memberOutcome(obs, memberUuid, 'ALLOTTED_TIMEOUT', new Date());
  }
  // Socket lost mid-bridge. On the real 1.10.12 the bridged call goes on without it and nothing of
  // the drop reaches the inbound connection: the call is followed there to its real end, never cut
  // and never given up while FreeSWITCH says it is up (C6, S3). The member leg is loopback-a (05c):
  // mod_loopback ends it with the SIP leg's cause, or with the agent's when the agent went first,
  // and its HANGUP_COMPLETE comes after the agent leg's.
  const member = obs.bridge?.otherLegUuid ?? memberUuid;
  log.warn({ reason: r.reason }, 'outbound socket lost during the bridge; following the call on the inbound connection');
  // The longest call still applies: its end then comes as for any other hangup.
  const limit = setTimeout(() => {
    log.warn({ maxCallSec: t.maxCallSec }, 'call longer than the limit; hanging up');
    void ctx.kill(leg.node, leg.legUuid, 'ALLOTTED_TIMEOUT');
  }, Math.max(0, callDeadline - Date.now()));
  const end = await ctx.watch.untilEnd(leg.node, member, { graceMs: t.lostLegMs, unreachableMs: t.unreachableLegMs }, obs.lastEventAt)
    .finally(() => clearTimeout(limit));
  log.warn({ end: end.kind }, 'call followed after its socket was lost is over');
  switch (end.kind) {
    case 'stopped':
      return 'stopped';
    case 'hangup':
      return memberOutcomeFromHangup(obs, end.hangup);
    case 'unreachable':
      // The legs may still be up: they are checked again when the node's connection is back.
      ctx.givenUp(leg.node, [member, leg.legUuid]);
      break;
    case 'vanished':
      break;
  }
  // FreeSWITCH restarted, or could not be asked: unless an unbridge came first, the end is unknown
  // and the talk time runs only to the last instant FreeSWITCH showed the call up, never to the
  // moment we stopped waiting (S3, C6).
  obs.lastEventAt = end.lastUpAt;
  return memberOutcome(obs, memberUuid, 'UNKNOWN', new Date());
}
