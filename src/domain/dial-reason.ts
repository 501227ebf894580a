/*
 * Issue 13 §1, "why isn't it dialling?": a running campaign's reason, decided from the facts the
 * claim itself checks (DESIGN §2 step 2), in the claim's order of what stops a call first; and
 * the reason a campaign finished or stopped. A reason is a code with its parameters (stored as
 * JSON with the campaign); its plain-language text is rendered from it when shown.
 */
import type { Calendar } from './calendar.js';
import { isOpen, nextOpening } from './calendar.js';

/** Dates are ISO strings: a reason is stored as JSON and compared as such. */
export type DialReason =
  | { code: 'dialling'; live: number; limit: number }
  | { code: 'freeswitch-down'; nodes: { node: string; since: string | null }[]; timezone: string }
  | { code: 'calendar-closed'; until: string | null; timezone: string }
  | { code: 'next-member-due'; at: string; timezone: string }
  | { code: 'waiting-results'; members: number }
  | { code: 'last-calls'; members: number }
  | { code: 'no-members-left' }
  | { code: 'limit-reached'; live: number; limit: number }
  | { code: 'line-group-full'; group: string; live: number; capacity: number; shared_with: string[] }
  | { code: 'no-agent-ready'; assigned: number; not_registered: number; on_call: number; wrap_up: number; delayed: number; away: number };

/** Why a campaign ended by itself, or was stopped. */
export type EndReason =
  | { code: 'finished'; ended: number }
  | { code: 'calendar-ended'; at: string | null }
  | { code: 'stopped-on-request' };

export type CampaignReason = DialReason | EndReason;

export interface NodeFact {
  node: string;
  up: boolean;
  /** Since when it is in that state, when known. */
  since: Date | null;
}

/** Agents of the campaign (tiers) grouped by what the claim checks (A2). */
export interface AgentFact {
  status: string;
  state: string;
  /** A delay (wrap-up, busy, no-answer…) has not passed yet. */
  delayed: boolean;
  /** Registered on a FreeSWITCH node that is up. */
  registered: boolean;
  count: number;
}

export interface CampaignFacts {
  calendar: Calendar;
  /** Distinct time zones of the campaign's members (K3). */
  zones: string[];
  limit: number;
  /** Calls holding a line of the campaign (C2). */
  live: number;
  lineGroup: { name: string; capacity: number; live: number; sharedWith: string[] } | null;
  members: {
    /** A ready member whose time has come, in a zone open now: what the claim would take. */
    readyNowOpen: boolean;
    /** A ready member whose time has come, in any zone. */
    readyNowAny: boolean;
    /** The earliest future ready_at of a ready member (a retry, a call-back). */
    nextReadyAt: Date | null;
    dialing: number;
    waitingResult: number;
  };
  agents: AgentFact[];
  nodes: NodeFact[];
}

const ON_CALL = new Set(['Reserved', 'Receiving', 'In a queue call']);

/**
 * The nodes as every engine process sees them together: a node is up when any of them reaches
 * it (that one can dial there), down since the last of them lost it.
 */
export function mergeNodeViews(views: readonly NodeFact[]): NodeFact[] {
  const byNode = new Map<string, NodeFact>();
  for (const v of views) {
    const was = byNode.get(v.node);
    if (!was) byNode.set(v.node, { ...v });
    else if (v.up && !was.up) byNode.set(v.node, { ...v });
    else if (!v.up && !was.up && v.since && (!was.since || v.since > was.since)) was.since = v.since;
  }
  return [...byNode.values()].sort((a, b) => a.node.localeCompare(b.node));
}

/** Where the campaign may dial now, as dispatch decides it (K3, K4). */
export function openZones(c: { calendar: Calendar; zones: string[] }, now: Date): { calendarZoneOpen: boolean; openZones: string[] } {
  return { calendarZoneOpen: isOpen(c.calendar, c.calendar.timezone, now), openZones: c.zones.filter((z) => isOpen(c.calendar, z, now)) };
}

/** The reason a running campaign is (or is not) dialling now; first cause in the claim's order. */
export function dialReason(f: CampaignFacts, now: Date): DialReason {
  const tz = f.calendar.timezone;
  if (!f.nodes.some((n) => n.up)) {
    return { code: 'freeswitch-down', nodes: f.nodes.map((n) => ({ node: n.node, since: minute(n.since) })), timezone: tz };
  }
  const open = openZones(f, now);
  if (!open.calendarZoneOpen && open.openZones.length === 0) return closedUntil(f.calendar, [tz, ...f.zones], now);
  const m = f.members;
  if (!m.readyNowOpen) {
    if (m.readyNowAny) return closedUntil(f.calendar, [tz, ...f.zones].filter((z) => !isOpen(f.calendar, z, now)), now);
    if (m.nextReadyAt) return { code: 'next-member-due', at: m.nextReadyAt.toISOString(), timezone: tz };
    if (m.waitingResult > 0) return { code: 'waiting-results', members: m.waitingResult };
    if (m.dialing > 0) return { code: 'last-calls', members: m.dialing };
    return { code: 'no-members-left' };
  }
  if (f.live >= f.limit) return { code: 'limit-reached', live: f.live, limit: f.limit };
  const g = f.lineGroup;
  if (g && g.live >= g.capacity) return { code: 'line-group-full', group: g.name, live: g.live, capacity: g.capacity, shared_with: g.sharedWith };
  const a = { assigned: 0, not_registered: 0, on_call: 0, wrap_up: 0, delayed: 0, away: 0, ready: 0 };
  for (const x of f.agents) {
    a.assigned += x.count;
    if (ON_CALL.has(x.state)) a.on_call += x.count;
    else if (x.state === 'Wrap up') a.wrap_up += x.count;
    else if (x.status !== 'Available') a.away += x.count;
    else if (!x.registered) a.not_registered += x.count;
    else if (x.delayed) a.delayed += x.count;
    else a.ready += x.count;
  }
  if (a.ready === 0) {
    const { ready: _ready, ...counts } = a;
    return { code: 'no-agent-ready', ...counts };
  }
  return { code: 'dialling', live: f.live, limit: f.limit };
}

