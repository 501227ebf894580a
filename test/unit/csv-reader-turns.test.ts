import { Readable } from 'node:stream';
import { expect } from 'chai';
import { parseColumns } from '../../src/app/members/csv-columns.js';
import { readCsvInto } from '../../src/app/members/csv-reader.js';

describe('csv-reader: an import leaves the event loop turning (S5)', () => {
  it('S5: one chunk of 1 MB of rows is parsed over many turns of the event loop, not in one go', async () => {
    const cols = parseColumns(['name', 'number']);
    if (cols.kind !== 'ok') throw new Error(cols.message);
    const rows = Array.from({ length: 40_000 }, (_, i) => `Member ${i},7${String(i).padStart(10, '0')}\n`).join('');
    expect(rows.length).to.be.above(900_000);
    // Counts turns of the event loop (each setImmediate runs once per turn) while the file is read.
    let turns = 0;
    let reading = true;
    const tick = (): void => {
      turns++;
      if (reading) setImmediate(tick);
    };
    setImmediate(tick);
    // The store answers at once: only the parsing and checking of rows are left to take turns.
    const out = await readCsvInto(Readable.from([Buffer.from(rows)]), { charset: 'utf-8', separator: ',', skipHeader: false, columns: cols.columns },
      async (batch) => ({ inserted: batch.length, rejected: [] }));
    reading = false;
    expect(out).to.deep.equal({ kind: 'read', report: { inserted: 40_000, rejected_count: 0, rejected: [] } });
    // At most ~1 K characters are parsed per turn; in one go the whole chunk was parsed in one or two.
    expect(turns).to.be.above(500);
  });

  it('M6: characters beyond the BMP (two UTF-16 units) are not cut in two where the text is sliced', async () => {
    const cols = parseColumns(['name', 'number']);
    if (cols.kind !== 'ok') throw new Error(cols.message);
    // Rows of odd lengths, so emoji fall on every offset of the slices.
    const names = Array.from({ length: 3000 }, (_, i) => `${'x'.repeat(i % 7)}😀${i}🎉`);
    const csv = names.map((n, i) => `${n},7${String(i).padStart(10, '0')}\n`).join('');
    const stored: string[] = [];
    const out = await readCsvInto(Readable.from([Buffer.from(csv)]), { charset: 'utf-8', separator: ',', skipHeader: false, columns: cols.columns },
      async (batch) => {
        stored.push(...batch.map((r) => r.member.name ?? ''));
        return { inserted: batch.length, rejected: [] };
      });
    expect(out.kind).to.equal('read');
    expect(stored).to.deep.equal(names);
  });
});
