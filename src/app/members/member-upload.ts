import { parseMembers, type MemberIssue } from '../../contract/member-input.js';
import { runCampaign, type CampaignStateStore } from '../catalog/campaign-state.js';
import type { EngineSignals } from '../ports/engine-signals.js';
import type { MemberWriter } from '../ports/member-writer.js';

/** What an upload needs: the campaigns (to find one, and run it with autoRun), the writer, the engine's ear. */
export interface MemberUploadDeps {
  campaigns: CampaignStateStore & { exists(id: number): Promise<boolean> };
  writer: MemberWriter;
  signals: EngineSignals;
}

export type MemberUploadOutcome =
  | { kind: 'added'; ids: number[] }
  | { kind: 'no-campaign' }
  /** The body is neither a member nor a non-empty array of members. */
  | { kind: 'bad-body'; message: string }
  /** M1, M2: every refused item with its index and reason, in index order; nothing was stored. */
  | { kind: 'refused'; items: Array<MemberIssue & { number?: string }> };

/**
 * M1, M2, M6: the JSON upload of one member or an array. Every item is checked first, and any bad
 * one (malformed, or a number the campaign or another item has) refuses the whole upload. With
 * `autoRun` the campaign is run once the members are in.
 */
export async function uploadMembers(deps: MemberUploadDeps, campaignId: number, body: unknown, autoRun: boolean, now: Date): Promise<MemberUploadOutcome> {
  if (!(await deps.campaigns.exists(campaignId))) return { kind: 'no-campaign' };
  const items = Array.isArray(body) ? body : body && typeof body === 'object' ? [body] : undefined;
  if (items === undefined) return { kind: 'bad-body', message: 'body must be a member object or an array of members' };
  if (items.length === 0) return { kind: 'bad-body', message: 'body is an empty array: no members to add' };
  const parsed = parseMembers(items);
  if (parsed.kind === 'invalid') {
    // S2: one answer names every bad item, so the duplicates of the well-formed numbers are looked up too.
    const duplicates = await deps.writer.findDuplicates(campaignId, parsed.numbers);
    return { kind: 'refused', items: [...parsed.items, ...duplicates].sort((a, b) => a.index - b.index) };
  }
  const out = await deps.writer.insertMembers(campaignId, parsed.members, now);
  if (out.kind === 'duplicates') return { kind: 'refused', items: out.items };
  deps.signals.membersAdded(campaignId);
  if (autoRun) await runCampaign(deps.campaigns, deps.signals, campaignId, now);
  return { kind: 'added', ids: out.ids };
}
