import { expect } from 'chai';
import { parseColumns, RowMapper, type CsvColumn } from '../../src/app/members/csv-columns.js';
import { CsvImportQuery } from '../../src/app/members/csv-import-options.js';
import { BatchPipeline } from '../../src/app/members/batch-pipeline.js';
import { MemberInput } from '../../src/contract/member-input.js';
import { RejectedList } from '../../src/app/members/rejected-list.js';
import type { LinedMember } from '../../src/app/members/member-batch.js';

function cols(spec: string): CsvColumn[] {
  const r = parseColumns(spec.split(','));
  if (r.kind !== 'ok') throw new Error(r.message);
  return r.columns;
}

describe('csv-columns', () => {
  it('M6: reads every kind of column target', () => {
    expect(cols('name,priority,expire_at,timezone,number,number:7,var:debt,-')).to.deep.equal([
      { kind: 'name' }, { kind: 'priority' }, { kind: 'expire_at' }, { kind: 'timezone' },
      { kind: 'number', priority: null }, { kind: 'number', priority: 7 }, { kind: 'var', name: 'debt' }, { kind: 'skip' },
    ]);
  });

  it('M6: refuses unknown targets, repeated single fields, no number and bad priorities', () => {
    expect(parseColumns(['name', 'phone'])).to.deep.include({ kind: 'invalid' });
    expect(parseColumns(['name', 'name', 'number'])).to.deep.equal({ kind: 'invalid', message: '"name" may appear once' });
    expect(parseColumns(['name'])).to.deep.equal({ kind: 'invalid', message: 'at least one column must be "number"' });
    expect(parseColumns(['number:high'])).to.deep.equal({ kind: 'invalid', message: '"number:high": the priority must be an integer' });
    expect(parseColumns(['var:', 'number'])).to.deep.include({ kind: 'invalid' });
    expect(parseColumns(Array(21).fill('number'))).to.deep.equal({ kind: 'invalid', message: 'at most 20 number columns' });
  });

  it('M1: earlier plain number columns get higher priority; empty number cells are skipped', () => {
    const r = new RowMapper(cols('number,number:9,number,number')).toMember(['5550001', '5550002', '', ' 5550004 ']);
    expect(r.kind).to.equal('ok');
    if (r.kind === 'ok') {
      expect(r.member.communications).to.deep.equal([
        { number: '5550001', priority: 2 }, { number: '5550002', priority: 9 }, { number: '5550004', priority: 0 },
      ]);
    }
  });

  it('M6: a bad cell is reported with its column', () => {
    const m = new RowMapper(cols('name,timezone,number,var:x'));
    expect(m.toMember(['A', 'Mars/Base', '5550001', ''])).to.deep.equal({ kind: 'bad', reason: 'column 2 (timezone): is not a known IANA time zone' });
    expect(m.toMember(['A', '', '55', ''])).to.deep.equal({ kind: 'bad', reason: 'column 3 (number): must be 3..32 characters of 0-9 + * #' });
    const ok = m.toMember(['A', '', '5550001', 'v']);
    expect(ok.kind === 'ok' && ok.member.variables).to.deep.equal({ x: 'v' });
  });

  it('S2: options name the bad field; tab and flags are understood', () => {
    const bad = CsvImportQuery.safeParse({ separator: ';;', charset: 'nope', columns: 'name', skip_header: 'maybe' });
    expect(bad.success).to.equal(false);
    if (!bad.success) expect(bad.error.issues.map((i) => i.path[0]).sort()).to.deep.equal(['charset', 'columns', 'separator', 'skip_header']);
    const good = CsvImportQuery.parse({ separator: '\\t', skip_header: '1' });
    expect(good.separator).to.equal('\t');
    expect(good.skip_header).to.equal(true);
    expect(good.columns).to.have.length(2);
  });
});

describe('rejected-list', () => {
  it('M6: keeps the lowest lines up to the cap and counts them all', () => {
    const l = new RejectedList(3);
    for (const line of [9, 4, 7, 1, 8, 2, 6]) l.add({ line, reason: 'x' });
    expect(l.count).to.equal(7);
    expect(l.list().map((r) => r.line)).to.deep.equal([1, 2, 4]);
  });
});

describe('batch-pipeline', () => {
  const row = (line: number, number: string): LinedMember => ({ line, member: MemberInput.parse({ communications: [{ number }] }) });

  it('M2: a batch sharing a number with one in flight waits for it, so the earlier line wins', async () => {
    const stored = new Set<string>();
    const log: string[] = [];
    let release: () => void = () => undefined;
    const first = new Promise<void>((r) => { release = r; });
    const pipe = new BatchPipeline(async (rows) => {
      if (rows[0]!.line === 1) await first;
      const rejected = rows.filter((r) => stored.has(r.member.communications[0]!.number)).map((r) => ({ line: r.line, reason: 'dup' }));
      for (const r of rows) stored.add(r.member.communications[0]!.number);
      log.push(`stored ${rows.map((r) => r.line).join(',')}`);
      return { inserted: rows.length - rejected.length, rejected };
    }, 2, (_n, res) => log.push(`rejected ${res.rejected.map((r) => r.line).join(',')}`));
    await pipe.submit([row(1, '5550001')]);
    const second = pipe.submit([row(2, '5550001')]);
    release();
    await second;
    await pipe.drain();
    expect(log).to.deep.equal(['stored 1', 'rejected ', 'stored 2', 'rejected 2']);
  });

  it('M6: a failed batch makes the next submit and drain reject', async () => {
    const pipe = new BatchPipeline(async () => { throw new Error('db down'); }, 2, () => undefined);
    await pipe.submit([row(1, '5550001')]);
    let caught: unknown;
    await pipe.drain().catch((e: unknown) => { caught = e; });
    expect((caught as Error).message).to.equal('db down');
  });
});
