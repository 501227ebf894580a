// The subscriber leg of a predictive call (P3, recorded in 09): `originate {vars}loopback/<num>/<ctx>
// dialer_predictive XML dialer-predictive`. The originate makes the loopback pair itself: loopback-a
// (the origination_uuid) is what the dialer drives, loopback-b runs the route context and bridges
// the SIP leg. At the answer loopback-a runs freeswitch-conf/dialplan/dialer-predictive.xml: it arms
// the fail-safe (sched_transfer at floor(now + 1.4 s); the switch's scheduler looks every 0.5 s) and
// parks. `sched_del <uuid>` cancels a fail-safe that has not fired (`+OK Deleted: 1`, else 0);
// `uuid_bridge <member> <agent>` bridges it to a nailed-up agent leg, which goes back to park when
// the subscriber hangs up (park_after_bridge=true); a fired fail-safe plays the information message
// (dialer_message_uepoch set as it starts) and hangs up.
//
// Recorded (09): the answer before the job's `+OK`, the replies of sched_del and uuid_bridge, the
// variables of loopback-a's CHANNEL_ANSWER and CHANNEL_HANGUP_COMPLETE; measured on the same build:
// the fail-safe's timing, ring-out after originate_timeout counted from the whole second the
// originate started in. Not recorded, so not sent: the CHANNEL_EXECUTE events of the dialplan
// apps, and the agent leg's CHANNEL_BRIDGE / UNBRIDGE / PARK around a uuid_bridge.
import { randomUUID } from 'node:crypto';
import { SimChannel } from './channel.js';
import { q850Of, refusal, type Refusal } from './causes.js';
import { renderExtras } from './event-render.js';
import type { ParsedOriginate } from './originate-parse.js';
import type { SimSwitch } from './sim-switch.js';
import type { AgentCall } from './agent-call.js';
import { subscriberRefusal } from './bridge-run.js';
import { expandHook } from './switch-db.js';

export const PREDICTIVE_CONTEXT = 'dialer-predictive';
/** The switch's scheduler thread looks for due tasks this often (switch_scheduler.c). */
const SCHEDULER_TICK_MS = 500;

/** The api_hangup_hook dialer-predictive.xml sets, as `set` leaves it (its ${uuid} and ${dialer_attempt_id} expanded). */
export function predictiveHangupHook(uuid: string, attemptId: string): string {
  return `db insert/dialer_predictive/${uuid}/${attemptId}|`
    + '${answer_uepoch}|${bridge_uepoch}|${dialer_message_uepoch}|${dialer_optout_digit}|${end_uepoch}|${hangup_cause}';
}

export class PredictiveCall {
  readonly a: SimChannel;
  readonly b: SimChannel;
  readonly sip: SimChannel;
  agent: AgentCall | null = null;
  #failsafe: NodeJS.Timeout | null = null;
  #failsafeFired = false;
  #timers: NodeJS.Timeout[] = [];
  #jobDone = false;

  constructor(private readonly sw: SimSwitch, p: ParsedOriginate, uuid: string, private readonly done: (body: string) => void) {
    const number = /^loopback\/([^/]+)/.exec(p.dial)?.[1] ?? '';
    const context = /^loopback\/[^/]+\/([^/\s]+)/.exec(p.dial)?.[1] ?? 'default';
    const v = (k: string) => p.vars.find(([n]) => n === k)?.[1];
    const base = {
      ext: '', num: number, cidNumber: v('origination_caller_id_number') ?? '0000000000', cidName: v('origination_caller_id_name') ?? 'Outbound Call',
    };
    const now = sw.nowUs();
    this.a = new SimChannel({ ...base, uuid, name: `loopback/${number}-a`, family: 'pred', originateVars: p.vars }, now);
    // mod_loopback copies the originate's variables to loopback-b (__loopback_vars__)
    this.b = new SimChannel({ ...base, uuid: randomUUID(), name: `loopback/${number}-b`, family: 'sub', originateVars: p.vars.filter(([k]) => k !== 'origination_uuid') }, now);
    this.sip = new SimChannel({ ...base, uuid: randomUUID(), name: `sofia/${sw.opts.profile}/${number}@127.0.0.1:5090`, family: 'sub', originateVars: [] }, now);
    this.a.variant = 'loop-a';
    this.b.variant = 'loop-b';
    this.sip.variant = 'loop-sip';
    for (const [ch, k, val] of [[this.a, 'loopback_leg', 'A'], [this.b, 'loopback_leg', 'B']] as const) ch.setVar(k, val);
    this.a.setVar('other_loopback_leg_uuid', this.b.uuid);
    this.b.setVar('other_loopback_leg_uuid', this.a.uuid);
    this.b.setVar('call_timeout', String(sw.opts.routeCallTimeoutSec));
    this.b.setVar('hangup_after_bridge', 'true');
    this.b.otherUuid = this.sip.uuid;
    this.sip.otherUuid = this.b.uuid;
    for (const ch of [this.a, this.b, this.sip]) Object.assign(renderExtras(ch).refs, { ctx: context, loopa: this.a.uuid, loopb: this.b.uuid, sipleg: this.sip.uuid });
  }

