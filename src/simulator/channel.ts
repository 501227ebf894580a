import { randomUUID } from 'node:crypto';

// One simulated FreeSWITCH channel: identity, state and ordered variables. Events are rendered
// from it (event-render.ts); FreeSWITCH keeps variables in insertion order and a `set` moves
// the variable to the end, which a JS Map reproduces with delete + set.

/** Which recorded call the channel's events are modelled on (see event-templates.ts). */
export type ChannelFamily = 'park' | 'fail' | 'noanswer' | 'unreach' | 'xfer' | 'inline' | 'sub' | 'subfail' | 'service' | 'pred';

export type AnswerState = 'ringing' | 'answered' | 'hangup';

export interface ChannelInit {
  uuid: string;
  name: string;
  family: ChannelFamily;
  /** agent extension, e.g. '1000' */
  ext: string;
  /** dialled subscriber number ('' for agent legs before a bridge) */
  num: string;
  cidNumber: string;
  cidName: string;
  /** `{…}` variables of the originate / dial string, in order */
  originateVars: [string, string][];
}

let varClock = 0;

export class SimChannel {
  readonly uuid: string;
  readonly name: string;
  family: ChannelFamily;
  /** template variant ('bridged', 'bridgefail', 'cof'), chosen as the call goes */
  variant: string | null = null;
  readonly ext: string;
  num: string;
  readonly cidNumber: string;
  readonly cidName: string;
  readonly originateVars: [string, string][];
  /** variables set by the socket app (`set`/`export`), in set order */
  readonly appVars = new Map<string, string>();
  /** `export`ed variables: copied onto legs this channel originates (the bridge's B leg) */
  readonly exported = new Map<string, string>();
  /** every variable the channel has; what tests read through Simulator.channels() */
  readonly vars = new Map<string, string>();
  /** when each variable was last set (a global order), to place app variables as FreeSWITCH does */
  readonly varSeq = new Map<string, number>();
  /** header values that differ from the template's family (e.g. an inbound service call) */
  readonly headerOverrides = new Map<string, string>();
  answerState: AnswerState = 'ringing';
  state = 'CS_INIT';
  hangupCause: string | null = null;
  otherUuid: string | null = null;
  otherName: string | null = null;
  createdUs: number;
  progressUs = 0;
  answeredUs = 0;
  bridgedUs = 0;
  hangupUs = 0;
  /** the leg ended: no further events */
  get ended(): boolean {
    return this.hangupCause !== null;
  }

  constructor(init: ChannelInit, nowUs: number) {
    this.uuid = init.uuid;
    this.name = init.name;
    this.family = init.family;
    this.ext = init.ext;
    this.num = init.num;
    this.cidNumber = init.cidNumber;
    this.cidName = init.cidName;
    this.originateVars = init.originateVars;
    this.createdUs = nowUs;
    this.setVar('uuid', init.uuid);
    this.setVar('channel_name', init.name);
    // every simulated leg is a SIP leg with its own Call-ID
    this.setVar('sip_call_id', randomUUID());
    for (const [k, v] of init.originateVars) this.setVar(k, v);
  }

  setVar(name: string, value: string): void {
    this.vars.delete(name);
    this.vars.set(name, value);
    this.varSeq.set(name, ++varClock);
  }

  /** `set`/`export` from the socket app: kept apart so rendering puts them where FreeSWITCH does. */
  setAppVar(name: string, value: string): void {
    this.appVars.delete(name);
    this.appVars.set(name, value);
    this.setVar(name, value);
  }

  getVar(name: string): string | undefined {
    return this.vars.get(name);
  }

  /** `variable_*` values FreeSWITCH derives from the channel's clock (CHANNEL_HANGUP_COMPLETE). */
  timingVars(nowUs: number): Record<string, string> {
    const end = this.hangupUs || nowUs;
    const answered = this.answeredUs;
    const out: Record<string, string> = {};
    const stamp = (us: number) => (us ? localStamp(us) : '');
    const pairs: [string, number][] = [
      ['start', this.createdUs], ['profile_start', this.createdUs], ['answer', answered],
      ['bridge', this.bridgedUs], ['last_hold', 0], ['resurrect', 0], ['progress', this.progressUs],
      ['progress_media', 0], ['end', end],
    ];
    for (const [k, us] of pairs) {
      out[`${k}_epoch`] = String(Math.floor(us / 1e6));
      out[`${k}_uepoch`] = String(us);
      if (us) out[`${k}_stamp`] = stamp(us);
    }
    out['hold_accum_seconds'] = '0';
    out['hold_accum_usec'] = '0';
    out['hold_accum_ms'] = '0';
    const dur = end - this.createdUs;
    const bill = answered ? end - answered : 0;
    const prog = this.progressUs ? this.progressUs - this.createdUs : 0;
    const ans = answered ? answered - this.createdUs : 0;
    const spans: [string, number][] = [
      ['duration', dur], ['billsec', bill], ['progresssec', prog], ['answersec', ans], ['waitsec', ans],
      ['progress_mediasec', 0], ['flow_billsec', bill],
    ];
    for (const [k, us] of spans) {
      const base = k.replace(/sec$/, '');
      out[k === 'duration' ? 'duration' : k] = String(Math.floor(us / 1e6));
      out[k === 'duration' ? 'mduration' : `${base}msec`] = String(Math.floor(us / 1e3));
      out[k === 'duration' ? 'uduration' : `${base}usec`] = String(Math.floor(us));
    }
    return out;
  }
}

/** FreeSWITCH's `%Y-%m-%d %H:%M:%S` in the server's local time zone. */
export function localStamp(us: number): string {
  const d = new Date(Math.floor(us / 1000));
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
