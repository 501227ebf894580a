import { expect } from 'chai';
import { Writable } from 'node:stream';
import { streamAttempts } from '../../src/adapters/mysql/attempt-export-store.js';
import type { ExportRow } from '../../src/app/reports/attempt-export.js';
import { writeExport } from '../../src/app/reports/export-writer.js';
import { seeder } from '../helpers/seed.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';

/*
 * Q1: bounded memory on a large range, with the real driver and server: while the output takes
 * nothing, the rows read from MariaDB stop at the driver's window plus one chunk, whatever the
 * range holds; the query then ends when the output goes away (the bench measures RSS over 1M).
 */
describe('Q1: attempt export memory on a large range (MariaDB)', function () {
  this.timeout(120_000);
  const ROWS = 30_000;
  let tdb: TestDatabase;
  let campaignId = 0;

  before(async () => {
    tdb = await createTestDatabase('export_memory');
    const seed = seeder(tdb.db);
    campaignId = await seed.campaign();
    const [m] = (await seed.members(campaignId, 1)) as [number];
    await tdb.db.raw(`INSERT INTO attempts (campaign_id, member_id, communication_id, number, state, created_at, ended_at, hangup_cause, talk_sec, outcome)
      SELECT ?, ?, 1, '0501112233', 'done', TIMESTAMPADD(SECOND, seq, '2026-12-01'), TIMESTAMPADD(SECOND, seq + 30, '2026-12-01'),
        'NO_ANSWER', 0, 'retry' FROM seq_1_to_${ROWS}`, [campaignId, m]);
  });
  after(async () => { await tdb?.drop(); });

  it('Q1: a stalled output stops the reading from the server after a bounded number of rows; its going away ends the export', async () => {
    let pulled = 0;
    async function* counted(rows: AsyncIterable<ExportRow>) {
      for await (const r of rows) {
        pulled++;
        yield r;
      }
    }
    let release: (() => void) | undefined;
    const out = new Writable({ highWaterMark: 16 * 1024, write(_c, _e, cb) { release = cb; } });
    const done = writeExport(counted(streamAttempts(tdb.db, { campaignId })), { format: 'csv', separator: ',' }, out);
    while (!out.writableNeedDrain) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 500));
    const stalledAt = pulled;
    await new Promise((r) => setTimeout(r, 500));
    expect(pulled, 'no row read while the output is full').to.equal(stalledAt);
    expect(pulled, 'rows read before the stall').to.be.below(ROWS / 10);
    out.destroy();
    release?.();
    expect(await done).to.deep.equal({ rows: stalledAt, complete: false });
    // The connection went back usable (or was replaced): the pool answers.
    const [[n]] = await tdb.db.raw('SELECT COUNT(*) AS n FROM attempts');
    expect(Number(n.n)).to.equal(ROWS);
  });
});
