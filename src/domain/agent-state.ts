/*
 * A2, A3: the agent state machine, with mod_callcenter's semantics.
 *
 *   Waiting ──reserve──▶ Reserved ──ring──▶ Receiving ──answer──▶ In a queue call
 *      ▲                    │                  │                        │ hangup
 *      │                    └──── leg failed (delay by cause) ◀────────┘
 *      └──────────── Wrap up (wrap-up seconds) ◀────────────────────────┘
 *
 * Reserving and ringing are the engine's claim (DESIGN §2); this file decides what each
 * outcome does to the agent. Decisions where the SPEC is silent:
 *  - "On hook" (A2) is the engine's own state: an agent in a call of ours is never Waiting;
 *    a phone busy with a private call answers USER_BUSY and gets the busy delay.
 *  - A status change never touches the state: a call in progress finishes; the agent then
 *    gets nothing new while not Available.
 *  - Becoming Available from On Break / Logged Out clears a pending delay: the agent has just
 *    said they are at the phone, which is what the no-answer delay was waiting for.
 */
import { assertNever } from './assert-never.js';

export type AgentStatus = 'Available' | 'On Break' | 'Logged Out';
export type AgentState = 'Waiting' | 'Reserved' | 'Receiving' | 'In a queue call' | 'Wrap up';

export interface AgentView {
  status: AgentStatus;
  state: AgentState;
  /** The agent takes no call before this instant (wrap-up, busy / reject / no-answer delay). */
  readyAt: Date;
  noAnswerCount: number;
  wrapupSec: number;
  /** A3: no-answers in a row that put the agent On Break; 0 = never. */
  maxNoAnswer: number;
  busyDelaySec: number;
  rejectDelaySec: number;
  noAnswerDelaySec: number;
}

/** How a cause on the agent leg is treated (DESIGN §2 step 4, mod_callcenter). */
export type AgentFailureClass = 'busy' | 'reject' | 'unregistered' | 'no-penalty' | 'no-answer';

export function classifyAgentFailure(cause: string): AgentFailureClass {
  switch (cause.toUpperCase()) {
    case 'USER_BUSY':
    case 'NORMAL_CIRCUIT_CONGESTION':
      return 'busy';
    case 'CALL_REJECTED':
      return 'reject';
    case 'USER_NOT_REGISTERED':
    case 'SUBSCRIBER_ABSENT':
      return 'unregistered';
    // Our side failed (a FreeSWITCH node went away, the outcome is unknown): not the agent's fault.
    case 'NODE_DOWN':
    case 'UNKNOWN':
      return 'no-penalty';
    default:
      return 'no-answer';
  }
}

/** A3: the agent leg failed with `cause`; back to Waiting after the delay the cause earns. */
export function onAgentLegFailed(a: AgentView, cause: string, now: Date): AgentView & { unregistered: boolean } {
  const cls = classifyAgentFailure(cause);
  const base = { ...a, state: 'Waiting' as const, unregistered: cls === 'unregistered' };
  switch (cls) {
    case 'busy':
      return { ...base, readyAt: addSec(now, a.busyDelaySec) };
    case 'reject':
      return { ...base, readyAt: addSec(now, a.rejectDelaySec) };
    case 'unregistered':
    case 'no-penalty':
      return { ...base, readyAt: now };
    case 'no-answer': {
      const count = a.noAnswerCount + 1;
      const tooMany = a.maxNoAnswer > 0 && count >= a.maxNoAnswer;
      return {
        ...base,
        readyAt: addSec(now, a.noAnswerDelaySec),
        noAnswerCount: tooMany ? 0 : count,
        status: tooMany ? 'On Break' : a.status,
      };
    }
    default:
      return assertNever(cls);
  }
}

/** A3: answered → In a queue call; the no-answer streak is over. */
export function onAgentAnswered(a: AgentView, _now: Date): AgentView {
  return { ...a, state: 'In a queue call', noAnswerCount: 0 };
}

/** A3: the call ended → Wrap up for the wrap-up time, or Waiting at once when it is 0. */
export function onCallEnded(a: AgentView, now: Date): AgentView {
  if (a.wrapupSec <= 0) return { ...a, state: 'Waiting', readyAt: now };
  return { ...a, state: 'Wrap up', readyAt: addSec(now, a.wrapupSec) };
}

/** A3: the wrap-up timer fired → Waiting, unless it fired early or the agent is not in wrap-up. */
export function onWrapupEnded(a: AgentView, now: Date): AgentView {
  if (a.state !== 'Wrap up' || a.readyAt.getTime() > now.getTime()) return a;
  return { ...a, state: 'Waiting' };
}

/**
 * W4: the agent ends its wrap-up before its time, when the campaign of the call allows it:
 * Waiting and ready at once. The wrap-up timer that fires later finds it Waiting and does nothing.
 */
export type EarlyWrapupEnd = { kind: 'ended'; agent: AgentView } | { kind: 'not-in-wrap-up' } | { kind: 'not-allowed' };

export function endWrapupEarly(a: AgentView, campaignAllows: boolean, now: Date): EarlyWrapupEnd {
  if (a.state !== 'Wrap up') return { kind: 'not-in-wrap-up' };
  if (!campaignAllows) return { kind: 'not-allowed' };
  return { kind: 'ended', agent: { ...a, state: 'Waiting', readyAt: now } };
}

/**
 * A2, W2: Available, Waiting, registered (on a node that is up), every delay passed, and, for an
 * agent that requires a CTI client, one connected. The statement of the rule: production decides
 * it in the claim's SQL (adapters/mysql/claim-store.ts, pickAgent), and the property test
 * test/integration/selection-oracle.test.ts checks that the two agree.
 */
export function canTakeCall(a: AgentView & { registered: boolean; requiresClient?: boolean; clientOnline?: boolean }, now: Date): boolean {
  return a.status === 'Available' && a.state === 'Waiting' && a.registered && a.readyAt.getTime() <= now.getTime()
    && (a.requiresClient !== true || a.clientOnline === true);
}

/** A5: login / logout / break. Becoming Available starts a fresh no-answer count. */
export function onStatusChange(a: AgentView, status: AgentStatus, now: Date): AgentView {
  if (status !== 'Available') return { ...a, status };
  const returning = a.status !== 'Available';
  const clearDelay = returning && a.state === 'Waiting' && a.readyAt.getTime() > now.getTime();
  return { ...a, status, noAnswerCount: 0, readyAt: clearDelay ? now : a.readyAt };
}

function addSec(at: Date, sec: number): Date {
  return new Date(at.getTime() + Math.max(0, sec) * 1000);
}
