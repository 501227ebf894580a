// M4 (issue 14): the batch expiry is a plan applied by one statement that writes each member only
// at the version read; a member changed between the read and the write is read and planned again.
import { expect } from 'chai';
import { MysqlEngineStore } from '../../src/adapters/mysql/engine-store.js';
import { expireMembers } from '../../src/app/engine/member-expiry.js';
import { planExpiry } from '../../src/app/engine/expiry-plan.js';
import type { EngineStore, ExpiryPlan } from '../../src/app/ports/engine-store.js';
import { seeder } from '../helpers/seed.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';

describe('member expiry: a plan applied in one guarded statement (M4, C7, S3, issue 14)', () => {
  let t: TestDatabase;
  let store: MysqlEngineStore;
  let seed: ReturnType<typeof seeder>;
  beforeEach(async () => { t = await createTestDatabase('member_expiry'); store = new MysqlEngineStore(t.db); seed = seeder(t.db); });
  afterEach(async () => { await t?.drop(); });

  const past = () => new Date(Date.now() - 60_000);

  /** A member waiting for its result (C7) with its waiting attempt, as a settle leaves them. */
  async function waiting(campaignId: number, memberId: number): Promise<number> {
    const c = await t.db('communications').where('member_id', memberId).first('id', 'number');
    await t.db('members').where('id', memberId).update({ state: 'waiting_result', version: t.db.raw('version + 1') });
    const [id] = await t.db('attempts').insert({ campaign_id: campaignId, member_id: memberId, communication_id: c.id, number: c.number,
      state: 'waiting_result', created_at: new Date(), ended_at: new Date(), active_member: memberId, outcome: 'waiting_result' });
    return id!;
  }

  const member = (id: number) => t.db('members').where('id', id).first('state', 'result', 'ended_at', 'tries', 'version');

  it('M4, C7: ready and waiting members past their instant end MEMBER_EXPIRED, the waiting attempt with them; the others stay', async () => {
    const c = await seed.campaign();
    const [ready, wait] = await seed.members(c, 2, { expireAt: past() });
    const [later] = await seed.members(c, 1, { expireAt: new Date(Date.now() + 3_600_000) });
    const [dialing] = await seed.members(c, 1, { expireAt: past() });
    await t.db('members').where('id', dialing!).update({ state: 'dialing' });
    const attemptId = await waiting(c, wait!);
    const sent: string[] = [];
    const count = (q: { sql: string }) => sent.push(q.sql);
    t.db.on('query', count);
    const touched = await expireMembers(store, new Date(), 1000).finally(() => t.db.off('query', count));
    expect(sent.map((q) => q.trim().split(/\s/)[0]), 'one read, one write').to.deep.equal(['SELECT', 'UPDATE']);
    expect([...touched]).to.deep.equal([c]);
    for (const id of [ready!, wait!]) expect(await member(id)).to.deep.include({ state: 'done', result: 'MEMBER_EXPIRED', tries: 0 });
    expect((await member(ready!)).ended_at).to.be.instanceOf(Date);
    expect(await t.db('attempts').where('id', attemptId).first('state', 'outcome', 'active_member'))
      .to.deep.equal({ state: 'done', outcome: 'expired', active_member: null });
    expect(await member(later!)).to.deep.include({ state: 'ready', result: null });
    expect(await member(dialing!)).to.deep.include({ state: 'dialing', result: null });
  });

  it('S3: a member changed since the read is not written by the stale plan; the others are', async () => {
    const c = await seed.campaign();
    const [a, b] = await seed.members(c, 2, { expireAt: past() });
    const plan = planExpiry(await store.expiryCandidates(new Date(), 10), new Date());
    // Claimed into a call between the read and the write: its settle decides it now (M4 there).
    await t.db('members').where('id', a!).update({ state: 'dialing', version: t.db.raw('version + 1') });
    const before = await member(a!);
    expect(await store.applyExpiry(plan, new Date())).to.equal(false);
    expect(await member(a!), 'the moved member untouched').to.deep.equal(before);
    expect(await member(b!)).to.deep.include({ state: 'done', result: 'MEMBER_EXPIRED' });
  });

  it('S3: a member edited between the read and the write (version moved, still due) is read again and expired in the next round', async () => {
    const c = await seed.campaign();
    const [a, b] = await seed.members(c, 2, { expireAt: past() });
    let raced = false;
    const applies: boolean[] = [];
    const racy: Pick<EngineStore, 'expiryCandidates' | 'applyExpiry'> = {
      expiryCandidates: (now, batch) => store.expiryCandidates(now, batch),
      async applyExpiry(plan: ExpiryPlan, now: Date) {
        if (!raced) {
          raced = true;
          await t.db('members').where('id', a!).update({ priority: 5, version: t.db.raw('version + 1') });
        }
        const ok = await store.applyExpiry(plan, now);
        applies.push(ok);
        return ok;
      },
    };
    await expireMembers(racy, new Date(), 1000);
    expect(applies, 'the first plan partly voided, the second written whole').to.deep.equal([false, true]);
    for (const id of [a!, b!]) expect(await member(id)).to.deep.include({ state: 'done', result: 'MEMBER_EXPIRED' });
    expect((await t.db('members').where('id', a!).first('priority')).priority, 'the edit kept').to.equal(5);
  });

  it('M4: more members than a batch are all expired, batch after batch', async () => {
    const c = await seed.campaign();
    const ids = await seed.members(c, 7, { expireAt: past() });
    await expireMembers(store, new Date(), 3);
    const left = await t.db('members').whereIn('id', ids).whereNot('state', 'done').count({ n: '*' }).first();
    expect(Number(left?.n)).to.equal(0);
  });
});
