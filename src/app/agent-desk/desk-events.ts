import type { DeskCall, DeskState } from '../../contract/agent-desk-schemas.js';

/*
 * W3: the events of an agent's client, derived from its desk state. Each change of an agent is
 * read as a whole state (the desk's, as GET /api/v2/agent answers it) and compared with a mark of
 * what the clients were last told; the difference is the events. Steps that went by between two
 * reads (a call rung and answered in 50 ms) are still each told, in their order, because each
 * step of a call is read from what the attempt row keeps (answered_at, ended_at, …), not from the
 * moment it was seen. docs/agent-protocol.md describes every event for the client's side.
 */

/** The steps of one call, in the order they happen. */
export const CALL_STEPS = ['reserved', 'ringing', 'connected', 'subscriber_answered', 'hung_up'] as const;
export type CallStep = (typeof CALL_STEPS)[number];

export type DeskEvent =
  | { type: 'agent'; attempt_id: number | null; status: string; break_reason: string | null; state: string; ready_at: string | null }
  | { type: 'delay'; attempt_id: number | null; until: string }
  | { type: 'delay_end'; attempt_id: number | null }
  | { type: 'reserved'; attempt_id: number; call: DeskCall }
  | { type: 'ringing'; attempt_id: number }
  | { type: 'connected'; attempt_id: number }
  | { type: 'subscriber_answered'; attempt_id: number; answered_at: string | null }
  | { type: 'hung_up'; attempt_id: number; cause: string | null; agent_cause: string | null; talk_sec: number | null; outcome: string | null }
  | { type: 'wrap_up'; attempt_id: number | null; ends_at: string }
  | { type: 'result_accepted'; attempt_id: number; result_status: unknown; outcome: string | null; comment: string | null };

/** What an agent's clients were last told; kept beside the agent's sequence number. */
export interface DeskMark {
  status: string;
  break_reason: string | null;
  state: string;
  ready_at: string | null;
  /** The delay told (its end instant), until its end is told. */
  delay_until: string | null;
  wrap_up_ends_at: string | null;
  attempt_id: number | null;
  /** Steps of that attempt told so far. */
  steps: CallStep[];
  /** The result told for that attempt, as JSON; null: none yet. */
  result: string | null;
}

/** The steps a call has reached, from what its attempt row keeps. */
function stepsOf(call: DeskCall): CallStep[] {
  const a = call.attempt;
  const out: CallStep[] = ['reserved'];
  // Ringing starts at once after the reservation (DESIGN §2 step 3); only a reserved attempt has
  // not rung, and a preview (P2) rings once accepted: one skipped or returned never rang.
  const previewEnded = a.preview_decision === 'skipped' || (a.preview_decision === 'timed_out' && a.outcome === 'skipped');
  if (a.state !== 'reserved' && a.state !== 'previewing' && !previewEnded) out.push('ringing');
  if (a.agent_answered_at) out.push('connected');
  if (a.answered_at) out.push('subscriber_answered');
  if (!call.live) out.push('hung_up');
  return out;
}

function stepEvent(step: CallStep, call: DeskCall): DeskEvent {
  const a = call.attempt;
  switch (step) {
    case 'reserved':
      return { type: 'reserved', attempt_id: a.id, call };
    case 'ringing':
      return { type: 'ringing', attempt_id: a.id };
    case 'connected':
      return { type: 'connected', attempt_id: a.id };
    case 'subscriber_answered':
      return { type: 'subscriber_answered', attempt_id: a.id, answered_at: a.answered_at };
    case 'hung_up':
      return { type: 'hung_up', attempt_id: a.id, cause: a.hangup_cause ?? a.agent_cause, agent_cause: a.agent_cause, talk_sec: a.talk_sec, outcome: a.outcome };
    default: {
      const never: never = step;
      return never;
    }
  }
}

/** The mark of a state as if everything in it had been told (a client's snapshot shows it all). */
export function markOf(s: DeskState, now: Date): DeskMark {
  return deriveDeskEvents(null, s, now, true).mark;
}

/**
 * The events that take a client told `prev` to `next`, and the new mark. `prev` null: nothing
 * told yet (`silent`: the events are not wanted, only the mark — a client's snapshot covers them).
 * Order: a delay's end, the call's steps, the agent's status and state, its wrap-up or delay, the result.
 */
export function deriveDeskEvents(prev: DeskMark | null, next: DeskState, now: Date, silent = false): { events: DeskEvent[]; mark: DeskMark } {
  const events: DeskEvent[] = [];
  const ag = next.agent;
  const call = next.call;
  const attemptId = call?.attempt.id ?? null;
  const sameCall = prev !== null && prev.attempt_id === attemptId;
  const told = new Set<CallStep>(sameCall ? prev.steps : []);
  const steps = call ? stepsOf(call) : [];
  const readyAt = ag.ready_at;
  // A3: a delay is Waiting with a ready instant still ahead (busy, reject, no-answer).
  const delayUntil = ag.state === 'Waiting' && readyAt && Date.parse(readyAt) > now.getTime() ? readyAt : null;
  // First: the delay told ended before anything after it (the next call may have come and gone since).
  if (prev?.delay_until && prev.delay_until !== delayUntil) events.push({ type: 'delay_end', attempt_id: prev.attempt_id });
  if (call) for (const step of steps) if (!told.has(step)) events.push(stepEvent(step, call));
  if (!prev || prev.status !== ag.status || prev.break_reason !== ag.break_reason || prev.state !== ag.state || prev.ready_at !== readyAt) {
    events.push({ type: 'agent', attempt_id: attemptId, status: ag.status, break_reason: ag.break_reason, state: ag.state, ready_at: readyAt });
  }
  const wrapUpEnds = next.wrap_up_ends_at;
  if (wrapUpEnds && prev?.wrap_up_ends_at !== wrapUpEnds) events.push({ type: 'wrap_up', attempt_id: attemptId, ends_at: wrapUpEnds });
  if (delayUntil && prev?.delay_until !== delayUntil) events.push({ type: 'delay', attempt_id: attemptId, until: delayUntil });
  const resultStatus = call?.attempt.result_status ?? null;
  const result = resultStatus === null ? null : JSON.stringify(resultStatus);
  if (call && result !== null && !(sameCall && prev.result === result)) {
    events.push({ type: 'result_accepted', attempt_id: call.attempt.id, result_status: resultStatus, outcome: call.attempt.outcome, comment: call.attempt.comment });
  }
  const mark: DeskMark = {
    status: ag.status, break_reason: ag.break_reason, state: ag.state, ready_at: readyAt, delay_until: delayUntil,
    wrap_up_ends_at: wrapUpEnds, attempt_id: attemptId, steps, result,
  };
  return { events: silent ? [] : events, mark };
}
