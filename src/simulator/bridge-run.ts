// The `bridge` app on an answered agent leg: a scripted subscriber B leg, and the results on
// the agent leg as 05a (answered), 05b (refused, no continue_on_fail: FreeSWITCH hangs the
// agent up with the subscriber's cause) and 05d (continue_on_fail: the agent stays).
// A `loopback/<num>/<ctx>` target is modelled as one direct B leg: the real loopback-a/-b pair
// (05c) only adds two relay channels whose causes and billsec equal the SIP leg's, and the
// route's call_timeout (routeCallTimeoutSec) is what the loopback context would apply.
import { randomUUID } from 'node:crypto';
import { SimChannel } from './channel.js';
import { dialStatus, q850Of, refusal, type Refusal, type RefusalKind } from './causes.js';
import { parseBridgeTarget } from './originate-parse.js';
import type { SubscriberScript } from './types.js';
import type { AgentCall } from './agent-call.js';

export interface BridgeRun {
  readonly sub: SimChannel;
  bridged: boolean;
  /** the agent leg hung up while the bridge ran */
  agentGone(): void;
  /** the subscriber leg ends by itself (talk time over, or uuid_kill on the B leg) */
  subscriberGone(cause: string): void;
}

function subscriberRefusal(o: SubscriberScript['outcome']): Refusal | null {
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
  const name = target.kind === 'gateway' ? `sofia/gateway/${arg.split('/')[2] ?? 'gw'}/${target.number}` : `sofia/${sw.opts.profile}/${target.number}@127.0.0.1:5090`;
  const sub = new SimChannel({
    uuid: randomUUID(), name, family: outcome ? 'subfail' : 'sub', ext: a.ext, num: target.number,
    cidNumber: dialVar('origination_caller_id_number') ?? a.cidNumber, cidName: a.cidName,
    // exported variables ride along to the B leg, after the dial string's own {vars}
    originateVars: [...target.vars, ...[...a.exported].filter(([k]) => !target.vars.some(([n]) => n === k))],
  }, sw.nowUs());
  sub.otherUuid = a.uuid;
  a.num = target.number;
  call.otherLeg = sub;
  sw.addChannel(sub);
  const subEvent = (name: string) => sw.channelEvent({ name, channel: sub, other: a });
  let timer: NodeJS.Timeout | null = null;
  const run: BridgeRun = {
    sub,
    bridged: false,
    agentGone: () => {
      sw.timers.cancel(timer);
      if (sub.ended) return;
      if (run.bridged) {
        setResultVars(null, 'NORMAL_CLEARING');
        endSub('NORMAL_CLEARING', null);
      } else {
        a.setVar('originate_disposition', 'ORIGINATOR_CANCEL');
        a.setVar('DIALSTATUS', dialStatus('ORIGINATOR_CANCEL'));
        endSub('ORIGINATOR_CANCEL', null);
      }
    },
    subscriberGone: () => undefined,
  };

  const setResultVars = (failed: Refusal | null, cause: string) => {
    a.setVar('last_bridge_hangup_cause', cause);
    if (failed) {
      a.setVar('originate_signal_bond', sub.uuid);
      a.setVar('originated_legs', `${sub.uuid};Outbound Call;${target.number}`);
      if (failed.sip !== null) a.setVar('sip_invite_failure_status', String(failed.sip));
      a.setVar('last_bridge_proto_specific_hangup_cause', failed.sip !== null ? `sip:${failed.sip}` : '');
      a.setVar('originate_disposition', cause);
      a.setVar('DIALSTATUS', dialStatus(cause));
      a.setVar('originate_causes', `${sub.uuid};${cause}`);
      a.setVar('originate_failed_cause', cause);
    } else {
      a.setVar('last_bridge_proto_specific_hangup_cause', 'sip:200');
      a.setVar('bridge_hangup_cause', cause);
    }
  };

  const endSub = (cause: string, r: Refusal | null) => {
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
    } else if (cause === 'NORMAL_CLEARING') {
      sub.setVar('sip_term_status', '200');
      sub.setVar('proto_specific_hangup_cause', 'sip:200');
      sub.setVar('sip_hangup_disposition', 'recv_bye');
    }
    subEvent('CHANNEL_HANGUP');
    subEvent('CHANNEL_HANGUP_COMPLETE');
    sw.removeChannel(sub);
    sw.timers.after(1, () => subEvent('CHANNEL_DESTROY'));
  };

  subEvent('CHANNEL_CREATE');
  sw.timers.after(1, () => {
    if (sub.ended) return;
    sub.progressUs = sw.nowUs();
    subEvent('CHANNEL_PROGRESS');
  });

  const ringMs = outcome?.cause === 'NO_ANSWER' ? timeoutSec * 1000 : afterMs;
  timer = sw.timers.after(ringMs, () => {
    if (sub.ended || a.ended) return;
    if (outcome) {
      endSub(outcome.cause, outcome);
      setResultVars(outcome, outcome.cause);
      if (continues(a.getVar('continue_on_fail'), outcome.cause)) {
        a.variant = 'cof';
        call.completeApp();
      } else {
        a.variant = 'bridgefail';
        call.hangupAfterBridge(outcome.cause);
      }
      return;
    }
    sub.answeredUs = sw.nowUs();
    sub.answerState = 'answered';
    sub.setVar('endpoint_disposition', 'ANSWER');
    subEvent('CHANNEL_ANSWER');
    const now = sw.nowUs();
    a.bridgedUs = now;
    sub.bridgedUs = now;
    a.otherUuid = sub.uuid;
    a.variant = 'bridged';
    a.setVar('originate_disposition', 'SUCCESS');
    a.setVar('DIALSTATUS', 'SUCCESS');
    a.setVar('originate_causes', `${sub.uuid};NONE`);
    a.setVar('signal_bond', sub.uuid);
    a.setVar('originated_legs', `${sub.uuid};Outbound Call;${target.number}`);
    a.setVar('last_bridge_to', sub.uuid);
    a.setVar('bridge_channel', sub.name);
    a.setVar('bridge_uuid', sub.uuid);
    run.bridged = true;
    call.event('CHANNEL_BRIDGE');
    timer = sw.timers.after(script.talkMs ?? 1000, () => run.subscriberGone('NORMAL_CLEARING'));
  });
  run.subscriberGone = (cause: string) => {
    sw.timers.cancel(timer);
    if (sub.ended || a.ended) return;
    if (!run.bridged) {
      // killed while ringing: a failed bridge with that cause
      const r: Refusal = { cause, q850: q850Of(cause), sip: null, ringing: true };
      endSub(cause, null);
      setResultVars(r, cause);
      if (continues(a.getVar('continue_on_fail'), cause)) { a.variant = 'cof'; call.completeApp(); }
      else { a.variant = 'bridgefail'; call.hangupAfterBridge(cause); }
      return;
    }
    // the subscriber hangs up (05a): B leg first, then the agent leg unbridges
    setResultVars(null, cause);
    endSub(cause, null);
    call.event('CHANNEL_UNBRIDGE');
    run.bridged = false;
    if (a.getVar('hangup_after_bridge') === 'true') call.hangupAfterBridge(cause);
    else call.completeApp();
  };
  return run;
}
