/*
 * C2, C3: the claim's campaign and line-group row locks, under a race that does not depend on luck.
 *
 * Claimers merely started together do not show a missing lock reliably: their reservations then
 * deadlock on the campaign row (each insert's foreign-key check shares it, each `dialled` count
 * wants it alone), and the deadlock victims retry and see the others' calls. The lost update
 * needs one claim to count the live calls while another has counted but not committed. So each
 * round forces exactly that schedule:
 *   1. a barrier transaction (REPEATABLE READ) holds the gap of `attempts.active_member` above the
 *      highest live member, so the first claim, which takes the member with the highest id,
 *      stops at its attempt insert, after it has counted the live calls (and before the insert's
 *      foreign-key check, so it shares no lock on the campaign row with the others);
 *   2. once it waits there, the other claims start; their members have lower ids, so nothing of
 *      the barrier stops them: with the lock they wait behind the first claim, without it they
 *      count one line left and take it;
 *   3. once each of them is done or waiting, the barrier ends.
 * With the locks exactly one claim takes the last line; without the campaign lock (one campaign)
 * or the line-group lock (two campaigns, one group), two or more do, in every round.
 */
import { claimBest, type BestClaimInput } from '../helpers/claim-best.js';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { openDatabase } from '../../src/adapters/mysql/database.js';
import { MysqlDispatchStore } from '../../src/adapters/mysql/claim-store.js';
import type { ClaimResult } from '../../src/app/ports/dispatch-store.js';
import { seeder } from '../helpers/seed.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';

/** Claims racing the first one in each round. */
const RIVALS = 6;
const ROUNDS = 5;

describe('claim store: a claim that has counted but not committed, and rivals counting meanwhile (C2, C3)', function () {
  this.timeout(180_000);
  let t: TestDatabase;
  let pool: Knex;
  let store: MysqlDispatchStore;
  let seed: ReturnType<typeof seeder>;
  before(async () => {
    t = await createTestDatabase('claim_race');
    // A connection for every claim, so none waits for the pool instead of the database.
    pool = openDatabase(t.url, RIVALS + 3);
    store = new MysqlDispatchStore(pool);
    seed = seeder(t.db);
  });
  after(async () => {
    await pool?.destroy();
    await t?.drop();
  });

  const input = (campaignId: number, lineGroupId: number | null, slot = 0): BestClaimInput => ({
    now: new Date(), instanceId: 'race', leaseUntil: new Date(Date.now() + 60_000), upNodes: ['fs1'],
    campaigns: [{ id: campaignId, lineGroupId, calendarZoneOpen: true, openZones: [] }], excludeAgentIds: [], slot,
  });

  /** The statements of this test's database that wait for a row lock. */
  async function lockWaits(): Promise<string[]> {
    const [rows] = await t.db.raw(
      `SELECT x.trx_query AS q FROM information_schema.INNODB_TRX x JOIN information_schema.PROCESSLIST p ON p.ID = x.trx_mysql_thread_id
        WHERE p.DB = DATABASE() AND x.trx_state = 'LOCK WAIT'`);
    return rows.map((r: { q: string | null }) => r.q ?? '');
  }

  /**
   * Waits (bounded) until `done`. InnoDB refreshes its INNODB_TRX view only when nobody read it
   * for 100 ms, so every look comes longer than that after the previous one.
   */
  async function until(what: string, done: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      await new Promise((r) => setTimeout(r, 150));
      if (await done()) return;
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    }
  }

  /** The schedule of the file comment: `first` stopped after its count, the rivals run, then all finish. */
  async function race(first: BestClaimInput, rivals: BestClaimInput[], firstMemberId: number): Promise<{ first: ClaimResult; rivals: ClaimResult[] }> {
    const barrier = await t.db.transaction({ isolationLevel: 'repeatable read' });
    try {
      await barrier('attempts').where('active_member', firstMemberId).forUpdate().select('id');
      let firstDone = false;
      const firstClaim = claimBest(store, first).finally(() => { firstDone = true; });
      await until('the first claim waits at its insert', async () => {
        const waits = await lockWaits();
        return firstDone || (waits.length === 1 && waits[0]!.startsWith('insert into `attempts`'));
      });
      expect(firstDone, 'the first claim went past the barrier').to.equal(false);
      let rivalsDone = 0;
      const rivalClaims = rivals.map((i) => claimBest(store, i).finally(() => { rivalsDone++; }));
      await until('every rival is done or waiting', async () => rivalsDone + (await lockWaits()).length === rivals.length + 1);
      await barrier.commit();
      return { first: await firstClaim, rivals: await Promise.all(rivalClaims) };
    } finally {
      if (!barrier.isCompleted()) await barrier.rollback();
    }
  }

  const claimedCount = (r: { first: ClaimResult; rivals: ClaimResult[] }) => [r.first, ...r.rivals].filter((x) => x.kind === 'claimed').length;
  const live = async (column: 'live_campaign' | 'live_line_group', id: number) =>
    Number((await t.db('attempts').where(column, id).count({ n: '*' }).first())!.n);

  it(`C2: one call left of a campaign's limit, one claim counted and not committed, ${RIVALS} rivals: exactly one takes it (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const c = await seed.campaign({ call_limit: 2 });
      await seed.agents(RIVALS + 2, [c]);
      // Ids ascending: the rivals' members, the live call's, then the first claim's (M3 order by priority).
      const ids = await seed.members(c, RIVALS + 2, { priority: (i) => (i < RIVALS ? 1 : i === RIVALS ? 3 : 2) });
      const prior = await claimBest(store, input(c, null));
      expect(prior.kind === 'claimed' && prior.attempt.memberId).to.equal(ids[RIVALS]);
      const r = await race(input(c, null), [...Array(RIVALS).keys()].map((i) => input(c, null, i + 1)), ids[RIVALS + 1]!);
      expect(r.first.kind === 'claimed' && r.first.attempt.memberId, `round ${round}`).to.equal(ids[RIVALS + 1]);
      expect(claimedCount(r), `round ${round}`).to.equal(1);
      expect(await live('live_campaign', c), `round ${round}`).to.equal(2);
    }
  });

  it(`C3: one line left of a group two campaigns share, one claim counted and not committed, ${RIVALS} rivals of the other campaign: exactly one takes it (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const lg = await seed.lineGroup(2);
      const a = await seed.campaign({ call_limit: 10, line_group_id: lg });
      const b = await seed.campaign({ call_limit: 10, line_group_id: lg });
      await seed.agents(2, [a]);
      await seed.agents(RIVALS, [b]);
      // Ids ascending: the rivals' members (campaign b), the live call's, then the first claim's (campaign a).
      await seed.members(b, RIVALS);
      const ids = await seed.members(a, 2, { priority: (i) => (i === 0 ? 3 : 2) });
      const prior = await claimBest(store, input(a, lg));
      expect(prior.kind === 'claimed' && prior.attempt.memberId).to.equal(ids[0]);
      const r = await race(input(a, lg), [...Array(RIVALS).keys()].map((i) => input(b, lg, i)), ids[1]!);
      expect(r.first.kind === 'claimed' && r.first.attempt.memberId, `round ${round}`).to.equal(ids[1]);
      expect(claimedCount(r), `round ${round}`).to.equal(1);
      expect(await live('live_line_group', lg), `round ${round}`).to.equal(2);
    }
  });
});
