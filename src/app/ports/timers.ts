/**
 * Durable wake-ups (DESIGN §1): "look at member 42 at 12:00:05". A timer carries no
 * state; its handler re-reads MySQL and acts only if the row still says so, so a
 * timer that fires twice, late, or after the row changed does nothing harmful.
 */
export type TimerKind =
  | 'member-ready'
  | 'member-expire'
  | 'agent-ready'
  | 'wrapup-end'
  | 'result-deadline'
  | 'calendar-open'
  | 'campaign-end'
  | 'sweep';

export const timerKinds: readonly TimerKind[] = [
  'member-ready',
  'member-expire',
  'agent-ready',
  'wrapup-end',
  'result-deadline',
  'calendar-open',
  'campaign-end',
  'sweep',
];

export interface TimerRequest {
  kind: TimerKind;
  /** What to look at: a member id, an agent id, `campaignId:zone`, … (any string). */
  id: string;
  /** When, epoch milliseconds. */
  atMs: number;
}

/** Runs a due timer. Must be idempotent; a rejection is retried with backoff. */
export type TimerHandler = (t: TimerRequest) => Promise<void>;

export interface Timers {
  /**
   * Arms (or re-arms) the wake-up. Deterministic job id `${kind}:${id}:${atMs}`; arming the
   * same (kind, id, atMs) twice is a no-op. A different atMs for the same kind + id is
   * another timer (the handler re-reads MySQL and ignores a stale one). An atMs in the past
   * fires at once.
   */
  schedule(t: TimerRequest): Promise<void>;
  /** Bulk form of schedule(), for the startup rebuild from MySQL. */
  scheduleMany(ts: TimerRequest[]): Promise<void>;
  /** Best effort: drops a timer that is no longer needed (a running one is not stopped). */
  cancel(t: TimerRequest): Promise<void>;
  /** Starts running due timers, those of other processes included, through `handler`. */
  start(handler: TimerHandler): Promise<void>;
  /** Idempotent (memoised promise); pending timers stay in Redis for other processes. */
  close(): Promise<void>;
}
