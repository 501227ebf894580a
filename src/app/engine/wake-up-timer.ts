import type { WakeUp } from '../ports/call-store.js';
import type { TimerRequest } from '../ports/timers.js';

/** The durable timer of a wake-up; its id names the row the handler re-reads (DESIGN §1). */
export function toTimer(w: WakeUp): TimerRequest {
  switch (w.kind) {
    case 'member-ready':
      return { kind: w.kind, id: w.memberId === null ? `c${w.campaignId}` : String(w.memberId), atMs: w.at.getTime() };
    case 'agent-ready':
    case 'wrapup-end':
      return { kind: w.kind, id: String(w.agentId), atMs: w.at.getTime() };
    case 'result-deadline':
      return { kind: w.kind, id: String(w.attemptId), atMs: w.at.getTime() };
  }
}
