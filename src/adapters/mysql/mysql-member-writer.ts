import type { Knex } from 'knex';
import type { DuplicateItem, InsertMembersResult, MemberWriter } from '../../app/ports/member-writer.js';
import type { NumberedItem, ParsedMember } from '../../contract/member-input.js';
import { findDuplicates, insertMembers } from './member-writer.js';

/** The JSON upload's writes (member-writer.ts) on one database. */
export class MysqlMemberWriter implements MemberWriter {
  constructor(private readonly db: Knex) {}

  findDuplicates(campaignId: number, items: readonly NumberedItem[]): Promise<DuplicateItem[]> {
    return findDuplicates(this.db, campaignId, items);
  }

  insertMembers(campaignId: number, members: ParsedMember[], now: Date): Promise<InsertMembersResult> {
    return insertMembers(this.db, campaignId, members, now);
  }
}
