import type { NodeFact } from '../../domain/dial-reason.js';

/*
 * The telephony port: what the engine needs from FreeSWITCH, in the engine's words.
 * The FreeSWITCH adapter (src/adapters/freeswitch) implements it over the event
 * socket; nothing here knows about ESL bytes.
 */

/** Ring one agent's phone (DESIGN §2 step 3, A4). */
export interface AgentLegRequest {
  attemptId: number;
  /** Our own origination_uuid, stored on the attempt before the originate is sent (F2). */
  legUuid: string;
  /** FreeSWITCH server where the agent is registered (F3). */
  node: string;
  /** `extension@domain`. */
  sipUser: string;
  /** originate_timeout, seconds (agent call timeout). */
  ringSec: number;
  /** Caller id shown on the agent's phone. */
  callerIdNumber: string;
  callerIdName: string;
  /** The call's channel variables (C8, domain/call-variables.ts), set on the agent leg by its originate. */
  variables: Record<string, string>;
}

/**
 * P3: an agent's nailed-up leg for predictive campaigns: its phone is rung once, answers and
 * stays parked between calls, so a subscriber who answers is bridged to it in milliseconds.
 */
export interface NailedLegRequest {
  agentId: number;
  legUuid: string;
  node: string;
  sipUser: string;
  /** originate_timeout, seconds (the agent's call timeout). */
  ringSec: number;
  callerIdNumber: string;
  callerIdName: string;
}

/** P3, P5: the subscriber leg of a predictive call, dialled before any agent is picked. */
export interface MemberLegRequest {
  attemptId: number;
  legUuid: string;
  node: string;
  number: string;
  /** P5: the campaign's minimum ring time, seconds; the leg rings at least that long. */
  minRingSec: number;
  /** The information message played when no agent takes the call (a file the switch can play). */
  abandonMessage: string;
  /** The key that adds the number to the DNC list during the message; null: none offered. */
  optOutKey: string | null;
  callerIdNumber: string;
  callerIdName: string;
  /** Campaign variables overridden by member variables (C8). */
  variables: Record<string, string>;
}

/**
 * Reaching an agent for an answered predictive subscriber: `bridged`; `too-late` the switch's
 * fail-safe has already started the information message; `abandoned` the agent leg could not be
 * bridged and the message was started at once; `gone` the subscriber has hung up; `unknown` the
 * switch cannot be asked now (its fail-safe plays the message).
 */
export type ConnectResult = 'bridged' | 'too-late' | 'abandoned' | 'gone' | 'unknown';

/** How a predictive subscriber leg ended (its CHANNEL_HANGUP_COMPLETE). */
export interface PredictiveEnd {
  attemptId: number;
  memberUuid: string;
  cause: string;
  answeredAt: Date | null;
  /** When it was bridged to an agent; null when it never was. */
  bridgedAt: Date | null;
  /** P3: when the information message started; null when none was played. */
  messageAt: Date | null;
  /** The key the subscriber pressed during the message (opt-out), if any. */
  optOutDigit: string | null;
  endedAt: Date;
  /** Talk seconds with the agent (bridge → end), 0 when never bridged. */
  talkSec: number;
  /** False when the end was not seen (the connection was down): `endedAt` is when it was missed. */
  endKnown: boolean;
}

/**
 * What came of an originate to the agent. `answered` arrives at answer (BACKGROUND_JOB `+OK`),
 * `failed` carries the FreeSWITCH cause (`USER_BUSY`, `CALL_REJECTED`, `NO_ANSWER`,
 * `USER_NOT_REGISTERED`, …). `unknown`: no answer from FreeSWITCH before the deadline, or the
 * connection dropped and the leg no longer exists; it is never re-sent (F2).
 */
export type OriginateResult =
  | { kind: 'answered'; legUuid: string }
  | { kind: 'failed'; legUuid: string; cause: string }
  | { kind: 'unknown'; legUuid: string; reason: string };

