import { expect } from 'chai';
import { MemberInput, isValidTimeZone, memberIssues, parseIsoInstant, parseMembers } from '../../src/contract/member-input.js';

describe('member-input', () => {
  it('M1: fills defaults for an item with only numbers', () => {
    const m = MemberInput.parse({ communications: [{ number: '5551234' }] });
    expect(m).to.deep.equal({
      name: '',
      priority: 0,
      expire_at: null,
      timezone: null,
      variables: {},
      communications: [{ number: '5551234', priority: 0 }],
    });
  });

  it('M1: accepts every field and turns expire_at into a Date', () => {
    const m = MemberInput.parse({
      name: 'Ann',
      priority: 5,
      expire_at: '2026-12-01T10:00:00+02:00',
      timezone: 'Europe/Kyiv',
      variables: { debt: 12.5, vip: true, ref: 'x' },
      communications: [{ number: '+380441234567', priority: 2 }, { number: '*99#' }],
    });
    expect(m.expire_at?.toISOString()).to.equal('2026-12-01T08:00:00.000Z');
    expect(m.timezone).to.equal('Europe/Kyiv');
    expect(m.communications[1]).to.deep.equal({ number: '*99#', priority: 0 });
  });

  it('M1: refuses bad numbers, zones, dates, variables and counts with the field path', () => {
    const bad: [unknown, string][] = [
      [{ communications: [] }, 'communications: needs at least one number'],
      [{ communications: [{ number: '12' }] }, 'communications.0.number: must be 3..32 characters'],
      [{ communications: [{ number: '555-1234' }] }, 'communications.0.number'],
      [{ communications: [{ number: '1'.repeat(33) }] }, 'communications.0.number'],
      [{ timezone: 'Mars/Base', communications: [{ number: '5551234' }] }, 'timezone: is not a known IANA time zone'],
      [{ expire_at: 'tomorrow', communications: [{ number: '5551234' }] }, 'expire_at: "tomorrow" is not an ISO-8601'],
      [{ variables: { a: { b: 1 } }, communications: [{ number: '5551234' }] }, 'variables.a'],
      [{ priority: 1.5, communications: [{ number: '5551234' }] }, 'priority'],
      [{ name: 'x'.repeat(256), communications: [{ number: '5551234' }] }, 'name'],
      [{ communications: Array.from({ length: 21 }, (_, i) => ({ number: `555000${i}` })) }, 'at most 20 numbers'],
    ];
    for (const [input, expected] of bad) {
      const r = MemberInput.safeParse(input);
      expect(r.success, JSON.stringify(input).slice(0, 60)).to.equal(false);
      if (!r.success) expect(memberIssues(r.error, 3)[0]).to.deep.include({ index: 3 }).and.to.have.property('reason').that.contains(expected);
    }
  });

  it('M2: a number twice in one member is an error naming it', () => {
    const r = MemberInput.safeParse({ communications: [{ number: '5551234' }, { number: '5551234' }] });
    expect(r.success).to.equal(false);
    if (!r.success) expect(memberIssues(r.error, 0)).to.deep.equal([
      { index: 0, reason: 'communications.1.number: number 5551234 appears twice in this member' },
    ]);
  });

  it('M1: parseMembers lists every bad item by index and keeps nothing', () => {
    const r = parseMembers([{ communications: [{ number: '5551234' }] }, { communications: [] }, { name: 7, communications: [{ number: '5550000' }] }]);
    expect(r.kind).to.equal('invalid');
    if (r.kind === 'invalid') expect(r.items.map((i) => i.index)).to.deep.equal([1, 2]);
    expect(parseMembers([{ communications: [{ number: '5551234' }] }]).kind).to.equal('ok');
  });

  it('M1: unknown fields are refused', () => {
    const r = MemberInput.safeParse({ phone: '1', communications: [{ number: '5551234' }] });
    expect(r.success).to.equal(false);
  });

  it('M1: ISO dates without offset are UTC; zones are checked with Intl', () => {
    expect(parseIsoInstant('2026-12-01')?.toISOString()).to.equal('2026-12-01T00:00:00.000Z');
    expect(parseIsoInstant('2026-12-01 10:30')?.toISOString()).to.equal('2026-12-01T10:30:00.000Z');
    expect(parseIsoInstant('2026-13-01')).to.equal(null);
    expect(isValidTimeZone('America/New_York')).to.equal(true);
    expect(isValidTimeZone('Nowhere/Land')).to.equal(false);
  });
});
