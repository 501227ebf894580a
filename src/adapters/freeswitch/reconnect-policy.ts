/* When the inbound connection tries again (F2): backoff after failures, a slower one for a refused password. */

export interface ReconnectOptions {
  /** First reconnect delay, doubled after each failure. @defaultValue 250 (ms) */
  minBackoffMs?: number;
  /** Longest reconnect delay. @defaultValue 10000 (ms) */
  maxBackoffMs?: number;
  /** A connection that stayed up this long resets the backoff. @defaultValue 5000 (ms) */
  stableMs?: number;
  /** First retry after a refused password, doubled up to 5 minutes. @defaultValue 30000 (ms) */
  authRetryMs?: number;
  /** Deadline for TCP connect + auth + subscribe. @defaultValue 5000 (ms) */
  connectTimeoutMs?: number;
  /**
   * While up, `api status` this often (`api fsctl shutdown_check` while a requested shutdown is
   * pending: `false` means it was cancelled); no reply within connectTimeoutMs drops the connection
   * (a half-open TCP connection would otherwise look up for hours). 0 disables. @defaultValue 15000 (ms)
   */
  heartbeatMs?: number;
}

export type ReconnectPolicy = Required<ReconnectOptions>;

export function reconnectPolicy(opts: ReconnectOptions = {}): ReconnectPolicy {
  return {
    minBackoffMs: opts.minBackoffMs ?? 250,
    maxBackoffMs: opts.maxBackoffMs ?? 10_000,
    stableMs: opts.stableMs ?? 5_000,
    authRetryMs: opts.authRetryMs ?? 30_000,
    connectTimeoutMs: opts.connectTimeoutMs ?? 5_000,
    heartbeatMs: opts.heartbeatMs ?? 15_000,
  };
}

/** The delay before the next attempt after `failures` failures in a row (the first is 1). */
export function backoffMs(p: ReconnectPolicy, failures: number): number {
  return Math.min(p.minBackoffMs * 2 ** (failures - 1), p.maxBackoffMs);
}

/** After a refused password: from authRetryMs, doubled up to 5 minutes. */
export function authRetryMs(p: ReconnectPolicy, refusals: number): number {
  return Math.min(p.authRetryMs * 2 ** (refusals - 1), 300_000);
}
