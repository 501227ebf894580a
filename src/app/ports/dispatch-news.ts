/**
 * News, shared by every process on the same MySQL + Redis, that dispatch may find work now: a
 * line or an agent freed, members added, a campaign run, an agent made available (DESIGN §1a:
 * every handler safe on any process). Without it, a process learns of another's freed capacity
 * only on its lease beat, and the process that freed a line would take it every time.
 * Fire-and-forget: MySQL holds the truth; lost news only delays work until the next beat.
 */
export interface DispatchNews {
  /** Tells the other processes; coalesced, never throws. */
  announce(): void;
  /** Calls onNews when another process announced. Once, before announcing. */
  listen(onNews: () => void): Promise<void>;
  /** Idempotent. */
  close(): Promise<void>;
}
