import { expect } from 'chai';
import type { Knex } from 'knex';
import type { Campaign, CampaignState } from '../../src/contract/campaign-schemas.js';
import type { NumberedItem, ParsedMember } from '../../src/contract/member-input.js';
import { uploadMembers, type MemberUploadDeps } from '../../src/app/members/member-upload.js';
import type { EngineSignals } from '../../src/app/ports/engine-signals.js';
import type { DuplicateItem, InsertMembersResult } from '../../src/app/ports/member-writer.js';

const NOW = new Date('2026-12-04T10:00:00.000Z');

/** Campaign 1 exists and is idle; `taken` numbers are in it already. Records what the use case did. */
function world(taken: string[] = []) {
  const did: string[] = [];
  const inserted: ParsedMember[][] = [];
  let state: CampaignState = 'idle';
  const signals: EngineSignals = {
    campaignChanged: (id) => did.push(`campaign-changed ${id}`),
    agentChanged: () => undefined,
    membersAdded: (id) => did.push(`members-added ${id}`),
    hangUp: () => undefined,
    previewAccepted: () => undefined,
  };
  const duplicatesOf = (items: readonly NumberedItem[]): DuplicateItem[] =>
    items.flatMap((i) => i.numbers.filter((n) => taken.includes(n)).map((n) => ({ index: i.index, number: n, reason: `number ${n} is taken` })));
  const deps: MemberUploadDeps = {
    campaigns: {
      exists: async (id) => id === 1,
      transaction: async (work) => work({} as Knex.Transaction),
      lockForStateChange: async (_trx, id) => (id === 1 ? { state, type: 'progressive' } : undefined),
      setState: async (_trx, _id, to) => { state = to; },
      countLiveAttempts: async () => 0,
      get: async (id) => (id === 1 ? ({ id, state } as Campaign) : undefined),
    },
    writer: {
      findDuplicates: async (_id, items) => duplicatesOf(items),
      insertMembers: async (_id, members): Promise<InsertMembersResult> => {
        const items = duplicatesOf(members.map((m, index) => ({ index, numbers: m.communications.map((c) => c.number) })));
        if (items.length > 0) return { kind: 'duplicates', items };
        inserted.push(members);
        return { kind: 'inserted', ids: members.map((_m, i) => 100 + i) };
      },
    },
    signals,
  };
  return { deps, did, inserted, state: () => state };
}

const member = (number: string, name = '') => ({ name, communications: [{ number }] });

describe('member upload use case (M1, M2, M6)', () => {
  it('M1: one member or an array is stored; ids in input order; the engine is told', async () => {
    const w = world();
    expect(await uploadMembers(w.deps, 1, member('1001'), false, NOW)).to.deep.equal({ kind: 'added', ids: [100] });
    expect(await uploadMembers(w.deps, 1, [member('1002'), member('1003')], false, NOW)).to.deep.equal({ kind: 'added', ids: [100, 101] });
    expect(w.did).to.deep.equal(['members-added 1', 'members-added 1']);
    expect(w.state()).to.equal('idle');
  });

  it('M6: autoRun runs the campaign once the members are in', async () => {
    const w = world();
    expect((await uploadMembers(w.deps, 1, [member('1001')], true, NOW)).kind).to.equal('added');
    expect(w.did).to.deep.equal(['members-added 1', 'campaign-changed 1']);
    expect(w.state()).to.equal('running');
  });

  it('no such campaign, a body that is no member, an empty array: refused, nothing stored', async () => {
    const w = world();
    expect(await uploadMembers(w.deps, 2, member('1001'), false, NOW)).to.deep.equal({ kind: 'no-campaign' });
    expect((await uploadMembers(w.deps, 1, 'text', false, NOW)).kind).to.equal('bad-body');
    expect(await uploadMembers(w.deps, 1, [], false, NOW)).to.deep.equal({ kind: 'bad-body', message: 'body is an empty array: no members to add' });
    expect(w.inserted).to.deep.equal([]);
    expect(w.did).to.deep.equal([]);
  });

  it('M1, M2: a bad item refuses the upload, naming every bad item and every taken number in index order', async () => {
    const w = world(['2000']);
    const out = await uploadMembers(w.deps, 1, [member('2000'), member('x'), member('3000')], true, NOW);
    expect(out.kind).to.equal('refused');
    const items = out.kind === 'refused' ? out.items : [];
    expect(items.map((i) => i.index)).to.deep.equal([0, 1]);
    expect(items[0]!.reason).to.contain('2000');
    expect(items[1]!.reason).to.match(/^communications\.0\.number: /);
    expect(w.inserted).to.deep.equal([]);
    expect(w.did).to.deep.equal([]);
  });

  it('M2: well-formed items whose number the campaign has are refused at insert time, nothing stored', async () => {
    const w = world(['2000']);
    const out = await uploadMembers(w.deps, 1, [member('1000'), member('2000')], false, NOW);
    expect(out).to.deep.equal({ kind: 'refused', items: [{ index: 1, number: '2000', reason: 'number 2000 is taken' }] });
    expect(w.did).to.deep.equal([]);
  });
});
