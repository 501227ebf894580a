import type { z } from 'zod';
import { MemberInput } from '../../contract/member-input.js';
import { MemberUpdate, type Member } from '../../contract/member-schemas.js';
import type { EngineSignals } from '../ports/engine-signals.js';
import type { MemberStore } from '../ports/member-store.js';

export type MemberEditOutcome =
  | { kind: 'ok'; member: Member }
  /** The body is no object; `errors` holds its shape's issues, if there are any. */
  | { kind: 'bad-body'; errors: z.ZodError[] }
  /** S2: the body's shape and the merged member were both checked: every issue of both. */
  | { kind: 'invalid'; errors: z.ZodError[] }
  | { kind: 'not-found' }
  | { kind: 'dialing' }
  | { kind: 'duplicates'; numbers: string[] };

/**
 * PUT .../members/:mid: the fields given replace the stored ones, and the merged member is checked
 * with the same rules as an upload (M1), so every bad field is reported at once (a bad priority
 * does not hide a bad time zone). A member being dialled is left alone; a number another member of
 * the campaign has is refused (M2).
 */
export async function editMember(deps: { members: MemberStore; signals: EngineSignals }, campaignId: number, memberId: number,
  body: unknown, now: Date): Promise<MemberEditOutcome> {
  const given = MemberUpdate.safeParse(body);
  const fields: unknown = given.success ? given.data : body;
  if (!fields || typeof fields !== 'object' || Array.isArray(fields)) return { kind: 'bad-body', errors: given.success ? [] : [given.error] };
  const cur = await deps.members.get(campaignId, memberId);
  if (!cur) return { kind: 'not-found' };
  const merged = {
    name: cur.name, priority: cur.priority, expire_at: cur.expire_at, timezone: cur.timezone, variables: cur.variables,
    communications: cur.communications.map((c) => ({ number: c.number, priority: c.priority })),
    ...fields,
  };
  const parsed = MemberInput.safeParse(merged);
  if (!given.success || !parsed.success) {
    return { kind: 'invalid', errors: [...(given.success ? [] : [given.error]), ...(parsed.success ? [] : [parsed.error])] };
  }
  const out = await deps.members.update(campaignId, memberId, parsed.data, now);
  if (out.kind === 'ok') deps.signals.membersAdded(campaignId);
  return out;
}
