/*
 * C3, M1, M3: which campaign an agent serves next, and which number of a member is dialled.
 * Members themselves are ordered in SQL (priority desc, ready_at asc, id asc — M3); the
 * comparator below states the same order for code that sorts in memory.
 */

export interface CampaignLoad {
  id: number;
  priority: number;
  /** Attempts dialled so far (the fair-share measure between equal priorities). */
  dialled: number;
  /** Live calls now. */
  live: number;
  /** C2: max simultaneous calls of the campaign. */
  limit: number;
  /** C3: free lines in its line group; null when the campaign has no group. */
  lineGroupFree: number | null;
}

/**
 * C2, C3: campaigns that can take one more call, best first: higher priority, then the one
 * that has dialled least (equal priorities share fairly), then the lower id (stable).
 */
export function orderCampaigns(cs: CampaignLoad[]): number[] {
  return cs
    .filter((c) => c.live < c.limit && (c.lineGroupFree === null || c.lineGroupFree > 0))
    .sort((a, b) => b.priority - a.priority || a.dialled - b.dialled || a.id - b.id)
    .map((c) => c.id);
}

export interface MemberOrderKey {
  id: number;
  priority: number;
  readyAt: Date;
}

/** M3: higher priority first, then the one ready longest, then the lower id. */
export function compareMembers(a: MemberOrderKey, b: MemberOrderKey): number {
  return b.priority - a.priority || a.readyAt.getTime() - b.readyAt.getTime() || a.id - b.id;
}

export interface CommunicationChoice {
  id: number;
  number: string;
  priority: number;
  /** Place in the member's list, for ties of priority (M1: equal keeps list order). */
  position: number;
  state: 'active' | 'stopped';
}

/**
 * M1, R1: the number to dial. An explicit next_communication (still active) comes first.
 * Otherwise numbers take turns in the order priority desc, then list position: the one after
 * the last tried, wrapping around; the first one when none was tried (or it is unknown).
 * Null when the member has no active number.
 */
export function pickCommunication(
  comms: CommunicationChoice[],
  nextCommunicationId: number | null,
  lastTriedId: number | null,
): CommunicationChoice | null {
  if (nextCommunicationId !== null) {
    const next = comms.find((c) => c.id === nextCommunicationId && c.state === 'active');
    if (next) return next;
  }
  const ordered = [...comms].sort((a, b) => b.priority - a.priority || a.position - b.position || a.id - b.id);
  // Start after the last tried one even when it has been stopped since: its place still counts.
  const last = lastTriedId === null ? -1 : ordered.findIndex((c) => c.id === lastTriedId);
  for (let i = 1; i <= ordered.length; i++) {
    const c = ordered[(last + i) % ordered.length]!;
    if (c.state === 'active') return c;
  }
  return null;
}
