import type { Agent, AgentCreateInput, AgentStatus, AgentUpdateInput } from '../../contract/agent-schemas.js';

export type AgentWrite = { kind: 'ok'; agent: Agent } | { kind: 'not-found' } | { kind: 'conflict'; message: string };

export type AgentDelete = { kind: 'deleted' } | { kind: 'not-found' } | { kind: 'busy' } | { kind: 'linked'; username: string };

/** A1: the agents, with the node their phone is registered on. */
export interface AgentStore {
  list(): Promise<Agent[]>;
  get(id: number): Promise<Agent | undefined>;
  create(a: AgentCreateInput, now: Date): Promise<AgentWrite>;
  update(id: number, a: AgentUpdateInput, now: Date): Promise<AgentWrite>;
  /** A5; becoming Available clears the no-answer streak (A3). */
  setStatus(id: number, status: AgentStatus, now: Date, breakReason?: string | null): Promise<AgentWrite>;
  /** An agent on a live call, or one a user logs in as (W1), stays. */
  delete(id: number): Promise<AgentDelete>;
}
