/*
 * P3: what the predictive call flow reads and writes beside the attempt rules of CallStore:
 * the agents' nailed-up legs and the facts of a subscriber-first call.
 */

/** What the subscriber leg of a claimed predictive attempt is dialled with. */
export interface MemberLegPlan {
  number: string;
  minRingSec: number;
  /** null: the campaign has none (it cannot be run as predictive then, P1). */
  infoMessage: string | null;
  optOutKey: string | null;
  /** Campaign variables overridden by member variables, with the dialer's ids (C8). */
  variables: Record<string, string>;
  callerIdNumber: string;
  callerIdName: string;
}

/** An agent whose nailed-up leg is to be rung now. */
export interface NailedLegWanted {
  agentId: number;
  sipUser: string;
  node: string;
  ringSec: number;
}

export interface PredictiveStore {
  /** The subscriber leg's uuid is stored before the originate is sent (F2); false when the attempt is no longer live. */
  markMemberDialling(attemptId: number, memberUuid: string, now: Date): Promise<MemberLegPlan | null>;
  /** The subscriber is bridged to the agent's nailed-up leg: the agent is in the call. */
  markBridged(attemptId: number, memberUuid: string, answeredAt: Date, now: Date): Promise<void>;
  /**
   * S3: the subscriber leg uuid stored on the attempt; a switch record is settled only against its
   * own attempt (another dialer's database driving the same switch has attempts of the same ids).
   */
  memberUuidOf(attemptId: number): Promise<string | null>;
  /** P3: running predictive campaigns whose `amd` setting asks for answering-machine detection. */
  campaignsAskingAmd(): Promise<number[]>;
  /** P3: the opt-out key was pressed during the message: the number goes on the campaign's DNC list. */
  optOut(attemptId: number, now: Date): Promise<void>;
  /**
   * Agents Available and Waiting, registered on an up node, in a running predictive campaign,
   * without a nailed-up leg: each one is marked as getting `uuidFor(agentId)` (one process wins).
   */
  takeNailedLegsWanted(upNodes: string[], now: Date, uuidFor: (agentId: number) => string): Promise<(NailedLegWanted & { legUuid: string })[]>;
  /** The nailed-up leg answered: the agent is offered predictive calls on that node; false when the agent's record moved on meanwhile. */
  nailedLegUp(agentId: number, legUuid: string, node: string): Promise<boolean>;
  /** The nailed-up leg failed or ended: cleared; `breakAgent` puts an Available agent On Break (it hung up). */
  nailedLegGone(legUuid: string, now: Date, breakAgent: boolean): Promise<number | null>;
  /** Nailed-up legs of agents no longer Available or in no running predictive campaign, idle now: to hang up. */
  nailedLegsToRelease(): Promise<{ agentId: number; legUuid: string; node: string }[]>;
  /** Every nailed-up leg on record (checked against the switch on the housekeeping beat). */
  nailedLegs(): Promise<{ agentId: number; legUuid: string; node: string | null }[]>;
}
