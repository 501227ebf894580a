import { expect } from 'chai';
import { Writable } from 'node:stream';
import { EXPORT_COLUMNS, exportLine, type ExportRow } from '../../src/app/reports/attempt-export.js';
import { writeExport } from '../../src/app/reports/export-writer.js';

function row(i: number): ExportRow {
  return EXPORT_COLUMNS.map((c) => (c === 'attempt_id' ? i : c === 'created_at' ? '2026-12-01 09:00:00.000' : `${c}-${i}`));
}

describe('Q1: export writer', () => {
  it('Q1: reads no further rows while the output is full (bounded memory whatever the row count)', async () => {
    let pulled = 0;
    async function* rows() {
      for (let i = 1; i <= 1_000_000; i++) {
        pulled++;
        yield row(i);
      }
    }
    let release: (() => void) | undefined;
    // An output that takes one chunk and then nothing until released: a client that stopped reading.
    const out = new Writable({
      highWaterMark: 16 * 1024,
      write(_chunk, _enc, cb) { release = cb; },
    });
    const done = writeExport(rows(), { format: 'csv', separator: ',' }, out);
    while (!out.writableNeedDrain) await new Promise((r) => setImmediate(r));
    const stalledAt = pulled;
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(pulled).to.equal(stalledAt);
    expect(pulled).to.be.below(2000);
    // The client goes away: the writer stops and says so.
    out.destroy();
    release?.();
    const r = await done;
    expect(r.complete).to.equal(false);
    expect(pulled).to.equal(stalledAt);
  });

  it('Q1: a CSV cell with the separator, a quote or a line break is quoted, its quotes doubled', () => {
    const r = row(1).slice() as Array<string | number | null>;
    r[EXPORT_COLUMNS.indexOf('member_name')] = 'a;b "c"\nd';
    r[EXPORT_COLUMNS.indexOf('comment')] = 'x,y';
    const semi = exportLine(r, { format: 'csv', separator: ';' });
    expect(semi).to.contain(';"a;b ""c""\nd";');
    expect(semi).to.contain(';x,y;');
    const comma = exportLine(r, { format: 'csv', separator: ',' });
    expect(comma).to.contain(',"x,y",');
    expect(comma).to.contain(',"a;b ""c""\nd",');
    expect(comma).to.contain(',2026-12-01T09:00:00.000Z,');
  });

  it('Q1: the bytes written are every line in order as UTF-8, a line longer than a chunk and repeated cells included', async () => {
    const rows: ExportRow[] = [];
    for (let i = 1; i <= 3000; i++) {
      const r = row(i).slice() as Array<string | number | null>;
      r[EXPORT_COLUMNS.indexOf('campaign')] = 'Кампанія "Зима"; тест'; // the same in every row
      r[EXPORT_COLUMNS.indexOf('member_name')] = i % 2 ? 'Іваненко; "Петро"' : 'Ольга';
      r[EXPORT_COLUMNS.indexOf('result_status')] = null;
      r[EXPORT_COLUMNS.indexOf('result_success')] = 'true';
      r[EXPORT_COLUMNS.indexOf('variables')] = JSON.stringify(i === 1500 ? { note: 'Київ; "так"\n'.repeat(4000) } : { i });
      rows.push(r);
    }
    async function* source() { yield* rows; }
    for (const style of [{ format: 'csv', separator: ';' }, { format: 'ndjson', separator: ',' }] as const) {
      const parts: Buffer[] = [];
      const out = new Writable({ write(c, _e, cb) { parts.push(Buffer.from(c)); cb(); } });
      const r = await writeExport(source(), style, out);
      expect(r).to.deep.equal({ rows: 3000, complete: true });
      const expected = (style.format === 'csv' ? 'sep=;\r\n' + EXPORT_COLUMNS.join(';') + '\r\n' : '')
        + rows.map((x) => exportLine(x, style)).join('');
      expect(Buffer.concat(parts).toString('utf8') === expected, style.format).to.equal(true);
      expect(parts.length, 'chunks, not a write per row').to.be.below(100);
    }
    const ndjson = exportLine(rows[1]!, { format: 'ndjson', separator: ',' });
    expect(JSON.parse(ndjson)).to.include({ campaign: 'Кампанія "Зима"; тест', member_name: 'Ольга', attempt_id: 2 });
  });
});