/** The earliest opening among the zones, named with its zone. */
function closedUntil(cal: Calendar, zones: string[], now: Date): DialReason {
  let best: { at: Date; zone: string } | null = null;
  for (const z of new Set(zones)) {
    const at = nextOpening(cal, z, now);
    if (at && (!best || at < best.at)) best = { at, zone: z };
  }
  return { code: 'calendar-closed', until: best ? best.at.toISOString() : null, timezone: best?.zone ?? cal.timezone };
}

/**
 * Whether a newly decided reason says nothing new over the stored one (JSON), so it is not
 * written. The same nodes down is no news even when the minute differs: each engine process
 * dates a node's fall by its own connection, and several must not overwrite each other's date.
 */
export function sameReason(next: DialReason, stored: string | null): boolean {
  const json = JSON.stringify(next);
  if (json === stored || stored === null || next.code !== 'freeswitch-down') return json === stored;
  const was = JSON.parse(stored) as CampaignReason;
  const names = (r: { nodes: { node: string }[] }) => r.nodes.map((n) => n.node).join(',');
  return was.code === 'freeswitch-down' && names(was) === names(next);
}

/** To the minute: engine processes that saw a node go down a few seconds apart agree. */
function minute(d: Date | null): string | null {
  return d ? new Date(Math.floor(d.getTime() / 60_000) * 60_000).toISOString() : null;
}

/** The plain-language text of a reason; times in the reason's zone, the weekday when not today. */
export function describeReason(r: CampaignReason, now: Date): string {
  switch (r.code) {
    case 'dialling':
      return `dialling: ${plural(r.live, 'live call')} of ${r.limit}`;
    case 'freeswitch-down':
      if (r.nodes.length === 0) return 'no FreeSWITCH configured';
      return `FreeSWITCH ${r.nodes.map((n) => n.since ? `${n.node} down since ${when(n.since, r.timezone, now)}` : `${n.node} down`).join(', ')}`;
    case 'calendar-closed':
      return r.until ? `calendar closed until ${when(r.until, r.timezone, now, true)} (${r.timezone})` : 'calendar closed, with no opening ahead';
    case 'next-member-due':
      return `next member due at ${when(r.at, r.timezone, now)}`;
    case 'waiting-results':
      return `all remaining members wait for a result (${count(r.members)})`;
    case 'last-calls':
      return `no member left to dial: ${plural(r.members, 'call')} in progress`;
    case 'no-members-left':
      return 'no members left to call';
    case 'limit-reached':
      return `limit reached ${r.live}/${r.limit}`;
    case 'line-group-full':
      return `line group full ${r.live}/${r.capacity}${r.shared_with.length ? ` (shared with ${r.shared_with.join(', ')})` : ''}`;
    case 'no-agent-ready': {
      if (r.assigned === 0) return 'no agent ready: no agent assigned to this campaign';
      const parts = [
        [r.not_registered, 'Available but not registered'], [r.on_call, 'on a call'], [r.wrap_up, 'in wrap-up'],
        [r.delayed, 'waiting out a delay'], [r.away, 'not Available'],
      ].filter(([n]) => (n as number) > 0).map(([n, what]) => `${count(n as number)} ${what as string}`);
      return `no agent ready: ${parts.join(', ')}`;
    }
    case 'finished':
      return `finished: no members left to call (${count(r.ended)} ended)`;
    case 'calendar-ended':
      return 'stopped: calendar expired';
    case 'stopped-on-request':
      return 'stopped on request';
    default: {
      const never: never = r;
      return never;
    }
  }
}

const count = (n: number): string => n.toLocaleString('en-US');
const plural = (n: number, what: string): string => `${count(n)} ${what}${n === 1 ? '' : 's'}`;

/** HH:MM in the zone, with the weekday when it is not the same local day as `now` (or always). */
function when(iso: string, zone: string, now: Date, weekday = false): string {
  const at = new Date(iso);
  const parts = (d: Date) => Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: zone, weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(d).map((p) => [p.type, p.value]));
  const p = parts(at);
  const today = parts(now);
  const sameDay = p.year === today.year && p.month === today.month && p.day === today.day;
  const far = at.getTime() - now.getTime() > 6 * 86_400_000 || at.getTime() < now.getTime() - 86_400_000;
  const day = far ? `${p.weekday} ${p.day}/${p.month} ` : weekday || !sameDay ? `${p.weekday} ` : '';
  return `${day}${p.hour}:${p.minute}`;
}

/** A reason as the REST API and the live boards show it: the code, its text, its parameters. */
export interface ReasonView {
  code: string;
  text: string;
  params: Record<string, unknown>;
}

/** The stored JSON (a string, or parsed by the driver) as shown; null when there is none. */
export function reasonView(stored: unknown, now: Date): ReasonView | null {
  if (stored == null) return null;
  const r = (typeof stored === 'string' ? JSON.parse(stored) : stored) as CampaignReason;
  const { code, ...params } = r;
  return { code, text: describeReason(r, now), params };
}
