// Turns channel state into an event's headers, in FreeSWITCH's order, using a recorded event of
// the same kind as the template (event-templates.ts), and serialises events as plain or json.
import { EVENT_TEMPLATES } from './event-templates.js';
import { localStamp, type SimChannel } from './channel.js';
import { fsUrlEncode } from './url-encode.js';

export interface AppRun {
  name: string;
  data: string;
  uuid: string;
  response?: string;
}

/** A rendered event: what inbound and outbound sessions serialise. */
export interface SimEvent {
  name: string;
  subclass: string | null;
  /** Unique-ID of the channel it is about, for `myevents` filtering */
  uuid: string | null;
  headers: [string, string][];
  body: string | null;
}

export interface CoreInfo {
  coreUuid: string;
  hostname: string;
  seq: number;
  nowUs: number;
}

const FAMILY_CHAIN: Record<SimChannel['family'], string[]> = {
  park: ['park'],
  fail: ['fail', 'park'],
  noanswer: ['noanswer', 'fail', 'park'],
  unreach: ['unreach', 'fail', 'park'],
  xfer: ['xfer', 'inline'],
  inline: ['inline', 'xfer'],
  sub: ['sub'],
  subfail: ['subfail', 'sub'],
  // a phone's own call into the socket (service numbers): no recording, the inline socket leg
  // is the closest; direction and numbers come from headerOverrides
  service: ['inline', 'xfer'],
  // the predictive subscriber leg (09) is loopback-a of a pair the originate itself made; what
  // 09 did not record of it comes from 05c's loopback-a
  pred: ['pred', 'sub'],
};

/**
 * What a channel's templates need beyond SimChannel: uuids of the other legs of its call for the
 * role placeholders of the loopback recordings ({{agent}} {{loopa}} {{loopb}} {{sipleg}}, and the
 * route context {{ctx}}), and recorded variables this channel must not show (e.g. answer times
 * of a relay leg that never answered).
 */
export interface RenderExtras {
  refs: Record<string, string>;
  hidden: Set<string>;
}

const EXTRAS = new WeakMap<SimChannel, RenderExtras>();

export function renderExtras(ch: SimChannel): RenderExtras {
  let x = EXTRAS.get(ch);
  if (!x) EXTRAS.set(ch, (x = { refs: {}, hidden: new Set() }));
  return x;
}

export const STATE_NUMBER: Record<string, string> = {
  CS_NEW: '0', CS_INIT: '2', CS_ROUTING: '3', CS_EXECUTE: '4', CS_EXCHANGE_MEDIA: '5', CS_CONSUME_MEDIA: '7',
  CS_HANGUP: '10', CS_REPORTING: '11', CS_DESTROY: '12',
};

function templateFor(ch: SimChannel, event: string, app: string | undefined): readonly (readonly [string, string])[] {
  const chain = FAMILY_CHAIN[ch.family];
  const keys: string[] = [];
  const appPart = app ? [`|${app}`] : [];
  if (ch.variant) for (const f of chain) for (const a of [...appPart, '']) keys.push(`${f}|${event}${a}#${ch.variant}`);
  for (const f of chain) for (const a of [...appPart, '']) keys.push(`${f}|${event}${a}`);
  // an event kind the recordings only show in another variant (e.g. CHANNEL_STATE of an unbridged call)
  for (const f of chain) for (const v of ['bridged', 'cof', 'bridgefail']) keys.push(`${f}|${event}#${v}`);
  for (const k of keys) {
    const t = EVENT_TEMPLATES[k];
    if (t) return t;
  }
  // CHANNEL_DESTROY was only recorded for park/failed legs; it repeats HANGUP_COMPLETE's headers
  if (event === 'CHANNEL_DESTROY') return templateFor(ch, 'CHANNEL_HANGUP_COMPLETE', app);
  throw new Error(`no event template for ${ch.family} ${event}`);
}

const TIME_HEADER = /^(Caller|Channel|Other-Leg)-(Channel-)?(Profile-Created|Created|Answered|Progress|Hangup|Bridged|Transfer)-Time$/;

function timeOf(ch: SimChannel, what: string): number {
  switch (what) {
    case 'Profile-Created': case 'Created': case 'Transfer': return ch.createdUs;
    case 'Answered': return ch.answeredUs;
    case 'Progress': return ch.progressUs;
    case 'Hangup': return ch.hangupUs;
    case 'Bridged': return ch.bridgedUs;
    default: return 0;
  }
}

