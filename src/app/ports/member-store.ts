import type { ParsedMember } from '../../contract/member-input.js';
import type { Attempt, Member, MemberListQuery } from '../../contract/member-schemas.js';

export type MemberChange =
  | { kind: 'ok'; member: Member }
  | { kind: 'not-found' }
  | { kind: 'dialing' }
  | { kind: 'duplicates'; numbers: string[] };

/** The members of a campaign, one by one (uploads go through member-upload.ts). */
export interface MemberStore {
  /** Keyset page on id; filters combine with AND. `now` places "later" for the wait filter. */
  list(campaignId: number, q: MemberListQuery, now: Date): Promise<{ items: Member[]; next_after: number | null }>;
  get(campaignId: number, memberId: number): Promise<Member | undefined>;
  /** Replaces the member's fields with the merged, validated member (M2 across the campaign); a member being dialled stays. */
  update(campaignId: number, memberId: number, m: ParsedMember, now: Date): Promise<MemberChange>;
  /** Attempts go with the member; a member being dialled stays. */
  delete(campaignId: number, memberId: number): Promise<'deleted' | 'not-found' | 'dialing'>;
  /** M5: every attempt of the member, oldest first. */
  attempts(campaignId: number, memberId: number): Promise<Attempt[] | undefined>;
}
