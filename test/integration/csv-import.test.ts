import { Readable } from 'node:stream';
import { expect } from 'chai';
import iconv from 'iconv-lite';
import { beginMemberImport } from '../../src/adapters/mysql/member-import-session.js';
import { parseColumns, type CsvColumn } from '../../src/app/members/csv-columns.js';
import { importMembersCsv, type CsvImportOutcome } from '../../src/app/members/csv-import.js';
import { CSV_LIMITS } from '../../src/app/members/csv-limits.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';
import { countRows, seedCampaign } from '../helpers/member-fixtures.js';

const now = new Date('2026-11-25T12:00:00.000Z');

function cols(spec: string): CsvColumn[] {
  const r = parseColumns(spec.split(','));
  if (r.kind !== 'ok') throw new Error(r.message);
  return r.columns;
}

/** Sends the bytes in small chunks so records and multi-byte characters straddle chunk borders. */
function chunked(buf: Buffer, size = 7): Readable {
  return Readable.from((function* () {
    for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
  })());
}

describe('csv-import', function () {
  this.timeout(300_000);
  let t: TestDatabase;

  before(async () => {
    t = await createTestDatabase('csv_import');
  });
  after(async () => t.drop());

  async function run(
    campaign: number,
    body: string | Buffer,
    opts: { columns?: string; charset?: string; separator?: string; skipHeader?: boolean; batchRows?: number; maxRejected?: number } = {},
  ): Promise<CsvImportOutcome> {
    const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    return importMembersCsv(
      chunked(buf),
      { charset: opts.charset ?? 'utf-8', separator: opts.separator ?? ',', skipHeader: opts.skipHeader ?? false, columns: cols(opts.columns ?? 'name,number') },
      {
        begin: () => beginMemberImport(t.db, campaign, now),
        batchRows: opts.batchRows ?? 1000,
        maxRejected: opts.maxRejected ?? 1000,
      },
    );
  }

  it('M6: 100k generated rows go through the real path; bad rows are reported by exact line', async () => {
    const campaign = await seedCampaign(t.db, 'big');
    const lines: string[] = ['name;phone;debt'];
    const bad = new Set([2, 5_001, 50_000, 100_001]);
    for (let line = 2; line <= 100_001; line++) {
      const number = bad.has(line) ? 'x12' : `7${String(line).padStart(9, '0')}`;
      lines.push(`Member ${line};${number};${line % 1000}`);
    }
    const progress: number[] = [];
    const out = await importMembersCsv(
      Readable.from([Buffer.from(lines.join('\n') + '\n')]),
      { charset: 'utf-8', separator: ';', skipHeader: true, columns: cols('name,number,var:debt') },
      { begin: () => beginMemberImport(t.db, campaign, now), onProgress: (p) => progress.push(p.rows) },
    );
    expect(out.kind).to.equal('done');
    if (out.kind !== 'done') return;
    expect(out.report.inserted).to.equal(100_000 - bad.size);
    expect(out.report.rejected_count).to.equal(bad.size);
    expect(out.report.rejected.map((r) => r.line)).to.deep.equal([...bad]);
    expect(out.report.rejected[0]!.reason).to.equal('column 2 (number): must be 3..32 characters of 0-9 + * #');
    expect(await countRows(t.db, 'members', { campaign_id: campaign })).to.equal(100_000 - bad.size);
    expect(await countRows(t.db, 'communications', { campaign_id: campaign })).to.equal(100_000 - bad.size);
    const m = await t.db('members as m').join('communications as c', 'c.member_id', 'm.id')
      .where({ 'c.campaign_id': campaign, 'c.number': '7000077777' }).first('m.name', 'm.variables', 'm.state');
    expect(m.name).to.equal('Member 77777');
    expect(m.state).to.equal('ready');
    expect(typeof m.variables === 'string' ? JSON.parse(m.variables) : m.variables).to.deep.equal({ debt: '777' });
    expect(progress.at(-1)).to.equal(100_000);
  });

  it('M6: windows-1251 names are decoded right', async () => {
    const campaign = await seedCampaign(t.db, 'cp1251');
    const body = iconv.encode('Іван Петренко,380441111111\nОлена Ковальчук,380442222222\n', 'windows-1251');
    const out = await run(campaign, body, { charset: 'windows-1251' });
    expect(out).to.deep.equal({ kind: 'done', report: { inserted: 2, rejected_count: 0, rejected: [] } });
    const names = (await t.db('members').where({ campaign_id: campaign }).orderBy('id')).map((r) => r.name);
    expect(names).to.deep.equal(['Іван Петренко', 'Олена Ковальчук']);
  });

  it('S2: bytes that are not valid UTF-8 refuse the whole file, naming the first bad line; nothing is stored', async () => {
    const campaign = await seedCampaign(t.db, 'badutf8');
    const body = Buffer.concat([
      Buffer.from('Ann,5550001\nBob,5550003\n'),
      iconv.encode('Іван,5550002\n', 'windows-1251'),
      Buffer.from('Cy,5550004\n'),
    ]);
    const out = await run(campaign, body, { batchRows: 1 });
    expect(out).to.deep.equal({ kind: 'wrong-charset', line: 3, reason: 'bytes that are not valid utf-8' });
    expect(await countRows(t.db, 'members', { campaign_id: campaign })).to.equal(0);
  });

  it('S2: a UTF-8 file named windows-1251 is refused at the end (it would be stored as mojibake); nothing is stored', async () => {
    const campaign = await seedCampaign(t.db, 'utf8as1251');
    const rows = Array.from({ length: 3000 }, (_, i) => `Member ${i},${5570000 + i}`);
    rows.splice(2000, 0, 'Іван,5569999');
    const out = await run(campaign, `${rows.join('\n')}\n`, { charset: 'windows-1251', batchRows: 500 });
    expect(out).to.deep.equal({
      kind: 'wrong-charset',
      line: 2001,
      reason: 'the file is UTF-8, not windows-1251: every byte is valid UTF-8 and line 2001 has characters beyond ASCII',
    });
    expect(await countRows(t.db, 'members', { campaign_id: campaign })).to.equal(0);
    // Plain ASCII is the same in both, and a U+FFFD written in a UTF-8 file is a character like any other.
    expect((await run(campaign, 'Ann,5550005\n', { charset: 'windows-1251' })).kind).to.equal('done');
    expect((await run(campaign, 'Bo\uFFFDb,5550006\n')).kind).to.equal('done');
    expect(await countRows(t.db, 'members', { campaign_id: campaign })).to.equal(2);
  });

  it('M6: a row with the wrong number of columns is rejected by line, the rest imported', async () => {
    const campaign = await seedCampaign(t.db, 'width');
    const out = await run(campaign, 'Ann,5550011\nBob,5550012,extra\nCy\nDi,5550014\n');
    expect(out).to.deep.equal({
      kind: 'done',
      report: {
        inserted: 2,
        rejected_count: 2,
        rejected: [
          { line: 2, reason: 'expected 2 columns, found 3' },
          { line: 3, reason: 'expected 2 columns, found 1' },
        ],
      },
    });
  });

  it('S2: a stray quote refuses the file at its line; quoted fields with separators and line breaks are fine', async () => {
    const campaign = await seedCampaign(t.db, 'quotes');
    const out = await run(campaign, '"Ann, Jr",5550021\n"multi\nline",5550023\nB"ob,5550022\nDi,5550024\n', { batchRows: 1 });
    expect(out).to.deep.equal({ kind: 'broken-csv', line: 4, reason: 'unbalanced quotes: a quote inside a field that does not start with one' });
    expect(await countRows(t.db, 'members', { campaign_id: campaign })).to.equal(0);
    expect(await run(campaign, '"Ann, Jr",5550021\n"multi\nline",5550023\n')).to.deep.equal({ kind: 'done', report: { inserted: 2, rejected_count: 0, rejected: [] } });
    const names = (await t.db('members').where({ campaign_id: campaign }).orderBy('id')).map((r) => r.name);
    expect(names).to.deep.equal(['Ann, Jr', 'multi\nline']);
  });

  it('S2: a quote open at the end of the file refuses it, naming the line where the field starts', async () => {
    const campaign = await seedCampaign(t.db, 'openeof');
    const out = await run(campaign, 'Ann,5550026\nDi,5550024\n"Ed,5550025\nFo,5550027\n', { batchRows: 1 });
    expect(out).to.deep.equal({
      kind: 'broken-csv',
      line: 3,
      reason: 'unbalanced quotes: a quoted field that opens on this line is not closed before the end of the file',
    });
    expect(await countRows(t.db, 'members', { campaign_id: campaign })).to.equal(0);
  });

  it('S2: a closing quote followed by text refuses the file at its line; rows before it are not kept', async () => {
    const campaign = await seedCampaign(t.db, 'stop');
    const out = await run(campaign, 'Ann,5550031\nBob,5550032\n"Cy"x,5550033\nDi,5550034\n', { batchRows: 1 });
    expect(out).to.deep.equal({
      kind: 'broken-csv',
      line: 3,
      reason: 'unbalanced quotes: a closing quote is followed by a character other than the separator',
    });
    expect(await countRows(t.db, 'members', { campaign_id: campaign })).to.equal(0);
    expect(await countRows(t.db, 'communications', { campaign_id: campaign })).to.equal(0);
  });

  it('M2: duplicates inside the file (same and later batches) and against the database are rejected by line', async () => {
    const campaign = await seedCampaign(t.db, 'dups');
    await run(campaign, 'Old,5550041\n');
    const out = await run(campaign, 'A,5550042\nB,5550042\nC,5550041\nD,5550043\nE,5550044\nF,5550042\n', { batchRows: 3 });
    expect(out).to.deep.equal({
      kind: 'done',
      report: {
        inserted: 3,
        rejected_count: 3,
        rejected: [
          { line: 2, reason: 'number 5550042 repeats line 1' },
          { line: 3, reason: 'number 5550041 already exists in the campaign' },
          { line: 6, reason: 'number 5550042 already exists in the campaign' },
        ],
      },
    });
    expect(await countRows(t.db, 'communications', { campaign_id: campaign })).to.equal(4);
  });

  it('M6: skip_header, separator, number priorities, variables, zone, expiry and skipped columns', async () => {
    const campaign = await seedCampaign(t.db, 'mapping');
    const out = await run(
      campaign,
      'name;p;exp;tz;home;work;cell;debt;note\n' +
        'Ann;5;2027-01-01T00:00:00Z;Europe/Kyiv;5550051;5550052;5550053;12.50;ignored\n' +
        'Bob;;;;5550054;;;;\n',
      { separator: ';', skipHeader: true, columns: 'name,priority,expire_at,timezone,number,number,number:9,var:debt,-' },
    );
    expect(out).to.deep.equal({ kind: 'done', report: { inserted: 2, rejected_count: 0, rejected: [] } });
    const [ann, bob] = await t.db('members').where({ campaign_id: campaign }).orderBy('id');
    expect(ann).to.include({ name: 'Ann', priority: 5, timezone: 'Europe/Kyiv' });
    expect(ann.expire_at.toISOString()).to.equal('2027-01-01T00:00:00.000Z');
    expect(typeof ann.variables === 'string' ? JSON.parse(ann.variables) : ann.variables).to.deep.equal({ debt: '12.50' });
    const comms = await t.db('communications').where({ member_id: ann.id }).orderBy('position');
    expect(comms.map((c) => [c.number, c.priority, c.position])).to.deep.equal([['5550051', 1, 0], ['5550052', 0, 1], ['5550053', 9, 2]]);
    expect(bob).to.include({ name: 'Bob', priority: 0, timezone: null, expire_at: null });
    expect(await countRows(t.db, 'communications', { member_id: bob.id })).to.equal(1);
    expect(await countRows(t.db, 'campaign_zones', { campaign_id: campaign, timezone: 'Europe/Kyiv' })).to.equal(1);
  });

  it('M6: bad values name the column; a row with no number is rejected', async () => {
    const campaign = await seedCampaign(t.db, 'values');
    const out = await run(campaign, 'Ann,x,Mars/Olympus,5550061\nBob,1,UTC,\nCy,2,UTC,5550063\n', { columns: 'name,priority,timezone,number' });
    expect(out).to.deep.equal({
      kind: 'done',
      report: {
        inserted: 1,
        rejected_count: 2,
        rejected: [
          { line: 1, reason: 'column 2 (priority): "x" is not an integer' },
          { line: 2, reason: 'no number: every number column is empty' },
        ],
      },
    });
  });

  it('M6: the rejected list is capped but every rejected row is counted', async () => {
    const campaign = await seedCampaign(t.db, 'cap');
    const body = Array.from({ length: 50 }, (_, i) => `N${i},bad${i}`).join('\n');
    const out = await run(campaign, body, { maxRejected: 10 });
    expect(out.kind).to.equal('done');
    if (out.kind !== 'done') return;
    expect(out.report.rejected_count).to.equal(50);
    expect(out.report.rejected.map((r) => r.line)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('S2: an unknown charset is refused before anything is read', async () => {
    const campaign = await seedCampaign(t.db, 'charset');
    const out = await run(campaign, 'Ann,5550071\n', { charset: 'klingon-8' });
    expect(out).to.deep.equal({ kind: 'bad-option', field: 'charset', message: 'unknown charset "klingon-8"' });
    expect(await countRows(t.db, 'members', { campaign_id: campaign })).to.equal(0);
  });

  it('M6: Excel habits: a UTF-8 BOM, CRLF line ends and UTF-16LE files', async () => {
    const campaign = await seedCampaign(t.db, 'excel');
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Zoë,5550081\r\nBad,1\r\nÅsa,5550083\r\n')]);
    const out = await run(campaign, bom);
    expect(out).to.deep.equal({
      kind: 'done',
      report: { inserted: 2, rejected_count: 1, rejected: [{ line: 2, reason: 'column 2 (number): must be 3..32 characters of 0-9 + * #' }] },
    });
    const utf16 = iconv.encode('Юля,5550084\n', 'utf-16le', { addBOM: true });
    expect(await run(campaign, utf16, { charset: 'utf-16le' })).to.deep.equal({ kind: 'done', report: { inserted: 1, rejected_count: 0, rejected: [] } });
    const names = (await t.db('members').where({ campaign_id: campaign }).orderBy('id')).map((r) => r.name);
    expect(names).to.deep.equal(['Zoë', 'Åsa', 'Юля']);
  });

  it('S2: a quote left open early in a big file refuses it at its line instead of swallowing the file', async () => {
    const campaign = await seedCampaign(t.db, 'openquote');
    const tail = Array.from({ length: 5000 }, (_, i) => `N${i},${5560000 + i}`).join('\n');
    const out = await run(campaign, `Ann,5550091\nBob,5550092\n"Cy,5550093\n${tail}\n`, { batchRows: 1 });
    expect(out.kind).to.equal('broken-csv');
    if (out.kind !== 'broken-csv') return;
    expect(out.line).to.equal(3);
    expect(out.reason).to.match(/^unbalanced quotes: a quoted field is still open at line \d+, past the limit of a record, 65536 characters$/);
    expect(await countRows(t.db, 'members', { campaign_id: campaign })).to.equal(0);
  });

  it('S5: a record over the length limit with no quote in it is refused naming the limit, not quotes; nothing is stored', async () => {
    const campaign = await seedCampaign(t.db, 'longrecord');
    const out = await run(campaign, `Ann,5550201\nBob,${'7'.repeat(CSV_LIMITS.recordChars + 10)}\nCy,5550203\n`, { batchRows: 1 });
    expect(out).to.deep.equal({ kind: 'broken-csv', line: 2, reason: 'the record is longer than the limit of a record, 65536 characters' });
    expect(await countRows(t.db, 'members', { campaign_id: campaign })).to.equal(0);
  });

  it('S5: a record of more fields than the limit (a line of commas, every field empty) is refused naming the limit; nothing is stored', async () => {
    const campaign = await seedCampaign(t.db, 'commas');
    const tooMany = `the record has more than ${CSV_LIMITS.fieldsPerRecord} fields (the limit of fields in a record)`;
    // Far more commas than characters a record may have: cut by the fields, not the record length.
    const bomb = await run(campaign, `Ann,5550211\n${','.repeat(3 * CSV_LIMITS.recordChars)}\nCy,5550213\n`, { batchRows: 1 });
    expect(bomb).to.deep.equal({ kind: 'broken-csv', line: 2, reason: tooMany });
    // One field over the limit, in a record otherwise short.
    const justOver = await run(campaign, `Ann,5550211\n${','.repeat(CSV_LIMITS.fieldsPerRecord)}\n`, { batchRows: 1 });
    expect(justOver).to.deep.equal({ kind: 'broken-csv', line: 2, reason: tooMany });
    expect(await countRows(t.db, 'members', { campaign_id: campaign })).to.equal(0);
    // At the limit it is a row with the wrong number of columns, like any other.
    const atLimit = await run(campaign, `Ann,5550211\n${','.repeat(CSV_LIMITS.fieldsPerRecord - 1)}\n`);
    expect(atLimit).to.deep.equal({
      kind: 'done',
      report: { inserted: 1, rejected_count: 1, rejected: [{ line: 2, reason: `expected 2 columns, found ${CSV_LIMITS.fieldsPerRecord}` }] },
    });
  });

  it('S5: a column mapping wider than the fields a record may have is refused', () => {
    expect(parseColumns(['number', ...Array.from({ length: CSV_LIMITS.fieldsPerRecord }, () => '-')])).to.deep.equal({
      kind: 'invalid', message: `at most ${CSV_LIMITS.fieldsPerRecord} columns (the limit of fields in a record)`,
    });
  });

  it('M6: a second import into the same campaign while one runs is told at once (busy) and reads nothing', async () => {
    const campaign = await seedCampaign(t.db, 'busy');
    const first = await beginMemberImport(t.db, campaign, now);
    if (first.kind !== 'begun') throw new Error('first import did not begin');
    try {
      const input = chunked(Buffer.from('Ann,5550101\n'));
      const out = await importMembersCsv(input, { charset: 'utf-8', separator: ',', skipHeader: false, columns: cols('name,number') },
        { begin: () => beginMemberImport(t.db, campaign, now) });
      expect(out).to.deep.equal({ kind: 'busy' });
      // Another campaign is not held up.
      const other = await seedCampaign(t.db, 'busy-other');
      expect((await run(other, 'Bob,5550102\n')).kind).to.equal('done');
    } finally {
      await first.session.rollback();
    }
    expect((await run(campaign, 'Ann,5550101\n')).kind).to.equal('done');
  });
});