export interface ChannelEventInput {
  name: string;
  channel: SimChannel;
  other?: SimChannel | null;
  app?: AppRun;
  /** Channel-State override (CHANNEL_STATE events) */
  state?: string;
}

export function renderChannelEvent(input: ChannelEventInput, core: CoreInfo): SimEvent {
  const { channel: ch, other } = input;
  const tpl = templateFor(ch, input.name, input.app?.name);
  const extras = EXTRAS.get(ch);
  const subst = (v: string) => !v.includes('{{') ? v :
    v.replace(/\{\{(\w+)\}\}/g, (_m, k: string) => {
      switch (k) {
        case 'uuid': return ch.uuid;
        case 'other': return ch.otherUuid ?? '';
        case 'ext': return ch.ext;
        case 'num': return ch.num;
        case 'cidnum': return ch.cidNumber;
        case 'cidname': return ch.cidName;
        default: return extras?.refs[k] ?? '';
      }
    });
  // A template recorded on a hung-up channel (05a's bridge completion) used for a live one (a
  // bridge that ended without hangup_after_bridge): FreeSWITCH adds Hangup-Cause only once the
  // channel has a cause, and numbers the state it is in (05d: CS_EXECUTE is 4, not 10).
  const liveOnHungUpTemplate = !ch.ended && tpl.some(([k, v]) => k === 'Answer-State' && v === 'hangup');
  const timing = ch.timingVars(core.nowUs);
  const headers: [string, string][] = [];
  const renderedApp = new Set<string>();
  // recordings made with origination_caller_id_name carry the name in headers that FreeSWITCH
  // leaves out when no name was given (05b vs 06): drop those
  const noCidName = ch.cidName === 'Outbound Call';
  const pushAppVars = (before: number) => {
    for (const [k, v] of ch.appVars) {
      if (renderedApp.has(k) || (ch.varSeq.get(k) ?? 0) >= before) continue;
      headers.push([`variable_${k}`, v]);
      renderedApp.add(k);
    }
  };
  // FreeSWITCH appends a `set` variable at the end of the list, and later sets land behind it.
  // So each app variable goes right before the first template variable the simulator set after
  // it, or at the end of the variable block.
  let lastVar = -1;
  tpl.forEach(([k], i) => { if (k.startsWith('variable_') || k === '@originate') lastVar = i; });
  tpl.forEach(([k, tv], i) => {
    if (k.startsWith('variable_')) pushAppVars(ch.varSeq.get(k.slice(9)) ?? 0);
    renderOne(k, tv);
    if (i === lastVar) pushAppVars(Infinity);
  });
  return { name: input.name, subclass: null, uuid: ch.uuid, headers, body: null };

  function renderOne(k: string, tv: string): void {
    if (k === '@originate') { for (const [n, v] of ch.originateVars) headers.push([`variable_${n}`, v]); return; }
    if (k === '@app') return;
    if (noCidName && tv === '{{cidname}}') return;
    if (k === 'Hangup-Cause' && ch.hangupCause === null) return;
    if (k.startsWith('variable_')) {
      const n = k.slice(9);
      if (renderedApp.has(n) || extras?.hidden.has(n)) return;
      headers.push([k, ch.vars.get(n) ?? timing[n] ?? subst(tv)]);
      return;
    }
    if (k === 'Channel-State-Number' && liveOnHungUpTemplate && !input.state) {
      const state = tpl.find(([n]) => n === 'Channel-State')?.[1] ?? '';
      headers.push([k, STATE_NUMBER[state] ?? tv]);
      return;
    }
    headers.push([k, headerValue(k, tv, input, core, subst, other ?? null)]);
  }
}

