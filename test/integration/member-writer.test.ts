import { expect } from 'chai';
import type { Knex } from 'knex';
import { insertMemberBatch, insertMembers } from '../../src/adapters/mysql/member-writer.js';
import { MemberInput, type ParsedMember } from '../../src/app/members/member-input.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';

async function seedCampaign(db: Knex, name: string): Promise<number> {
  let [cal] = (await db('calendars').select('id').limit(1)) as { id: number }[];
  if (!cal) {
    const [id] = await db('calendars').insert({ name: 'c', timezone: 'UTC', windows: '[]', holidays: '[]' });
    cal = { id: id! };
  }
  const [id] = await db('campaigns').insert({
    name, calendar_id: cal.id, call_limit: 1, retry_wait_sec: 60, max_tries: 3, min_success_sec: 5,
    wrapup_sec: 0, variables: '{}', causes: '{}',
  });
  return id!;
}

const m = (numbers: string[], extra: object = {}): ParsedMember =>
  MemberInput.parse({ communications: numbers.map((number) => ({ number })), ...extra });

describe('member-writer', () => {
  let t: TestDatabase;
  let campaign: number;
  const now = new Date('2026-11-25T12:00:00.000Z');

  before(async () => {
    t = await createTestDatabase('member_writer');
    campaign = await seedCampaign(t.db, 'a');
  });
  after(async () => t.drop());

  it('M1: stores members ready, with numbers in list order and zones, ids in input order', async () => {
    const r = await insertMembers(t.db, campaign, [
      m(['1000001', '1000002'], { name: 'A', priority: 3, timezone: 'Europe/Kyiv', variables: { x: 1 } }),
      m(['1000003'], { name: 'B', expire_at: '2027-01-01T00:00:00Z' }),
    ], now);
    expect(r.kind).to.equal('inserted');
    if (r.kind !== 'inserted') return;
    expect(r.ids).to.have.length(2);
    const rows = await t.db('members').whereIn('id', r.ids).orderBy('id');
    expect(rows.map((x) => x.id)).to.deep.equal(r.ids);
    expect(rows[0]).to.include({ name: 'A', priority: 3, state: 'ready', tries: 0, timezone: 'Europe/Kyiv', campaign_id: campaign });
    expect(rows[0].ready_at.toISOString()).to.equal(now.toISOString());
    expect(typeof rows[0].variables === 'string' ? JSON.parse(rows[0].variables) : rows[0].variables).to.deep.equal({ x: 1 });
    expect(rows[1].expire_at.toISOString()).to.equal('2027-01-01T00:00:00.000Z');
    const comms = await t.db('communications').where('member_id', r.ids[0]!).orderBy('position');
    expect(comms.map((c) => [c.number, c.position, c.campaign_id])).to.deep.equal([['1000001', 0, campaign], ['1000002', 1, campaign]]);
    const zones = await t.db('campaign_zones').where('campaign_id', campaign);
    expect(zones.map((z) => z.timezone)).to.deep.equal(['Europe/Kyiv']);
  });

  it('M1: 2500 members in one call get the right ids, each with its own number', async () => {
    const members = Array.from({ length: 2500 }, (_, i) => m([`2${String(i).padStart(7, '0')}`], { name: `n${i}` }));
    const r = await insertMembers(t.db, campaign, members, now);
    expect(r.kind).to.equal('inserted');
    if (r.kind !== 'inserted') return;
    const rows: { id: number; name: string; number: string }[] = await t.db('members as m')
      .join('communications as c', 'c.member_id', 'm.id').whereIn('m.id', r.ids).select('m.id', 'm.name', 'c.number');
    const byId = new Map(rows.map((x) => [x.id, x]));
    r.ids.forEach((id, i) => expect(byId.get(id)?.name).to.equal(`n${i}`));
  });

  it('M2: duplicates inside the request and against the database are named, nothing stored', async () => {
    const before = await t.db('members').count({ n: '*' }).first();
    const r = await insertMembers(t.db, campaign, [
      m(['3000001']),
      m(['1000001']),
      m(['3000002', '3000001']),
    ], now);
    expect(r).to.deep.equal({
      kind: 'duplicates',
      items: [
        { index: 1, number: '1000001', reason: 'number 1000001 already exists in the campaign' },
        { index: 2, number: '3000001', reason: 'number 3000001 is also in item 0' },
      ],
    });
    const after = await t.db('members').count({ n: '*' }).first();
    expect(after).to.deep.equal(before);
    expect(await t.db('communications').where('number', '3000002')).to.have.length(0);
  });

  it('M2: the same number may be used in another campaign', async () => {
    const other = await seedCampaign(t.db, 'b');
    const r = await insertMembers(t.db, other, [m(['1000001'])], now);
    expect(r.kind).to.equal('inserted');
  });

  it('M2: the batch variant rejects repeated and existing numbers by line and stores the rest', async () => {
    const r = await insertMemberBatch(t.db, campaign, [
      { line: 2, member: m(['4000001']) },
      { line: 3, member: m(['1000002']) },
      { line: 4, member: m(['4000002', '4000001']) },
      { line: 5, member: m(['4000003'], { timezone: 'Asia/Tokyo' }) },
    ], now);
    expect(r).to.deep.equal({
      inserted: 2,
      rejected: [
        { line: 3, reason: 'number 1000002 already exists in the campaign' },
        { line: 4, reason: 'number 4000001 repeats line 2' },
      ],
    });
    expect(await t.db('communications').where({ campaign_id: campaign }).whereIn('number', ['4000001', '4000003'])).to.have.length(2);
    expect(await t.db('communications').where({ campaign_id: campaign, number: '4000002' })).to.have.length(0);
    expect(await t.db('campaign_zones').where({ campaign_id: campaign, timezone: 'Asia/Tokyo' })).to.have.length(1);
  });

  it('M2: two concurrent uploads of the same number store it once', async () => {
    const [a, b] = await Promise.all([
      insertMembers(t.db, campaign, [m(['5000001']), m(['5000002'])], now),
      insertMembers(t.db, campaign, [m(['5000003']), m(['5000001'])], now),
    ]);
    expect([a.kind, b.kind].sort()).to.deep.equal(['duplicates', 'inserted']);
    const dup = a.kind === 'duplicates' ? a : b;
    if (dup.kind === 'duplicates') expect(dup.items[0]?.number).to.equal('5000001');
    expect(await t.db('communications').where({ campaign_id: campaign, number: '5000001' })).to.have.length(1);
  });
});
