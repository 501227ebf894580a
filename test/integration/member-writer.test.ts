import { expect } from 'chai';
import type { Knex } from 'knex';
import { openDatabase } from '../../src/adapters/mysql/database.js';
import { beginMemberImport } from '../../src/adapters/mysql/member-import-session.js';
import { insertMembers } from '../../src/adapters/mysql/member-writer.js';
import type { MemberImportSession } from '../../src/app/members/member-batch.js';
import { MemberInput, type ParsedMember } from '../../src/contract/member-input.js';
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

async function begin(db: Knex, campaignId: number, now: Date): Promise<MemberImportSession> {
  const b = await beginMemberImport(db, campaignId, now);
  if (b.kind !== 'begun') throw new Error(`import did not begin: ${b.kind}`);
  return b.session;
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

  it('M2: the import session rejects repeated and existing numbers by line and stores the rest at commit', async () => {
    const session = await begin(t.db, campaign, now);
    const r = await session.insertBatch([
      { line: 2, member: m(['4000001']) },
      { line: 3, member: m(['1000002']) },
      { line: 4, member: m(['4000002', '4000001']) },
      { line: 5, member: m(['4000003'], { timezone: 'Asia/Tokyo' }) },
    ]);
    expect(await t.db('communications').where({ campaign_id: campaign, number: '4000001' })).to.have.length(0);
    expect(await session.commit()).to.equal('committed');
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
  it('S2: a rolled-back import leaves no member, number or zone', async () => {
    const other = await seedCampaign(t.db, 'rollback');
    const session = await begin(t.db, other, now);
    await session.insertBatch([{ line: 1, member: m(['6000001'], { timezone: 'Pacific/Fiji' }) }]);
    await session.insertBatch([{ line: 2, member: m(['6000002']) }]);
    await session.rollback();
    await session.rollback();
    expect(await t.db('members').where({ campaign_id: other })).to.have.length(0);
    expect(await t.db('communications').where({ campaign_id: other })).to.have.length(0);
    expect(await t.db('campaign_zones').where({ campaign_id: other })).to.have.length(0);
  });

  it('C2: an import in progress does not hold the campaign row, which every claim locks FOR UPDATE', async () => {
    const running = await seedCampaign(t.db, 'running');
    const session = await begin(t.db, running, now);
    try {
      await session.insertBatch([{ line: 1, member: m(['6100001'], { timezone: 'Europe/Kyiv' }) }]);
      const locked = await t.db.transaction(async (trx) => {
        await trx.raw('SET SESSION innodb_lock_wait_timeout = 1');
        try {
          return await trx('campaigns').where('id', running).forUpdate().first('id');
        } finally {
          await trx.raw('SET SESSION innodb_lock_wait_timeout = DEFAULT');
        }
      });
      expect(locked).to.deep.equal({ id: running });
    } finally {
      await session.rollback();
    }
  });

  it('S2: a campaign deleted before the import commits gets nothing stored', async () => {
    const doomed = await seedCampaign(t.db, 'doomed');
    const session = await begin(t.db, doomed, now);
    try {
      await t.db('campaigns').where('id', doomed).del();
      await session.insertBatch([{ line: 1, member: m(['6200001']) }]);
      expect(await session.commit()).to.equal('campaign-gone');
    } finally {
      await session.rollback();
    }
    expect(await t.db('members').where({ campaign_id: doomed })).to.have.length(0);
    expect(await t.db('communications').where({ campaign_id: doomed })).to.have.length(0);
  });

  it('S2: the import connection goes back to the pool with foreign key checks on and its lock released', async () => {
    const one = openDatabase(t.url, 1);
    try {
      const session = await begin(one, campaign, now);
      await session.rollback();
      const [rows] = (await one.raw('SELECT @@SESSION.foreign_key_checks AS fk')) as [{ fk: number }[]];
      expect(Number(rows[0]!.fk)).to.equal(1);
      const again = await begin(one, campaign, now);
      expect(await again.commit()).to.equal('committed');
    } finally {
      await one.destroy();
    }
  });
});
