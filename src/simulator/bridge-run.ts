// The `bridge` app on an answered agent leg: a scripted subscriber B leg, and the results on
// the agent leg as 05a (answered), 05b (refused, no continue_on_fail: FreeSWITCH hangs the
// agent up with the subscriber's cause) and 05d (continue_on_fail: the agent stays).
// A `loopback/<num>/<ctx>` target goes through the relay pair of 05c (loopback-legs.ts): the
// agent is bridged to loopback-a, the SIP leg to loopback-b, and the route's call_timeout
// (routeCallTimeoutSec) is what the loopback context applies. Other targets are one direct B leg.
import { randomUUID } from 'node:crypto';
import { SimChannel } from './channel.js';
import { dialStatus, q850Of, refusal, type Refusal, type RefusalKind } from './causes.js';
import { renderExtras } from './event-render.js';
import { LoopbackPair } from './loopback-legs.js';
import { parseBridgeTarget, splitVars } from './originate-parse.js';
import type { SubscriberScript } from './types.js';
import type { AgentCall } from './agent-call.js';

export interface BridgeRun {
  /** the SIP subscriber leg */
  readonly sub: SimChannel;
  /** the leg the agent is bridged to: the SIP leg, or loopback-a */
  readonly peer: SimChannel;
  bridged: boolean;
  /** one of this bridge's live legs (uuid_kill on any of them ends the subscriber's call) */
  holds(uuid: string): boolean;
  /** the agent leg hung up while the bridge ran */
  agentGone(): void;
  /** the subscriber leg ends by itself (talk time over, or uuid_kill on the B leg) */
  subscriberGone(cause: string): void;
}

export function subscriberRefusal(o: SubscriberScript['outcome']): Refusal | null {
  const kinds: Record<string, RefusalKind> = {
    busy: 'busy', 486: 'busy', reject: 'reject', 603: 'reject', 'no-answer': 'no-answer',
    480: 'unavailable', 404: 'not-found', 503: 'failure',
  };
  if (o === undefined || o === 'answer') return null;
  const k = kinds[String(o)];
  return k ? refusal(k) : null;
}

/** continue_on_fail: 'true', or a list of causes / q850 codes that continue (mod_dptools). */
function continues(value: string | undefined, cause: string): boolean {
  if (!value) return false;
  if (value === 'true') return true;
  return value.split(',').map((s) => s.trim()).some((c) => c === cause || c === String(q850Of(cause)));
}

/** SIP facts of the subscriber's answer reach the leg bridged to it, which is not the agent's through loopback (05c). */
const SIP_RESULT_VARS = ['sip_invite_failure_status', 'sip_invite_failure_phrase', 'last_bridge_proto_specific_hangup_cause'];

