import { timerKinds, type TimerKind, type TimerRequest } from '../../app/ports/timers.js';

/**
 * The BullMQ job id of a timer: `${kind}:${id}:${atMs}` (DESIGN §1, STYLE 9).
 *
 * BullMQ 6.7 rejects a custom id that contains ':' unless it splits into exactly three
 * parts (job.js validateOptions, kept for old repeatable jobs), so ':' and '%' inside
 * `id` are percent-encoded: `calendar-open:12%3AEurope/Paris:1732537205000`. The id
 * stays deterministic and readable, and decodes back to the same request.
 */
export function timerJobId(t: TimerRequest): string {
  return `${t.kind}:${t.id.replace(/%/g, '%25').replace(/:/g, '%3A')}:${t.atMs}`;
}

const kinds: ReadonlySet<string> = new Set(timerKinds);

/** The request a job id names, or null for an id this module did not make. */
export function parseTimerJobId(jobId: string): TimerRequest | null {
  const parts = jobId.split(':');
  if (parts.length !== 3) return null;
  const [kind, encoded, at] = parts as [string, string, string];
  if (!kinds.has(kind) || encoded === '' || !/^\d+$/.test(at)) return null;
  const atMs = Number(at);
  if (!Number.isSafeInteger(atMs)) return null;
  return { kind: kind as TimerKind, id: encoded.replace(/%(25|3A)/g, (_m, c: string) => (c === '25' ? '%' : ':')), atMs };
}

export class InvalidTimerError extends Error {
  override name = 'InvalidTimerError';
}

/** A bad request is a bug in the caller, not an outcome: fail loudly before touching Redis. */
export function assertValidTimer(t: TimerRequest): void {
  if (!kinds.has(t.kind)) throw new InvalidTimerError(`unknown timer kind ${String(t.kind)}`);
  if (typeof t.id !== 'string' || t.id === '') throw new InvalidTimerError(`timer ${t.kind} needs a non-empty id`);
  if (!Number.isSafeInteger(t.atMs) || t.atMs < 0) {
    throw new InvalidTimerError(`timer ${t.kind}:${t.id} needs atMs as a non-negative integer, got ${t.atMs}`);
  }
}
