import type { Agent, AgentStatus } from '../../contract/agent-schemas.js';
import type { DeskState } from '../../contract/agent-desk-schemas.js';
import type { EarlyWrapupEnd } from '../../domain/agent-state.js';

/** W4: the agent's current call, or else its last one (found from the agent, never from the client). */
export interface AgentCall {
  attemptId: number;
  campaignId: number;
  memberId: number;
  /** The agent answered this call's ring: only such a call gets a result from the agent. */
  agentAnswered: boolean;
  /** The attempt's state: reserved, ringing_agent, bridging, talking (live), waiting_result, done. */
  state: string;
  /** FreeSWITCH server and uuid of the agent's leg, once chosen. */
  node: string | null;
  agentLegUuid: string | null;
}

/** What the agent desk reads and changes (MySQL: adapters/mysql/agent-desk-store.ts). */
export interface AgentDeskStore {
  agentExists(agentId: number): Promise<boolean>;
  lastCall(agentId: number): Promise<AgentCall | undefined>;
  /** W4, one transaction: the agent in Wrap up after a call of a campaign that allows it → Waiting. */
  endWrapupEarly(agentId: number, now: Date): Promise<EarlyWrapupEnd['kind'] | 'not-found'>;
  /** Undefined when there is no such agent. */
  state(agentId: number): Promise<DeskState | undefined>;
}

/** A5's status change as the supervisor makes it (the agents repository). */
export interface AgentStatusSetter {
  setStatus(id: number, status: AgentStatus, now: Date, breakReason: string | null): Promise<{ kind: 'ok'; agent: Agent } | { kind: 'not-found' | 'conflict' }>;
}
