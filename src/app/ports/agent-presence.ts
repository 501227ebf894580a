/**
 * W2: which agents have a CTI client connected now, as every process sees it (Redis:
 * adapters/queue/redis-presence.ts). A connection is present while it answers heartbeats and for
 * a grace after it closes; one of a process that died expires by itself a heartbeat and a grace
 * after its last answer.
 */
export interface AgentPresence {
  /** The connection opened or answered a heartbeat. */
  alive(agentId: number, connectionId: string): Promise<void>;
  /** The connection closed: present for the grace still. */
  gone(agentId: number, connectionId: string): Promise<void>;
  /** Agents with at least one present connection. */
  present(): Promise<number[]>;
  /** How long an agent stays present after its last connection went, ms. */
  readonly graceMs: number;
}
