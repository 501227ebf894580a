import { isOpen, type Calendar } from '../domain/calendar.js';
import type { AgentScript, Scenario, SubscriberScript } from '../simulator/index.js';

/** A small deterministic PRNG, so every demo run dials the same story. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Working hours of the demo calendar: 07:00–22:00 local, every day. */
export const DEMO_WINDOWS = [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start: '07:00', end: '22:00' }));

const CANDIDATE_ZONES = [
  'Europe/Kyiv', 'Europe/Berlin', 'Europe/London', 'America/New_York', 'America/Chicago', 'America/Los_Angeles',
  'America/Sao_Paulo', 'Asia/Kolkata', 'Asia/Tokyo', 'Australia/Sydney', 'Pacific/Auckland', 'Asia/Dubai',
];

/**
 * K3: three zones where the calendar is open for the whole demo (now and an hour on), and one
 * where it is closed now and stays closed for that hour (if any).
 */
export function pickZones(now: Date): { open: string[]; closed: string | null } {
  const cal: Calendar = { timezone: 'UTC', startAt: null, endAt: null, windows: DEMO_WINDOWS, holidays: [] };
  const later = new Date(now.getTime() + 3_600_000);
  const open = CANDIDATE_ZONES.filter((z) => isOpen(cal, z, now) && isOpen(cal, z, later)).slice(0, 3);
  const closed = CANDIDATE_ZONES.find((z) => !isOpen(cal, z, now) && !isOpen(cal, z, later)) ?? null;
  return { open, closed };
}

export interface DemoMember {
  name: string;
  timezone: string;
  numbers: string[];
  expireAt: string | null;
}

/** Realistic mix of subscriber behaviour (C6, C9): most answer, some busy, some never, a few broken numbers. */
function subscriberScript(r: () => number): SubscriberScript {
  const x = r();
  // Calls are short so the demo ends in a couple of minutes; min success is 1 s.
  const ring = 30 + Math.floor(r() * 120);
  if (x < 0.5) return { outcome: 'answer', afterMs: ring, talkMs: 1020 + Math.floor(r() * 250) };
  if (x < 0.58) return { outcome: 'answer', afterMs: ring, talkMs: 150 + Math.floor(r() * 300) }; // too short (C6)
  if (x < 0.72) return { outcome: 'busy', afterMs: ring };
  if (x < 0.82) return { outcome: 'no-answer' };
  if (x < 0.87) return { outcome: 404, afterMs: 60 };
  if (x < 0.91) return { outcome: 480, afterMs: ring };
  if (x < 0.95) return { outcome: 603, afterMs: ring };
  return { outcome: 503, afterMs: 40 };
}

/**
 * People are not always busy: before each round of calls the demo draws again how each number
 * behaves, except numbers that do not exist (404), which stay broken.
 */
export function redraw(plan: DemoPlan, r: () => number): [string, SubscriberScript][] {
  const out: [string, SubscriberScript][] = [];
  for (const [number, script] of Object.entries(plan.scenario.subscribers ?? {})) {
    if (script.outcome === 404) continue;
    let next = subscriberScript(r);
    while (next.outcome === 404) next = subscriberScript(r);
    out.push([number, next]);
  }
  return out;
}

export interface DemoPlan {
  scenario: Scenario;
  agents: string[];
  campaigns: { name: string; members: DemoMember[] }[];
}

/**
 * 20 agents (one never answers and goes On Break, one rejects), two campaigns of members in
 * several zones; members of a closed zone expire a minute in (M4) since they may not be dialled.
 */
export function buildPlan(opts: { members: number; agents: number; now: Date; seed?: number }): DemoPlan {
  const r = prng(opts.seed ?? 7);
  const { open, closed } = pickZones(opts.now);
  const agents: Record<string, AgentScript> = {};
  const sipUsers: string[] = [];
  for (let i = 0; i < opts.agents; i++) {
    const sipUser = `${3000 + i}@127.0.0.1`;
    sipUsers.push(sipUser);
    // A3: agent 19 never answers (ends On Break), agent 20 rejects (reject delay); the rest answer.
    const last = opts.agents - 1;
    agents[sipUser] = i === last - 1 ? { answer: 'no-answer' } : i === last ? { answer: 'reject', afterMs: 200 }
      : { answer: 'answer', afterMs: 30 + Math.floor(r() * 90) };
  }
  const subscribers: Record<string, SubscriberScript> = {};
  const expireAt = new Date(opts.now.getTime() + 60_000).toISOString();
  const campaigns = ['Renewals', 'Survey'].map((name, c) => {
    const members: DemoMember[] = [];
    const count = Math.floor(opts.members / 2);
    for (let i = 0; i < count; i++) {
      const inClosedZone = closed !== null && i % 25 === 24;
      const timezone = inClosedZone ? closed : open[i % Math.max(1, open.length)] ?? 'UTC';
      const numbers = [`38${c}${String(i).padStart(7, '0')}`];
      if (r() < 0.2) numbers.push(`39${c}${String(i).padStart(7, '0')}`);
      for (const n of numbers) subscribers[n] = subscriberScript(r);
      members.push({ name: `${name} customer ${i + 1}`, timezone, numbers, expireAt: inClosedZone ? expireAt : null });
    }
    return { name, members };
  });
  return { scenario: { agents, subscribers, defaultSubscriber: { outcome: 'answer', talkMs: 1500 } }, agents: sipUsers, campaigns };
}

/** The CSV columns of the first campaign (M6), in the import's `columns` syntax. */
export const CSV_COLUMNS = 'name,timezone,expire_at,number,number,var:source';

/** The CSV the first campaign is loaded from: name;timezone;expire;phone1;phone2;source */
export function toCsv(members: DemoMember[]): string {
  const lines = ['name;timezone;expire;phone1;phone2;source'];
  for (const m of members) lines.push([m.name, m.timezone, m.expireAt ?? '', m.numbers[0], m.numbers[1] ?? '', 'demo-csv'].join(';'));
  return `${lines.join('\n')}\n`;
}
