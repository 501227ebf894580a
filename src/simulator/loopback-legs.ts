// The relay pair a `loopback/<number>/<context>` bridge target creates (mod_loopback, recorded in
// 05c): loopback/<number>-a is the leg the agent's bridge originates and is bridged to;
// loopback/<number>-b runs the route context, whose own `bridge` dials the SIP leg and bridges
// loopback-b to it. What one leg of the pair undergoes, mod_loopback passes to the other with the
// same cause (channel_on_hangup), so the agent sees the SIP leg's cause on loopback-a.
//
// Recorded (05c, subscriber answers then hangs up): the channels, their events and order on the
// inbound stream, loopback-a answered at the SIP leg's answer time, loopback-b bridged to the SIP
// leg, loopback-a's HANGUP_COMPLETE only after the agent's. Not recorded, taken from mod_loopback
// and mod_dptools: a refused or unanswered SIP leg ends loopback-b with its cause (the route sets
// continue_on_fail=false), which ends loopback-a with it; the agent leaving first ends loopback-a,
// then loopback-b, then the SIP leg. The order of HANGUP_COMPLETEs in those cases is a guess.
// Bow-out (mod_loopback replacing the pair by a direct bridge once media flows) is not modelled:
// the adapter disables it with loopback_bowout=false, as the recording had it in effect.
import { randomUUID } from 'node:crypto';
import { SimChannel } from './channel.js';
import { dialStatus, q850Of, type Refusal } from './causes.js';
import { renderExtras } from './event-render.js';
import type { SimSwitch } from './sim-switch.js';

/** Recorded on answered legs only (README: failed legs have no answer_* and no ANSWER disposition). */
const ANSWER_ONLY = [
  'endpoint_disposition', 'answer_stamp', 'bridge_stamp', 'last_bridge_to', 'bridge_channel', 'bridge_uuid',
  'signal_bond', 'last_sent_callee_id_name', 'last_sent_callee_id_number', 'last_bridge_role', 'bridge_hangup_cause',
  'sip_hangup_phrase', 'last_bridge_proto_specific_hangup_cause',
];

export interface LoopbackTarget {
  number: string;
  context: string;
  /** the bridge's `{…}` variables */
  vars: [string, string][];
  /** call_timeout the route context sets on loopback-b */
  routeTimeoutSec: number;
}

export class LoopbackPair {
  readonly a: SimChannel;
  readonly b: SimChannel;
  #sip: SimChannel | null = null;

  constructor(private readonly sw: SimSwitch, private readonly agent: SimChannel, t: LoopbackTarget) {
    const dial = (n: string) => t.vars.find(([k]) => k === n)?.[1];
    // The originate of loopback-a gets the dial string's variables and the agent's exported ones;
    // origination_uuid becomes loopback-a's uuid. mod_loopback copies that whole set to loopback-b
    // (__loopback_vars__), loopback_export's names included.
    const vars: [string, string][] = [
      ...t.vars.filter(([k]) => k !== 'origination_uuid'),
      ...[...agent.exported].filter(([k]) => !t.vars.some(([n]) => n === k)),
    ];
    const base = {
      family: 'sub' as const, ext: agent.ext, num: t.number, originateVars: vars,
      cidNumber: dial('origination_caller_id_number') ?? agent.cidNumber, cidName: dial('origination_caller_id_name') ?? agent.cidName,
    };
    this.a = new SimChannel({ ...base, uuid: dial('origination_uuid') ?? randomUUID(), name: `loopback/${t.number}-a` }, sw.nowUs());
    this.b = new SimChannel({ ...base, uuid: randomUUID(), name: `loopback/${t.number}-b` }, sw.nowUs());
    this.a.variant = 'loop-a';
    this.b.variant = 'loop-b';
    this.a.otherUuid = agent.uuid;
    this.a.setVar('loopback_from_uuid', agent.uuid);
    this.a.setVar('other_loopback_leg_uuid', this.b.uuid);
    this.a.setVar('loopback_leg', 'A');
    this.b.setVar('other_loopback_leg_uuid', this.a.uuid);
    this.b.setVar('other_loopback_from_uuid', agent.uuid);
    this.b.setVar('loopback_leg', 'B');
    // the route context (README: dialer-out) before its bridge
    this.b.setVar('call_timeout', String(t.routeTimeoutSec));
    this.b.setVar('hangup_after_bridge', 'true');
    this.b.setVar('continue_on_fail', 'false');
    for (const ch of [this.a, this.b, agent]) renderExtras(ch).refs['ctx'] = t.context;
    renderExtras(this.a).refs['loopb'] = this.b.uuid;
    Object.assign(renderExtras(this.b).refs, { loopa: this.a.uuid, agent: agent.uuid });
    sw.addChannel(this.a);
    sw.addChannel(this.b);
  }