/** What to do with an answered agent leg that reached the outbound socket. */
export type BridgePlan =
  | {
      kind: 'bridge';
      /** Subscriber number, dialled through the standard outbound route (A4). */
      number: string;
      /** The call's channel variables (C8), given by the bridge to the subscriber's legs. */
      variables: Record<string, string>;
      callerIdNumber: string;
      callerIdName: string;
    }
  | { kind: 'hangup'; cause: string };

/** How the subscriber leg ended, as seen from the agent's outbound socket session. */
export interface MemberLegResult {
  attemptId: number;
  agentLegUuid: string;
  /** Unique-ID of the subscriber leg when one was created. */
  memberUuid: string | null;
  /** Hangup cause of the subscriber leg (C9), e.g. NORMAL_CLEARING, USER_BUSY, NO_ANSWER. */
  cause: string;
  /** When the subscriber answered (bridge), null when it never did. */
  answeredAt: Date | null;
  endedAt: Date;
  /** Subscriber talk seconds (0 when not answered). */
  talkSec: number;
  /**
   * False when FreeSWITCH never reported how the call ended (the socket was lost and no hangup
   * came, e.g. FreeSWITCH restarted): `endedAt` is then the last instant the call was known to
   * be up and `cause` is UNKNOWN; such a call is never a success (S3).
   */
  endKnown: boolean;
  /** P3: when the information message started, for a predictive call no agent took (ABANDONED). */
  messageAt?: Date | null;
}

export type TelephonyEvent =
  /** The subscriber answered and is bridged to the agent. */
  | { kind: 'member-answered'; attemptId: number; agentLegUuid: string; memberUuid: string | null; at: Date }
  /** The call with the subscriber is over (or never happened: failed bridge). */
  | { kind: 'member-ended'; result: MemberLegResult }
  /**
   * The agent leg is gone. Comes after `member-ended` for a bridged call, or alone when the
   * agent hung up / the socket dropped before the bridge was placed.
   */
  | { kind: 'agent-hangup'; attemptId: number; agentLegUuid: string; cause: string; at: Date }
  /** P3: a predictive subscriber leg answered (the fail-safe is armed on the switch). */
  | { kind: 'member-leg-answered'; attemptId: number; memberUuid: string; node: string; at: Date }
  /** P3: a predictive subscriber leg ended, answered or not. */
  | { kind: 'member-leg-ended'; node: string; end: PredictiveEnd }
  /** P3: an agent's nailed-up leg is gone (the agent hung up, or the switch dropped it). */
  | { kind: 'nailed-leg-gone'; agentId: number; legUuid: string; node: string; cause: string; at: Date }
  /** A phone registered or unregistered (sofia::register / unregister / expire). */
  | { kind: 'registration'; node: string; sipUser: string; registered: boolean; contact: string | null }
  /** Full list of registered users on a node, after every (re)connect. */
  | { kind: 'registrations-sync'; node: string; sipUsers: { sipUser: string; contact: string }[] }
  /**
   * The inbound connection to a node came up (again) or went down (F2, F3); down also when the
   * switch announced its shutdown (calls in progress still report), up again if that was cancelled.
   */
  | { kind: 'node-up'; node: string; reconnected: boolean }
  | { kind: 'node-down'; node: string; reason: string };

/**
 * What FreeSWITCH still holds of an attempt's call after the process that drove it died (S4),
 * read from the agent leg (`uuid_dump`).
 */
export type HeldCall =
  /** The agent is bridged to the subscriber: the call can be adopted. `answeredAt`: the bridge (FreeSWITCH's time). */
  | { kind: 'bridged'; memberUuid: string; answeredAt: Date; upAt: Date | null }
  /** The agent leg is up with nobody to talk to: still ringing, parked, or the subscriber still ringing. */
  | { kind: 'unbridged'; agentAnswered: boolean }
  /** FreeSWITCH has no such agent leg. */
  | { kind: 'gone' }
  /** FreeSWITCH cannot be asked now. */
  | { kind: 'unknown' };

/** A bridged call taken over from a dead process (S4): followed to its end, then reported as any other. */
export interface AdoptedCall {
  attemptId: number;
  node: string;
  agentLegUuid: string;
  memberUuid: string;
  answeredAt: Date;
  /** When FreeSWITCH last showed the call up (its clock). */
  upAt: Date | null;
}

