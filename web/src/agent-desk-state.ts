/*
 * What the agent page shows, as the CTI socket describes it (docs/agent-protocol.md): the
 * snapshot's state, and each event applied to it as a change keyed by the attempt id. Applying
 * an event the snapshot already reflects changes nothing.
 */

import type { DeskCall as WireDeskCall, DeskState as WireDeskState } from '../../src/contract/agent-desk-schemas.js';
import type { Agent, Attempt } from './types.js';

/** The attempt fields the desk state carries: those of the attempt history, without ids and legs. */
export type DeskAttempt = Pick<Attempt, 'id' | 'number' | 'state' | 'created_at' | 'agent_answered_at' | 'answered_at' | 'ended_at'
  | 'agent_cause' | 'hangup_cause' | 'talk_sec' | 'outcome' | 'result_status' | 'comment' | 'preview_deadline_at' | 'preview_decision'>;

export interface DeskCall extends Omit<WireDeskCall, 'attempt' | 'previous_attempts'> {
  attempt: DeskAttempt;
  previous_attempts: DeskAttempt[];
}

export type DeskAgent = Pick<Agent, 'id' | 'name' | 'status' | 'break_reason' | 'state' | 'ready_at' | 'registered_node' | 'requires_client'>;

export interface DeskState extends Omit<WireDeskState, 'agent' | 'call'> {
  agent: DeskAgent;
  call: DeskCall | null;
}

export type DeskEvent = { type: string; attempt_id: number | null; [k: string]: unknown };

/** Where the call stands, for the progress line. */
export type Phase = 'preview' | 'reserved' | 'ringing' | 'connected' | 'talking' | 'ended';

export interface DeskView extends DeskState {
  /** A delay after a busy, rejected or unanswered ring (A3), until then. */
  delay_until: string | null;
}

export function phaseOf(a: DeskAttempt): Phase {
  if (a.ended_at) return 'ended';
  if (a.answered_at) return 'talking';
  if (a.agent_answered_at) return 'connected';
  if (a.state === 'ringing_agent') return 'ringing';
  // P2: the card first; nothing rings until the agent accepts.
  if (a.state === 'previewing') return 'preview';
  return 'reserved';
}

/** The state after `e`; `now` stands in for instants the event does not carry. */
export function applyEvent(s: DeskView, e: DeskEvent, now: string): DeskView {
  const next: DeskView = { ...s, agent: { ...s.agent } };
  if (e.type === 'agent') {
    Object.assign(next.agent, pick(e, ['status', 'break_reason', 'state', 'ready_at']));
    if (next.agent.state !== 'Wrap up') next.wrap_up_ends_at = null;
    return next;
  }
  if (e.type === 'reserved') return { ...next, call: e.call as DeskCall, delay_until: null };
  if (e.type === 'wrap_up') return { ...next, wrap_up_ends_at: e.ends_at as string };
  if (e.type === 'delay') return { ...next, delay_until: e.until as string };
  if (e.type === 'delay_end') return { ...next, delay_until: null };
  const call = s.call;
  if (!call || call.attempt.id !== e.attempt_id) return next;
  const a = { ...call.attempt };
  let live = call.live;
  if (e.type === 'ringing') a.state = a.state === 'reserved' || a.state === 'previewing' ? 'ringing_agent' : a.state;
  else if (e.type === 'connected') a.agent_answered_at ??= now;
  else if (e.type === 'subscriber_answered') a.answered_at ??= (e.answered_at as string | null) ?? now;
  else if (e.type === 'hung_up') {
    a.ended_at ??= now;
    Object.assign(a, { hangup_cause: e.cause ?? a.hangup_cause, agent_cause: e.agent_cause ?? a.agent_cause,
      talk_sec: e.talk_sec ?? a.talk_sec, outcome: e.outcome ?? a.outcome });
    live = false;
  } else if (e.type === 'result_accepted') {
    Object.assign(a, { result_status: e.result_status, outcome: e.outcome ?? a.outcome, comment: e.comment ?? a.comment });
  } else return next;
  return { ...next, call: { ...call, live, attempt: a } };
}

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]]));
}

/** 75 → "1:15"; 3700 → "1:01:40". */
export function clock(sec: number): string {
  const s = Math.max(0, Math.floor(sec));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return hh ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}
