import { expect } from 'chai';
import { DirectSql } from '../../src/adapters/mysql/direct-sql.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';

/*
 * Issue 14: the hot path's transactions send BEGIN with their first statement and COMMIT with
 * their last ones (one round trip each). What must hold is a transaction's meaning: all or
 * nothing, on one connection, with each statement's own result.
 */
describe('issue 14: DirectSql transactions in fewer round trips (S3: all or nothing)', function () {
  this.timeout(60_000);
  let t: TestDatabase;
  let sql: DirectSql;
  const sent: string[] = [];
  before(async () => {
    t = await createTestDatabase('direct_sql');
    sql = new DirectSql(t.db);
    t.db.on('query', (q: { sql: string }) => sent.push(q.sql));
  });
  after(() => t.drop());
  beforeEach(() => { sent.length = 0; });

  const numbers = async () => (await t.db('dnc').orderBy('number').pluck('number')) as string[];
  const insert = ['INSERT INTO dnc (campaign_id, number, created_at) VALUES (NULL, ?, NOW())'] as const;

  it('BEGIN goes with the first statement and COMMIT with the last ones; results come back per statement', async () => {
    const out = await sql.transaction(async (s) => {
      const first = await s<{ insertId: number }>(insert[0], ['100']);
      const rows = await s<{ n: number }[]>('SELECT COUNT(*) AS n FROM dnc WHERE number = ?', ['100']);
      const [second, updated] = await s.commitWith<[{ insertId: number }, { affectedRows: number }]>([
        [insert[0], ['101']],
        ['UPDATE dnc SET number = ? WHERE id = LAST_INSERT_ID()', ['102']],
      ]);
      return { first: first.insertId, n: Number(rows[0]!.n), second: second.insertId, updated: updated.affectedRows };
    });
    expect(out.first).to.be.a('number').above(0);
    expect(out.n).to.equal(1);
    expect(out.second).to.equal(out.first + 1);
    expect(out.updated).to.equal(1);
    expect(sent.length, sent.join(' | ')).to.equal(3);
    expect(sent[0]).to.match(/^BEGIN;/);
    expect(sent[2]).to.match(/;\nCOMMIT$/);
    expect(await numbers()).to.deep.equal(['100', '102']);
    await t.db('dnc').del();
  });

  it('a failure inside the last packet undoes the whole transaction, its earlier statements included', async () => {
    await t.db('dnc').insert({ campaign_id: null, number: '200', created_at: new Date() });
    const err = await sql.transaction(async (s) => {
      await s(insert[0], ['201']);
      // The second INSERT fails (no such table): the COMMIT after it never runs.
      await s.commitWith([[insert[0], ['202']], ['INSERT INTO no_such_table VALUES (?)', [1]]]);
    }).then(() => null, (e: Error) => e);
    expect(err?.message).to.match(/no_such_table/);
    expect(await numbers()).to.deep.equal(['200']);
    // The connection went back to the pool usable, outside any transaction.
    expect(await sql.run<{ n: number }[]>('SELECT @@in_transaction AS n')).to.deep.equal([{ n: 0 }]);
    await t.db('dnc').del();
  });

  it('a failure of the code between statements rolls back; a transaction that sent nothing sends nothing', async () => {
    const err = await sql.transaction(async (s) => {
      await s(insert[0], ['300']);
      throw new Error('changed my mind');
    }).then(() => null, (e: Error) => e);
    expect(err?.message).to.equal('changed my mind');
    expect(sent.at(-1)).to.equal('ROLLBACK');
    expect(await numbers()).to.deep.equal([]);
    sent.length = 0;
    expect(await sql.transaction(async () => 'nothing')).to.equal('nothing');
    expect(sent).to.deep.equal([]);
  });

  it('without commitWith the transaction commits on its own after the last statement', async () => {
    await sql.transaction(async (s) => { await s(insert[0], ['400']); });
    expect(sent).to.have.length(2);
    expect(sent[1]).to.equal('COMMIT');
    expect(await numbers()).to.deep.equal(['400']);
    const late = await sql.transaction(async (s) => {
      await s.commitWith([[insert[0], ['401']]]);
      await s('SELECT 1');
    }).then(() => null, (e: Error) => e);
    expect(late?.message).to.match(/after the transaction committed/);
  });
});