export function startBridge(call: AgentCall, arg: string): BridgeRun {
  const { sw, ch: a } = call;
  const target = parseBridgeTarget(arg);
  const script = sw.subscriberScript(target.number);
  const dialVar = (n: string) => target.vars.find(([k]) => k === n)?.[1];
  const timeoutSec = Number(target.kind === 'loopback' ? sw.opts.routeCallTimeoutSec : dialVar('call_timeout') ?? a.getVar('call_timeout') ?? 60);
  const refused = subscriberRefusal(script.outcome);
  const afterMs = script.afterMs ?? 50;
  const timesOut = refused?.cause === 'NO_ANSWER' || (!refused && afterMs >= timeoutSec * 1000);
  const outcome: Refusal | null = timesOut ? refusal('no-answer') : refused;
  const pair = target.kind === 'loopback'
    ? new LoopbackPair(sw, a, { number: target.number, context: /^loopback\/[^/]+\/([^/\s|,]+)/.exec(splitVars(arg).rest.trim())?.[1] ?? 'default', vars: target.vars, routeTimeoutSec: timeoutSec })
    : null;
  const name = target.kind === 'gateway' ? `sofia/gateway/${arg.split('/')[2] ?? 'gw'}/${target.number}` : `sofia/${sw.opts.profile}/${target.number}@127.0.0.1:5090`;
  const sub = new SimChannel({
    uuid: randomUUID(), name, family: outcome && !pair ? 'subfail' : 'sub', ext: a.ext, num: target.number,
    cidNumber: pair?.a.cidNumber ?? dialVar('origination_caller_id_number') ?? a.cidNumber, cidName: pair?.a.cidName ?? a.cidName,
    // exported variables ride along to the B leg, after the dial string's own {vars}; through
    // loopback, what loopback-b's export_vars names
    originateVars: pair ? pair.sipVars() : [...target.vars, ...[...a.exported].filter(([k]) => !target.vars.some(([n]) => n === k))],
  }, sw.nowUs());
  if (pair) {
    sub.variant = 'loop-sip';
    pair.attach(sub);
  } else sub.otherUuid = a.uuid;
  const peer = pair?.a ?? sub;
  a.num = target.number;
  call.otherLeg = peer;
  sw.addChannel(sub);
  const subEvent = (name: string) => sw.channelEvent({ name, channel: sub, other: pair?.b ?? a });
  let timer: NodeJS.Timeout | null = null;

  const setResultVars = (failed: Refusal | null, cause: string) => {
    a.setVar('last_bridge_hangup_cause', cause);
    if (pair) for (const n of SIP_RESULT_VARS) renderExtras(a).hidden.add(n);
    if (failed) {
      a.setVar('originate_signal_bond', peer.uuid);
      a.setVar('originated_legs', `${peer.uuid};Outbound Call;${target.number}`);
      if (!pair && failed.sip !== null) a.setVar('sip_invite_failure_status', String(failed.sip));
      if (!pair) a.setVar('last_bridge_proto_specific_hangup_cause', failed.sip !== null ? `sip:${failed.sip}` : '');
      a.setVar('originate_disposition', cause);
      a.setVar('DIALSTATUS', dialStatus(cause));
      a.setVar('originate_causes', `${peer.uuid};${cause}`);
      a.setVar('originate_failed_cause', cause);
    } else {
      if (!pair) a.setVar('last_bridge_proto_specific_hangup_cause', 'sip:200');
      a.setVar('bridge_hangup_cause', cause);
    }
  };

  /** `local`: our side ended it (BYE sent, or CANCEL while it rang). */
  const endSub = (cause: string, r: Refusal | null, local = false) => {
    sub.hangupCause = cause;
    sub.hangupUs = sw.nowUs();
    sub.answerState = 'hangup';
    sub.setVar('hangup_cause', cause);
    sub.setVar('hangup_cause_q850', String(q850Of(cause)));
    if (r && r.sip !== null) {
      sub.setVar('sip_term_status', String(r.sip));
      sub.setVar('proto_specific_hangup_cause', `sip:${r.sip}`);
      sub.setVar('sip_invite_failure_status', String(r.sip));
      sub.setVar('sip_hangup_disposition', 'recv_refuse');
    } else if (!sub.answeredUs) {
      // ring timeout or the caller gone: FreeSWITCH sends CANCEL, the phone answers 487 (04e)
      sub.setVar('sip_invite_failure_status', '487');
      sub.setVar('sip_hangup_disposition', 'send_cancel');
      renderExtras(sub).hidden.add('sip_term_status').add('proto_specific_hangup_cause');
    } else if (cause === 'NORMAL_CLEARING') {
      sub.setVar('sip_term_status', '200');
      sub.setVar('proto_specific_hangup_cause', 'sip:200');
      sub.setVar('sip_hangup_disposition', local ? 'send_bye' : 'recv_bye');
    }
    subEvent('CHANNEL_HANGUP');
    subEvent('CHANNEL_HANGUP_COMPLETE');
    sw.removeChannel(sub);
    sw.timers.after(1, () => subEvent('CHANNEL_DESTROY'));
  };

  /** The subscriber never answered: the bridge fails with its cause (05b, 05d). */
  const fail = (cause: string, subRefusal: Refusal | null) => {
    if (pair) {
      // the refused SIP leg is what 05b recorded, whoever dialled it
      sub.family = 'subfail';
      sub.variant = null;
    }
    endSub(cause, subRefusal);
    pair?.sipGone(cause, subRefusal)();
    setResultVars(subRefusal ?? { cause, q850: q850Of(cause), sip: null, ringing: true }, cause);
    if (continues(a.getVar('continue_on_fail'), cause)) {
      a.variant = 'cof';
      call.completeApp();
    } else {
      a.variant = 'bridgefail';
      call.hangupAfterBridge(cause);
    }
  };

  const run: BridgeRun = {
    sub,
    peer,
    bridged: false,
    holds: (uuid) => (sub.uuid === uuid && !sub.ended) || (pair?.holds(uuid) ?? false),
    agentGone: () => {
      sw.timers.cancel(timer);
      if (sub.ended) return;
      if (run.bridged) {
        setResultVars(null, 'NORMAL_CLEARING');
        if (pair) pair.agentGone('NORMAL_CLEARING', () => endSub('NORMAL_CLEARING', null, true));
        else endSub('NORMAL_CLEARING', null, true);
      } else {
        a.setVar('originate_disposition', 'ORIGINATOR_CANCEL');
        a.setVar('DIALSTATUS', dialStatus('ORIGINATOR_CANCEL'));
        if (pair) pair.agentGone('ORIGINATOR_CANCEL', () => endSub('ORIGINATOR_CANCEL', null, true));
        else endSub('ORIGINATOR_CANCEL', null, true);
      }
    },
    subscriberGone: () => undefined,
  };

  pair?.created();
  subEvent('CHANNEL_CREATE');
  sw.timers.after(1, () => {
    if (sub.ended) return;
    sub.progressUs = sw.nowUs();
    subEvent('CHANNEL_PROGRESS');
    pair?.ringing();
  });

  const ringMs = outcome?.cause === 'NO_ANSWER' ? timeoutSec * 1000 : afterMs;
  timer = sw.timers.after(ringMs, () => {
    if (sub.ended || a.ended) return;
    if (outcome) return fail(outcome.cause, outcome);
    sub.answeredUs = sw.nowUs();
    sub.answerState = 'answered';
    sub.setVar('endpoint_disposition', 'ANSWER');
    subEvent('CHANNEL_ANSWER');
    if (pair) {
      // loopback-b is bridged to the SIP leg as it answers; the agent a moment later (05c)
      sub.bridgedUs = sub.answeredUs;
      pair.answered(sub);
    }
    const now = sw.nowUs();
    a.bridgedUs = now;
    if (pair) pair.bridgedToAgent(now);
    else sub.bridgedUs = now;
    a.otherUuid = peer.uuid;
    a.variant = pair ? 'loop' : 'bridged';
    a.setVar('originate_disposition', 'SUCCESS');
    a.setVar('DIALSTATUS', 'SUCCESS');
    a.setVar('originate_causes', `${peer.uuid};NONE`);
    a.setVar('signal_bond', peer.uuid);
    a.setVar('originated_legs', `${peer.uuid};Outbound Call;${target.number}`);
    a.setVar('last_bridge_to', peer.uuid);
    a.setVar('bridge_channel', peer.name);
    a.setVar('bridge_uuid', peer.uuid);
    run.bridged = true;
    call.event('CHANNEL_BRIDGE');
    timer = sw.timers.after(script.talkMs ?? 1000, () => run.subscriberGone('NORMAL_CLEARING'));
  });
  run.subscriberGone = (cause: string) => {
    sw.timers.cancel(timer);
    if (sub.ended || a.ended) return;
    // killed while ringing: a failed bridge with that cause
    if (!run.bridged) return fail(cause, null);
    // the subscriber hangs up (05a, 05c): the SIP leg first, then the relay pair, then the
    // agent leg unbridges; loopback-a's HANGUP_COMPLETE comes after the agent's (05c)
    setResultVars(null, cause);
    endSub(cause, null);
    const loopbackAComplete = pair?.sipGone(cause, null);
    call.event('CHANNEL_UNBRIDGE');
    run.bridged = false;
    if (a.getVar('hangup_after_bridge') === 'true') call.hangupAfterBridge(cause);
    else call.completeApp();
    loopbackAComplete?.();
  };
  return run;
}
