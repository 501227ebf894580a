import type { SettleResult } from '../ports/call-store.js';
import type { ClaimedAttempt } from '../ports/dispatch-store.js';

/** What the engine reports as it works; the Prometheus adapter implements it. */
export interface EngineMetrics {
  /** Seconds one claim transaction took (dispatch latency). */
  observeClaim(seconds: number): void;
  onOriginate(a: ClaimedAttempt): void;
  onSettled(r: SettleResult & { kind: 'settled' }): void;
}