  /** What the route's bridge hands the SIP leg: the variables loopback-b's export_vars names. */
  sipVars(): [string, string][] {
    const names = (this.b.getVar('export_vars') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    return names.flatMap((n): [string, string][] => {
      const v = this.b.getVar(n);
      return v === undefined ? [] : [[n, v]];
    });
  }

  /** The SIP leg the route context dialled from loopback-b. */
  attach(sip: SimChannel): void {
    this.#sip = sip;
    sip.otherUuid = this.b.uuid;
    this.b.otherUuid = sip.uuid;
    this.b.setVar('originated_legs', `${sip.uuid};Outbound Call;${sip.num}`);
    renderExtras(this.b).refs['sipleg'] = sip.uuid;
    Object.assign(renderExtras(sip).refs, { agent: this.agent.uuid, ctx: renderExtras(this.a).refs['ctx'] ?? '' });
  }

  holds(uuid: string): boolean {
    return [this.a, this.b].some((ch) => ch.uuid === uuid && !ch.ended);
  }

  created(): void {
    this.#event('CHANNEL_CREATE', this.a);
    this.#event('CHANNEL_CREATE', this.b);
  }

  /** The SIP leg rings: mod_loopback passes the ring indication to loopback-a (05c). */
  ringing(): void {
    const now = this.sw.nowUs();
    for (const ch of [this.a, this.b]) {
      if (ch.ended) continue;
      ch.progressUs = now;
      this.#event('CHANNEL_PROGRESS', ch);
    }
  }

  /** The SIP leg answered: both relay legs answer at its answer time, loopback-b bridges to it. */
  answered(sip: SimChannel): void {
    for (const ch of [this.a, this.b]) {
      ch.answeredUs = sip.answeredUs;
      ch.answerState = 'answered';
      ch.setVar('endpoint_disposition', 'ANSWER');
    }
    this.#event('CHANNEL_ANSWER', this.a);
    this.#event('CHANNEL_ANSWER', this.b);
    this.b.bridgedUs = sip.bridgedUs;
    for (const [k, v] of [['originate_disposition', 'SUCCESS'], ['DIALSTATUS', 'SUCCESS'], ['originate_causes', `${sip.uuid};NONE`],
      ['last_bridge_to', sip.uuid], ['bridge_channel', sip.name], ['bridge_uuid', sip.uuid], ['signal_bond', sip.uuid]]) this.b.setVar(k!, v!);
    this.#event('CHANNEL_BRIDGE', this.b);
  }

  /** The agent leg is bridged to loopback-a (its CHANNEL_BRIDGE). */
  bridgedToAgent(us: number): void {
    this.a.bridgedUs = us;
  }

  /**
   * The SIP leg ended (after its HANGUP_COMPLETE): loopback-b, then loopback-a go down with its
   * cause. Returns loopback-a's HANGUP_COMPLETE, which 05c shows after the agent leg's; a refused
   * SIP leg (`refused`) never bridged, and its result lands on loopback-b like on any bridging leg.
   */
  sipGone(cause: string, refused: Refusal | null): () => void {
    const sip = this.#sip;
    if (this.b.bridgedUs) {
      this.b.setVar('last_bridge_hangup_cause', cause);
      this.b.setVar('bridge_hangup_cause', cause);
      this.#event('CHANNEL_UNBRIDGE', this.b);
    } else if (sip) {
      this.b.setVar('originate_disposition', cause);
      this.b.setVar('DIALSTATUS', dialStatus(cause));
      this.b.setVar('originate_causes', `${sip.uuid};${cause}`);
      this.b.setVar('originate_failed_cause', cause);
      this.b.setVar('last_bridge_hangup_cause', cause);
      if (refused?.sip) {
        this.b.setVar('sip_invite_failure_status', String(refused.sip));
        this.b.setVar('last_bridge_proto_specific_hangup_cause', `sip:${refused.sip}`);
      }
    }
    this.#hangup(this.b, cause);
    this.#hangup(this.a, cause);
    this.#complete(this.b);
    return () => this.#complete(this.a);
  }

  /** The agent leg hung up first: loopback-a, loopback-b, then the SIP leg (`endSip`) go down. */
  agentGone(cause: string, endSip: () => void): void {
    this.#hangup(this.a, cause);
    if (this.b.bridgedUs) this.#event('CHANNEL_UNBRIDGE', this.b);
    this.#hangup(this.b, cause);
    endSip();
    this.#complete(this.b);
    this.#complete(this.a);
  }

  #hangup(ch: SimChannel, cause: string): void {
    if (ch.ended) return;
    ch.hangupCause = cause;
    ch.hangupUs = this.sw.nowUs();
    ch.answerState = 'hangup';
    ch.setVar('hangup_cause', cause);
    ch.setVar('hangup_cause_q850', String(q850Of(cause)));
    ch.setVar('is_loopback', '1');
    if (!ch.answeredUs) for (const n of ANSWER_ONLY) if (ch.getVar(n) === undefined) renderExtras(ch).hidden.add(n);
    this.#event('CHANNEL_HANGUP', ch);
  }

  #complete(ch: SimChannel): void {
    if (!ch.ended || !this.sw.channels.has(ch.uuid)) return;
    this.#event('CHANNEL_HANGUP_COMPLETE', ch);
    this.sw.removeChannel(ch);
    this.sw.timers.after(1, () => this.#event('CHANNEL_DESTROY', ch));
  }

  #event(name: string, ch: SimChannel): void {
    const other = ch === this.a ? this.agent : this.#sip;
    this.sw.channelEvent({ name, channel: ch, other: ch.otherUuid ? other : null });
  }
}