export type ServiceCode = 'login' | 'logout' | 'break';

/** What the engine gives the telephony adapter to call back. */
export interface TelephonyHandler {
  onEvent(event: TelephonyEvent): Promise<void>;
  /** An answered agent leg reached the outbound socket: what to do with it. */
  planBridge(attemptId: number, agentLegUuid: string): Promise<BridgePlan>;
  /** An agent dialled a service number (A5); true when the change was made. */
  onServiceCode(node: string, sipUser: string, code: ServiceCode): Promise<boolean>;
}

export interface Telephony {
  start(handler: TelephonyHandler): Promise<void>;
  /**
   * Rings the agent. Resolves when FreeSWITCH says answered or failed, or when the
   * deadline (ringSec + a margin) passes. Never rejects for a call outcome.
   */
  originateAgent(req: AgentLegRequest): Promise<OriginateResult>;
  /** P3: rings the agent for its nailed-up leg; `answered` once it is parked, waiting for calls. */
  originateNailedLeg(req: NailedLegRequest): Promise<OriginateResult>;
  /**
   * P3, P5: dials a predictive subscriber into the dialer-predictive context. `answered` at the
   * answer, when the switch has armed its fail-safe; the end comes as `member-leg-ended`.
   */
  originateMemberLeg(req: MemberLegRequest): Promise<OriginateResult>;
  /** P3: cancels the fail-safe of an answered subscriber leg and bridges it to an agent's nailed-up leg. */
  connectMemberLeg(node: string, memberUuid: string, agentLegUuid: string): Promise<ConnectResult>;
  /** P3: no agent for this answered subscriber: the information message now rather than at the fail-safe. */
  abandonMemberLeg(node: string, memberUuid: string): Promise<ConnectResult>;
  /**
   * S3: follows a predictive subscriber leg a dead process dialled (still ringing, or hearing the
   * message): its end comes as `member-leg-ended`, as for a leg dialled here.
   */
  followMemberLeg(node: string, memberUuid: string, attemptId: number): void;
  /**
   * P3, S3: the switch's own record of how an answered subscriber leg ended, written on the switch
   * at its hang-up whether or not a dialer ran; null when there is none (never answered, or
   * already settled and forgotten), 'unknown' when the node cannot be asked now.
   */
  memberLegRecord(node: string, memberUuid: string): Promise<PredictiveEnd | null | 'unknown'>;
  /** S3: the records kept on a node, but of legs followed by this process; `more`: ask again once these are forgotten. */
  memberLegRecords(node: string): Promise<{ ends: PredictiveEnd[]; more: boolean } | 'unknown'>;
  /** S3: a record is settled: it is deleted from the switch. */
  forgetMemberLeg(node: string, memberUuid: string): Promise<boolean>;
  /** Whether the node has a module loaded (`module_exists`); 'unknown' when it cannot be asked now. */
  moduleLoaded(node: string, module: string): Promise<boolean | 'unknown'>;
  /** `uuid_exists` on that node; 'unknown' when the node cannot be asked now. */
  exists(node: string, uuid: string): Promise<boolean | 'unknown'>;
  /** S4: what FreeSWITCH holds of a call whose agent leg is `agentLegUuid`. */
  inspect(node: string, agentLegUuid: string): Promise<HeldCall>;
  /**
   * S4: follows an adopted call on the node's inbound connection; its end comes as `member-ended`
   * then `agent-hangup`, as for a call placed here. Closing the adapter leaves it live.
   */
  adopt(call: AdoptedCall): void;
  /** Hangs a channel up (`uuid_kill`); a channel already gone is not an error. */
  kill(node: string, uuid: string, cause: string): Promise<void>;
  /** Names of nodes whose inbound connection is up now. */
  upNodes(): string[];
  /** Every configured node, up (as upNodes) or not, and since when (issue 13 §1, the health board). */
  nodeHealth?(): NodeFact[];
  close(): Promise<void>;
}
