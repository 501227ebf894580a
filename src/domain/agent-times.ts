import { SLOT_MS } from './interval-buckets.js';

/*
 * Q2 agent report: an agent's status history cut into time per category and UTC quarter hour.
 * Every logged-in moment is in exactly one category, so the categories add up to logged_in:
 *   talking  state `In a queue call` (also after a log-out or break asked for during the call),
 *   wrap_up  state `Wrap up` (likewise),
 *   break    status `On Break`, otherwise,
 *   ringing  status `Available`, state `Reserved` or `Receiving` (offered a call, not yet answered),
 *   available status `Available`, state `Waiting`.
 * `Logged Out` outside a call or wrap-up counts nowhere. Occupancy = (talking + wrap_up) /
 * (logged_in − break): the share of the time the agent could work that it spent on calls.
 */

export interface StatusChange {
  at: number; // ms
  status: string;
  state: string;
}

export type TimeCategory = 'available' | 'ringing' | 'talking' | 'wrap_up' | 'break';
const CATEGORIES: readonly TimeCategory[] = ['available', 'ringing', 'talking', 'wrap_up', 'break'];

/** Milliseconds per category, and the agent's calls and no-answers; sums, so they add up. */
export interface AgentSlot {
  ms: Record<TimeCategory, number>;
  calls: number;
  noAnswers: number;
}

export function emptyAgentSlot(): AgentSlot {
  return { ms: { available: 0, ringing: 0, talking: 0, wrap_up: 0, break: 0 }, calls: 0, noAnswers: 0 };
}

export function addAgentSlot(into: AgentSlot, v: AgentSlot): void {
  for (const k of CATEGORIES) into.ms[k] += v.ms[k];
  into.calls += v.calls;
  into.noAnswers += v.noAnswers;
}

export function categoryOf(status: string, state: string): TimeCategory | null {
  if (state === 'In a queue call') return 'talking';
  if (state === 'Wrap up') return 'wrap_up';
  if (status === 'Logged Out') return null;
  if (status === 'On Break') return 'break';
  return state === 'Waiting' ? 'available' : 'ringing';
}

/**
 * Adds into `slots` the time of `changes` (in time order; the first may lie before `from`: the
 * status the agent had at `from`) inside [from, end), cut at every quarter hour.
 */
export function addAgentTimes(slots: Map<number, AgentSlot>, changes: readonly StatusChange[], from: number, end: number): void {
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i]!;
    const cat = categoryOf(c.status, c.state);
    if (!cat) continue;
    const a = Math.max(c.at, from);
    const b = Math.min(changes[i + 1]?.at ?? end, end);
    for (let slot = Math.floor(a / SLOT_MS); slot * SLOT_MS < b; slot++) {
      const ms = Math.min(b, (slot + 1) * SLOT_MS) - Math.max(a, slot * SLOT_MS);
      if (ms <= 0) continue;
      let s = slots.get(slot);
      if (!s) slots.set(slot, (s = emptyAgentSlot()));
      s.ms[cat] += ms;
    }
  }
}

export interface AgentTimesView {
  logged_in_sec: number;
  available_sec: number;
  ringing_sec: number;
  talking_sec: number;
  wrap_up_sec: number;
  break_sec: number;
  occupancy: number | null;
  calls: number;
  no_answers: number;
}

const sec = (ms: number): number => Math.round(ms) / 1000;

export function agentTimesView(s: AgentSlot): AgentTimesView {
  const loggedIn = CATEGORIES.reduce((n, k) => n + s.ms[k], 0);
  const workable = loggedIn - s.ms.break;
  return {
    logged_in_sec: sec(loggedIn),
    available_sec: sec(s.ms.available),
    ringing_sec: sec(s.ms.ringing),
    talking_sec: sec(s.ms.talking),
    wrap_up_sec: sec(s.ms.wrap_up),
    break_sec: sec(s.ms.break),
    occupancy: workable > 0 ? Number(((s.ms.talking + s.ms.wrap_up) / workable).toFixed(4)) : null,
    calls: s.calls,
    no_answers: s.noAnswers,
  };
}
