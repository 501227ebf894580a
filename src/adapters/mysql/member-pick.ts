import type { OpenCampaign } from '../../app/ports/dispatch-store.js';
import { pickCommunication, type CommunicationChoice } from '../../domain/selection.js';
import type { Sql } from './direct-sql.js';
import { fromJsonColumn } from './row-mapping.js';

/*
 * M3, M4, K3, P6: the member a claim dials (for an agent's claim, claim-store.ts, and for a
 * predictive line, pacer-store.ts). The statements are written out rather than built: this runs
 * at least once per attempt, and composing them with the query builder cost more CPU than the
 * rest of the claim's code.
 */

/** Members skipped in one claim because of DNC or no number left, before giving up on a campaign. */
const MAX_MEMBER_SKIPS = 20;

export interface MemberRow { variables: unknown; tries: number; minus_tries: number; expire_at: Date | null; version: number }
/** A member row as the claim reads it (WITH_NUMBERS). */
interface ReadyMemberRow extends MemberRow { id: number; next_communication_id: number | null; last_communication_id: number | null; numbers: unknown }
export interface PickedMember { memberId: number; comm: CommunicationChoice; row: MemberRow; numbers: CommunicationChoice[] }

/** M3: best priority first, then longest ready. */
const M3_ORDER = 'ORDER BY priority DESC, ready_at, id';

/**
 * A member's columns for the claim, with its numbers (a subquery, evaluated for the row returned;
 * it locks nothing). Checked at dial time: a number put on a DNC list after upload is never
 * dialled. Its one binding is the campaign id (the DNC list's scope).
 */
const WITH_NUMBERS = `id, next_communication_id, last_communication_id, variables, tries, minus_tries, expire_at, version,
  (SELECT JSON_ARRAYAGG(JSON_OBJECT('id', c.id, 'number', c.number, 'priority', c.priority, 'position', c.position,
     'state', c.state, 'dnc', EXISTS (SELECT 1 FROM dnc d WHERE d.number = c.number AND d.scope IN (0, ?))))
    FROM communications c WHERE c.member_id = members.id) AS numbers`;

/**
 * M3/M4/K3/P6: the condition of a member ready to dial now, with its bindings: ready and due, not
 * expired, its local window open, and (P6) no call of it abandoned since `abandonedSince`.
 */
function readyMembers(campaignId: number, open: OpenCampaign, now: Date, abandonedSince?: Date): [string, unknown[]] {
  let sql = "campaign_id = ? AND state = 'ready'";
  const values: unknown[] = [campaignId];
  if (abandonedSince) {
    // P6: a member whose call was abandoned since then waits, unless an agent is reserved for it
    sql += " AND NOT EXISTS (SELECT 1 FROM attempts x WHERE x.member_id = members.id AND x.hangup_cause = 'ABANDONED' AND x.ended_at > ?)";
    values.push(abandonedSince);
  }
  sql += ' AND ready_at <= ? AND (expire_at IS NULL OR expire_at > ?)';
  values.push(now, now);
  const zones: string[] = [];
  if (open.openZones.length) {
    zones.push(`timezone IN (${open.openZones.map(() => '?').join(', ')})`);
    values.push(...open.openZones);
  }
  if (open.calendarZoneOpen) zones.push('timezone IS NULL');
  sql += zones.length ? ` AND (${zones.join(' OR ')})` : ' AND FALSE';
  return [sql, values];
}

/**
 * M3: best priority, then longest ready; only members whose local window is open (K3) and not
 * expired (M4). A member whose numbers are all on the DNC list or stopped is ended here.
 */
export async function pickMember(sql: Sql, campaignId: number, open: OpenCampaign, now: Date,
  abandonedSince?: Date): Promise<PickedMember | null> {
  const [readyWhere, readyValues] = readyMembers(campaignId, open, now, abandonedSince);
  const first = async (text: string, values: unknown[]) => (await sql<ReadyMemberRow[]>(text, values))[0];
  for (let skips = 0; skips < MAX_MEMBER_SKIPS; skips++) {
    let member = await first(`SELECT ${WITH_NUMBERS} FROM members WHERE ${readyWhere} ${M3_ORDER} LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [campaignId, ...readyValues]);
    if (!member) {
      // C3: every ready member is held by another claim in flight. If that claim does not take it
      // (its line group filled meanwhile), it is still this campaign's to dial: wait for the
      // holder rather than let a lower campaign of the line group take the line.
      const held = await first(`SELECT id FROM members WHERE ${readyWhere} ${M3_ORDER} LIMIT 1`, readyValues);
      if (!held) return null;
      member = await first(`SELECT ${WITH_NUMBERS} FROM members WHERE ${readyWhere} AND id = ? LIMIT 1 FOR UPDATE`,
        [campaignId, ...readyValues, held.id]);
      if (!member) continue;
    }
    // (JSON_OBJECT spells the EXISTS as "0" or "1".)
    const comms = fromJsonColumn<(CommunicationChoice & { dnc: string | number })[]>(member.numbers, []);
    // Members and their numbers are written in one transaction (member-writer.ts), so a member read
    // here without numbers really has none, and ends NO_COMMUNICATIONS below.
    let choice = pickCommunication(comms, member.next_communication_id, member.last_communication_id);
    let dnc = false;
    while (choice && Number(comms.find((x) => x.id === choice!.id)!.dnc) === 1) {
      dnc = true;
      await sql("UPDATE communications SET state = 'stopped', last_cause = 'DNC' WHERE id = ?", [choice.id]);
      choice.state = 'stopped';
      choice = pickCommunication(comms, null, choice.id);
    }
    if (choice) return { memberId: member.id, comm: choice, row: member, numbers: comms };
    await sql("UPDATE members SET state = 'done', result = ?, ended_at = ?, version = version + 1, updated_at = ? WHERE id = ?",
      [dnc ? 'DNC' : 'NO_COMMUNICATIONS', now, now, member.id]);
  }
  return null;
}