  get ended(): boolean {
    return this.a.ended;
  }

  holds(uuid: string): boolean {
    return !this.a.ended && [this.a.uuid, this.b.uuid, this.sip.uuid].includes(uuid);
  }

  start(): void {
    const { sw } = this;
    for (const ch of [this.a, this.b, this.sip]) sw.addChannel(ch);
    for (const ch of [this.a, this.b, this.sip]) this.#event('CHANNEL_CREATE', ch);
    this.#after(1, () => {
      const us = sw.nowUs();
      for (const ch of [this.sip, this.b, this.a]) {
        ch.progressUs = us;
        ch.state = 'CS_CONSUME_MEDIA';
        this.#event('CHANNEL_PROGRESS', ch);
      }
    });
    const script = sw.subscriberScript(this.a.num);
    const refused = subscriberRefusal(script.outcome);
    const afterMs = script.afterMs ?? 50;
    // originate_timeout is counted in whole seconds from the second the originate started in
    // (09, 04e: 4.3 and 4.8 s for 5); the route's call_timeout rings the SIP leg out on its own
    const startMs = Math.floor(this.a.createdUs / 1000);
    const originateMs = (Math.floor(startMs / 1000) + Number(this.a.getVar('originate_timeout') ?? 60)) * 1000 - startMs;
    const ringOutMs = Math.min(originateMs, sw.opts.routeCallTimeoutSec * 1000);
    if (refused?.cause === 'NO_ANSWER' || (!refused && afterMs >= ringOutMs)) {
      this.#after(ringOutMs, () => this.#fail(refusal('no-answer'), originateMs <= ringOutMs));
      return;
    }
    this.#after(afterMs, () => (refused ? this.#fail(refused, false) : this.#answer(script.talkMs ?? 1000)));
  }

  /** `sched_del <uuid>`: how many scheduled tasks of the leg were removed. */
  cancelFailsafe(): number {
    if (!this.#failsafe) return 0;
    this.sw.timers.cancel(this.#failsafe);
    this.#failsafe = null;
    return 1;
  }

  /** `uuid_bridge <member> <agent>` with the agent's leg; false when it cannot be bridged. */
  bridgeTo(agent: AgentCall): boolean {
    if (this.a.ended || agent.ended || this.a.answerState !== 'answered' || agent.ch.answerState !== 'answered') return false;
    const us = this.sw.nowUs();
    this.agent = agent;
    this.a.bridgedUs = us;
    this.a.otherUuid = agent.ch.uuid;
    renderExtras(this.a).refs['agent'] = agent.ch.uuid;
    for (const k of ['last_bridge_to', 'bridge_uuid', 'signal_bond']) this.a.setVar(k, agent.ch.uuid);
    this.a.setVar('bridge_channel', agent.ch.name);
    this.a.setVar('current_application', 'uuid_bridge');
    agent.ch.bridgedUs = us;
    agent.ch.otherUuid = this.a.uuid;
    agent.otherLeg = this.a;
    agent.ch.setVar('bridge_uuid', this.a.uuid);
    agent.ch.setVar('last_bridge_to', this.a.uuid);
    agent.onEnd(() => {
      // the agent left first: hangup_after_bridge on the subscriber's leg ends it
      if (this.agent === agent && !this.a.ended) this.hangup(agent.ch.hangupCause ?? 'NORMAL_CLEARING', 'agent');
    });
    return true;
  }

  /**
   * The call ends: `subscriber` (BYE from the SIP side: SIP leg, then the pair), `local` (uuid_kill,
   * the abandon extension's hangup: loopback-a first, the SIP leg gets our BYE), `agent` (as local).
   */
  hangup(cause: string, by: 'subscriber' | 'local' | 'agent'): void {
    if (this.a.ended) return;
    for (const t of this.#timers) this.sw.timers.cancel(t);
    this.cancelFailsafe();
    const answered = this.a.answerState === 'answered';
    if (answered) this.sip.setVar('sip_hangup_disposition', by === 'subscriber' ? 'recv_bye' : 'send_bye');
    if (answered && cause === 'NORMAL_CLEARING') {
      this.sip.setVar('sip_term_status', '200');
      this.sip.setVar('proto_specific_hangup_cause', 'sip:200');
    }
    if (this.a.bridgedUs) this.a.setVar('bridge_hangup_cause', cause);
    this.a.variant = !answered ? 'loop-a' : this.a.bridgedUs ? 'pred-bridged' : 'pred-abandon';
    const order = by === 'subscriber' ? [this.sip, this.b, this.a] : [this.a, this.b, this.sip];
    for (const ch of order) this.#mark(ch, cause);
    for (const ch of order) this.#event('CHANNEL_HANGUP', ch);
    this.#hangupHook();
    for (const ch of order) this.#complete(ch);
    this.#settleJob(`-ERR ${cause}\n`);
    this.#releaseAgent();
  }

  #answer(talkMs: number): void {
    const { sw } = this;
    const us = sw.nowUs();
    for (const ch of [this.sip, this.b, this.a]) {
      ch.answeredUs = us;
      ch.answerState = 'answered';
      ch.state = 'CS_EXECUTE';
      ch.setVar('endpoint_disposition', 'ANSWER');
    }
    this.b.bridgedUs = us;
    this.sip.bridgedUs = us;
    // The extension runs in the answered leg's own thread; in 09 and in 25 timed calls it had
    // armed the fail-safe before the CHANNEL_ANSWER reached the app (sched_del at once: Deleted: 1)
    this.#runExtension();
    this.#event('CHANNEL_ANSWER', this.sip);
    this.#event('CHANNEL_ANSWER', this.b);
    this.#event('CHANNEL_BRIDGE', this.b);
    this.#event('CHANNEL_ANSWER', this.a);
    // 09: the job's +OK follows loopback-a's CHANNEL_ANSWER
    this.#settleJob(`+OK ${this.a.uuid}\n`);
    this.#after(talkMs, () => this.hangup('NORMAL_CLEARING', 'subscriber'));
  }

  /** dialer-predictive.xml: sched_transfer at floor(now + 1.4 s) into dialer-abandon, then park. */
  #runExtension(): void {
    const { sw } = this;
    const nowMs = Date.now();
    const dueMs = Math.floor((nowMs + 1400) / 1000) * 1000;
    const phase = sw.startedAtMs % SCHEDULER_TICK_MS;
    const tickMs = Math.ceil((dueMs - phase) / SCHEDULER_TICK_MS) * SCHEDULER_TICK_MS + phase;
    // the switch's record of the call, written at the hang-up (switch-db.ts); `set` has expanded
    // ${uuid} and ${dialer_attempt_id}, the rest is expanded when the hook runs
    this.a.setVar('api_hangup_hook', predictiveHangupHook(this.a.uuid, this.a.getVar('dialer_attempt_id') ?? ''));
    this.a.setVar('last_sched_id', String(this.a.createdUs % 100_000));
    this.a.setVar('current_application', 'park');
    this.#failsafe = sw.timers.after(tickMs - nowMs, () => {
      this.#failsafe = null;
      this.#failsafeFired = true;
      this.#abandon();
    });
  }

  /** dialer-abandon: the message (and the opt-out key, when the campaign has one), then hang up. */
  #abandon(): void {
    if (this.a.ended) return;
    const { sw } = this;
    this.a.setVar('dialer_message_uepoch', String(sw.nowUs()));
    this.a.setVar('current_application', 'playback');
    const key = this.a.getVar('dialer_optout_key');
    const pressed = sw.subscriberScript(this.a.num).optOutDigit;
    if (key && pressed) this.#after(Math.min(500, sw.opts.abandonMessageMs / 2), () => this.a.setAppVar('dialer_optout_digit', pressed));
    this.#after(sw.opts.abandonMessageMs, () => {
      this.a.setVar('current_application', 'hangup');
      this.hangup('NORMAL_CLEARING', 'local');
    });
  }

  /** `uuid_transfer <uuid> dialer_abandon XML dialer-abandon`: the message now. */
  transferToAbandon(): boolean {
    if (this.a.ended || this.a.answerState !== 'answered') return false;
    this.cancelFailsafe();
    this.#abandon();
    return true;
  }

  get failsafeFired(): boolean {
    return this.#failsafeFired;
  }

  /** Never answered: the SIP leg's cause reaches loopback-a; `ownTimeout`: the originate itself gave up. */
  #fail(r: Refusal, ownTimeout: boolean): void {
    if (this.a.ended) return;
    if (r.sip !== null) {
      this.sip.setVar('sip_term_status', String(r.sip));
      this.sip.setVar('proto_specific_hangup_cause', `sip:${r.sip}`);
      this.sip.setVar('sip_invite_failure_status', String(r.sip));
      this.sip.setVar('sip_hangup_disposition', 'recv_refuse');
    } else {
      this.sip.setVar('sip_invite_failure_status', '487');
      this.sip.setVar('sip_hangup_disposition', 'send_cancel');
    }
    const before = this.sw.jobBeforeHangup();
    if (before) this.#settleJob(`-ERR ${r.cause}\n`);
    const order = ownTimeout ? [this.a, this.b, this.sip] : [this.sip, this.b, this.a];
    for (const ch of order) this.#mark(ch, ownTimeout && ch === this.sip ? 'ORIGINATOR_CANCEL' : r.cause);
    for (const ch of order) this.#event('CHANNEL_HANGUP', ch);
    for (const ch of order) this.#complete(ch);
    this.#settleJob(`-ERR ${r.cause}\n`);
  }

  /** loopback-a's api_hangup_hook, run in its hang-up state: after the hangup timestamps, before CHANNEL_HANGUP_COMPLETE. */
  #hangupHook(): void {
    const hook = this.a.getVar('api_hangup_hook');
    if (!hook) return;
    const timing = this.a.timingVars(this.sw.nowUs());
    const { cmd, arg } = expandHook(hook, (name) => timing[name] ?? this.a.getVar(name));
    if (cmd === 'db') this.sw.db.api(arg);
    else this.sw.log.warn({ cmd }, 'api_hangup_hook command not modelled');
  }

  #releaseAgent(): void {
    const agent = this.agent;
    this.agent = null;
    if (!agent || agent.ended) return;
    agent.ch.otherUuid = null;
    // park_after_bridge=true keeps the nailed-up leg for the next call (09); without it the
    // surviving leg of a uuid_bridge is hung up
    if (agent.ch.getVar('park_after_bridge') === 'true') agent.ch.setVar('current_application', 'park');
    else agent.hangup('NORMAL_CLEARING');
  }

  #settleJob(body: string): void {
    if (this.#jobDone) return;
    this.#jobDone = true;
    this.done(body);
  }

  #mark(ch: SimChannel, cause: string): void {
    ch.hangupCause = cause;
    ch.hangupUs = this.sw.nowUs();
    ch.answerState = 'hangup';
    ch.state = 'CS_HANGUP';
    ch.setVar('hangup_cause', cause);
    ch.setVar('hangup_cause_q850', String(q850Of(cause)));
  }

  #complete(ch: SimChannel): void {
    ch.state = 'CS_REPORTING';
    this.#event('CHANNEL_HANGUP_COMPLETE', ch);
    this.sw.removeChannel(ch);
    if (ch === this.a) this.sw.predictive.delete(ch.uuid);
    this.sw.timers.after(1, () => this.#event('CHANNEL_DESTROY', ch));
  }

  #event(name: string, ch: SimChannel): void {
    const other = ch.otherUuid ? this.sw.channels.get(ch.otherUuid) ?? null : null;
    this.sw.channelEvent({ name, channel: ch, other });
  }

  #after(ms: number, fn: () => void): void {
    this.#timers.push(this.sw.timers.after(ms, () => {
      if (!this.a.ended) fn();
    }));
  }
}
