/*
 * A2, C2, C3, M1, M3, M4, K3: which agent, campaign and member the claim takes, and which number of
 * the member is dialled.
 *
 * Production makes the choice in one place, the claim's SQL (adapters/mysql/claim-store.ts), where
 * locks make it exact with any number of engine processes. The functions here state the same rules
 * in plain code, composed by chooseClaim: they are the oracle of the property test
 * test/integration/selection-oracle.test.ts, which runs random campaigns, members and agents through
 * both (MariaDB) and requires the same choice. A change of a rule changes both, or that test fails.
 * pickCommunication is the exception: the claim calls it for the number (M1, R1).
 */
import { canTakeCall, type AgentView } from './agent-state.js';

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

/** A member as the claim sees it. */
export interface ClaimMember extends MemberOrderKey {
  campaignId: number;
  state: 'ready' | 'dialing' | 'waiting_result' | 'done';
  expireAt: Date | null;
  /** K3: its own zone; null follows the calendar's. */
  timezone: string | null;
}

/** K3: where a campaign's calendar is open now. */
export interface OpenZones {
  calendarZoneOpen: boolean;
  openZones: readonly string[];
}

/** M3, M4, K3: ready and due, not expired, and its local window open. */
export function isDialable(m: ClaimMember, open: OpenZones, now: Date): boolean {
  if (m.state !== 'ready' || m.readyAt.getTime() > now.getTime()) return false;
  if (m.expireAt !== null && m.expireAt.getTime() <= now.getTime()) return false;
  return m.timezone === null ? open.calendarZoneOpen : open.openZones.includes(m.timezone);
}

/** An agent as the claim sees it: its A2/W2 facts, when it last became Waiting, and its tiers. */
export interface ClaimAgent {
  id: number;
  view: AgentView & { registered: boolean; requiresClient: boolean; clientOnline: boolean };
  idleSince: Date;
  campaignIds: readonly number[];
}

/** The campaigns the claim may dial now (running, calendar open), each with its load and open zones. */
export type ClaimCampaign = CampaignLoad & OpenZones;

export type ClaimChoice =
  | { kind: 'claimed'; agentId: number; campaignId: number; memberId: number }
  /** No agent can take a call. */
  | { kind: 'no-agent' }
  /** The best agent has nothing to dial: its campaigns are full or have no dialable member. */
  | { kind: 'agent-idle'; agentId: number };

/**
 * A2, C2, C3, M3: one claim. The agent: one that can take a call (A2, W2) in one of these
 * campaigns, the one whose best campaign has the highest priority (C3: a contended agent serves
 * the higher campaign), then the longest idle, then the lower id. Its campaigns in orderCampaigns'
 * order; the first with a dialable member gives its best member (compareMembers). The claim serves
 * that agent or none: its other agents wait for the next claim.
 */
export function chooseClaim(agents: readonly ClaimAgent[], campaigns: readonly ClaimCampaign[], members: readonly ClaimMember[], now: Date): ClaimChoice {
  const byId = new Map(campaigns.map((c) => [c.id, c]));
  const best = (a: ClaimAgent) => Math.max(...a.campaignIds.filter((id) => byId.has(id)).map((id) => byId.get(id)!.priority));
  const ready = agents.filter((a) => canTakeCall(a.view, now) && a.campaignIds.some((id) => byId.has(id)))
    .sort((a, b) => best(b) - best(a) || a.idleSince.getTime() - b.idleSince.getTime() || a.id - b.id);
  const agent = ready[0];
  if (!agent) return { kind: 'no-agent' };
  for (const campaignId of orderCampaigns(agent.campaignIds.filter((id) => byId.has(id)).map((id) => byId.get(id)!))) {
    const open = byId.get(campaignId)!;
    const member = members.filter((m) => m.campaignId === campaignId && isDialable(m, open, now)).sort(compareMembers)[0];
    if (member) return { kind: 'claimed', agentId: agent.id, campaignId, memberId: member.id };
  }
  return { kind: 'agent-idle', agentId: agent.id };
}
