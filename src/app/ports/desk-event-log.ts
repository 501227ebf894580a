import type { DeskEvent, DeskMark } from '../agent-desk/desk-events.js';

/** One event of an agent as its clients get it: numbered 1, 2, 3, … per agent. */
export interface NumberedDeskEvent {
  agent_id: number;
  seq: number;
  event: DeskEvent;
}

/** An agent's entry in the log: its last sequence number and what its clients were last told. */
export interface DeskLogEntry {
  seq: number;
  /** Changes on every append; an append names the version it read (compare-and-set). */
  version: number;
  mark: DeskMark | null;
  /** Epoch ms of the last append (a mark no process has kept up to date for long is stale). */
  atMs: number;
}

/**
 * W3: the per-agent event sequence, shared by every process (Redis: adapters/queue/redis-desk-log.ts).
 * Whatever process sees an agent change may append its events; appends of one agent are
 * serialised by the version they name, so the numbers are one sequence whoever appends, and every
 * process gets every event, in sequence order, from `listen`.
 */
export interface DeskEventLog {
  read(agentId: number): Promise<DeskLogEntry>;
  /**
   * Numbers and publishes `events` and keeps `mark`, if the entry is still at `version`.
   * Returns the new sequence number, or null when another process appended first.
   */
  append(agentId: number, version: number, mark: DeskMark, events: readonly DeskEvent[], nowMs: number): Promise<number | null>;
  /** Marks the entry as kept up to date at `nowMs` (a watched agent with nothing new). */
  touch(agentId: number, nowMs: number): Promise<void>;
  /** Every process's events, in each agent's order; resolves once subscribed. Once. */
  listen(onEvent: (e: NumberedDeskEvent) => void): Promise<void>;
  close(): Promise<void>;
}