function headerValue(
  k: string, tv: string, input: ChannelEventInput, core: CoreInfo, subst: (v: string) => string, other: SimChannel | null,
): string {
  const ch = input.channel;
  const o = ch.headerOverrides.get(k);
  if (o !== undefined) return o;
  switch (k) {
    case 'Event-Name': return input.name;
    case 'Core-UUID': return core.coreUuid;
    case 'FreeSWITCH-Hostname': case 'FreeSWITCH-Switchname': return core.hostname;
    case 'FreeSWITCH-IPv4': return '127.0.0.1';
    case 'FreeSWITCH-IPv6': return '::1';
    case 'Event-Date-Local': return localStamp(core.nowUs);
    case 'Event-Date-GMT': return new Date(core.nowUs / 1000).toUTCString();
    case 'Event-Date-Timestamp': return String(core.nowUs);
    case 'Event-Sequence': return String(core.seq);
    case 'Channel-Name': case 'Caller-Channel-Name': case 'Channel-Channel-Name': return ch.name;
    case 'Other-Leg-Channel-Name': return other?.name ?? subst(tv);
    case 'Answer-State': return ch.answerState;
    case 'Hangup-Cause': return ch.hangupCause ?? tv;
    case 'Channel-State': return input.state ?? tv;
    case 'Channel-State-Number': return input.state ? (STATE_NUMBER[input.state] ?? tv) : tv;
    case 'Application': return input.app?.name ?? tv;
    case 'Application-Data': return input.app?.data ?? tv;
    case 'Application-UUID': return input.app?.uuid ?? tv;
    case 'Application-Response': return input.app?.response ?? '_none_';
    default: break;
  }
  const t = TIME_HEADER.exec(k);
  if (t && tv !== '0') {
    const who = t[1] === 'Other-Leg' ? other : ch;
    return String(who ? timeOf(who, t[3] ?? '') : 0);
  }
  return subst(tv);
}

/** Core headers every event starts with (BACKGROUND_JOB, CUSTOM …), as in the transcripts. */
export function coreHeaders(name: string, core: CoreInfo, calling: [file: string, fn: string, line: string], subclass?: string): [string, string][] {
  const hs: [string, string][] = subclass ? [['Event-Subclass', subclass]] : [];
  hs.push(
    ['Event-Name', name], ['Core-UUID', core.coreUuid], ['FreeSWITCH-Hostname', core.hostname],
    ['FreeSWITCH-Switchname', core.hostname], ['FreeSWITCH-IPv4', '127.0.0.1'], ['FreeSWITCH-IPv6', '::1'],
    ['Event-Date-Local', localStamp(core.nowUs)], ['Event-Date-GMT', new Date(core.nowUs / 1000).toUTCString()],
    ['Event-Date-Timestamp', String(core.nowUs)], ['Event-Calling-File', calling[0]],
    ['Event-Calling-Function', calling[1]], ['Event-Calling-Line-Number', calling[2]], ['Event-Sequence', String(core.seq)],
  );
  return hs;
}

/** Event body for `event plain`: URL-encoded values, own Content-Length when there is a body. */
export function plainBody(ev: SimEvent): string {
  let s = ev.headers.map(([k, v]) => `${k}: ${fsUrlEncode(v)}\n`).join('');
  if (ev.body !== null) s += `Content-Length: ${Buffer.byteLength(ev.body)}\n\n${ev.body}`;
  else s += '\n';
  return s;
}

/** `event json`: one object, string values, duplicate keys kept, body under `_body`. */
export function jsonBody(ev: SimEvent): string {
  const parts = ev.headers.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
  if (ev.body !== null) parts.push(`"Content-Length":${JSON.stringify(String(Buffer.byteLength(ev.body)))}`, `"_body":${JSON.stringify(ev.body)}`);
  return `{${parts.join(',')}}`;
}

/** An event sent to several listeners (inbound and outbound) is serialised once per format. */
const FRAMED = { plain: new WeakMap<SimEvent, string>(), json: new WeakMap<SimEvent, string>() };

export function frameEvent(ev: SimEvent, format: 'plain' | 'json'): string {
  const done = FRAMED[format].get(ev);
  if (done !== undefined) return done;
  const body = format === 'plain' ? plainBody(ev) : jsonBody(ev);
  const framed = `Content-Length: ${Buffer.byteLength(body)}\nContent-Type: text/event-${format}\n\n${body}`;
  FRAMED[format].set(ev, framed);
  return framed;
}

/** The outbound `connect` reply: CHANNEL_DATA headers, no Content-Length, reply headers last. */
export function channelDataReply(ev: SimEvent): string {
  const hs = ev.headers.map(([k, v]) => `${k}: ${fsUrlEncode(v)}\n`).join('');
  return `${hs}Content-Type: command/reply\nReply-Text: %2BOK%0A\nSocket-Mode: async\nControl: full\n\n`;
}
