import { prng, int } from '../helpers/prng.js';
import { expect } from 'chai';
import {
  compareMembers,
  orderCampaigns,
  pickCommunication,
  type CampaignLoad,
  type CommunicationChoice,
} from '../../src/domain/selection.js';

const load = (id: number, c: Partial<CampaignLoad> = {}): CampaignLoad =>
  ({ id, priority: 0, dialled: 0, live: 0, limit: 10, lineGroupFree: null, ...c });
const comm = (id: number, priority: number, state: 'active' | 'stopped' = 'active'): CommunicationChoice =>
  ({ id, number: String(100 + id), priority, position: id, state });


/*
 * The selection rules as domain/selection.ts states them. Production's choice is the claim's SQL
 * (adapters/mysql/claim-store.ts); test/integration/selection-oracle.test.ts checks that the claim
 * chooses as these functions do, so these tables describe the rule the claim follows. Only
 * pickCommunication runs in the claim itself.
 */
describe('selection rules (domain/selection.ts, the oracle of the claim\'s SQL)', () => {
  describe('C3: campaign order (orderCampaigns)', () => {
    it('C3: higher priority first', () => {
      expect(orderCampaigns([load(1, { priority: 1 }), load(2, { priority: 5 }), load(3, { priority: 3 })])).to.deep.equal([2, 3, 1]);
    });

    it('C3: equal priorities share fairly: fewest dialled first, then lower id', () => {
      expect(orderCampaigns([load(1, { dialled: 9 }), load(2, { dialled: 3 }), load(4, { dialled: 5 }), load(3, { dialled: 5 })]))
        .to.deep.equal([2, 3, 4, 1]);
    });

    it('C2: a campaign at its limit is left out', () => {
      expect(orderCampaigns([load(1, { live: 10 }), load(2, { live: 9 }), load(3, { limit: 0 })])).to.deep.equal([2]);
    });

    it('C3: a campaign whose line group is full is left out; no group means no group limit', () => {
      expect(orderCampaigns([load(1, { lineGroupFree: 0 }), load(2, { lineGroupFree: 1 }), load(3)])).to.deep.equal([2, 3]);
    });

    it('C3: the input is not reordered', () => {
      const cs = [load(1), load(2, { priority: 9 })];
      orderCampaigns(cs);
      expect(cs.map((c) => c.id)).to.deep.equal([1, 2]);
    });

    it('C3: with equal priorities, always serving the first of the order shares calls evenly', () => {
      const r = prng(8);
      for (let round = 0; round < 50; round++) {
        const n = 2 + int(r, 4);
        const cs = Array.from({ length: n }, (_, i) => load(i + 1, { priority: 7, limit: 1_000 }));
        const high = load(99, { priority: 8, limit: 1 + int(r, 5) });
        cs.push(high);
        for (let k = 0; k < 200; k++) {
          const first = orderCampaigns(cs)[0]!;
          const c = cs.find((x) => x.id === first)!;
          c.dialled++;
          if (c === high) c.live++; // the high one keeps its calls live, so it fills up to its limit
        }
        const equal = cs.filter((c) => c !== high).map((c) => c.dialled);
        expect(high.dialled, 'the higher priority was served up to its limit').to.equal(high.limit);
        expect(Math.max(...equal) - Math.min(...equal)).to.be.at.most(1);
      }
    });
  });

  describe('M3: member order (compareMembers)', () => {
    it('M3: priority first, then longest ready, then id', () => {
      const t = (s: number): Date => new Date(Date.UTC(2026, 10, 25, 12, 0, s));
      const ms = [
        { id: 1, priority: 0, readyAt: t(1) },
        { id: 2, priority: 5, readyAt: t(9) },
        { id: 3, priority: 0, readyAt: t(0) },
        { id: 4, priority: 5, readyAt: t(3) },
        { id: 5, priority: 0, readyAt: t(0) },
      ];
      expect([...ms].sort(compareMembers).map((m) => m.id)).to.deep.equal([4, 2, 3, 5, 1]);
    });
  });

  describe('M1: which number to dial (pickCommunication, called by the claim)', () => {
    const comms = [comm(1, 0), comm(2, 5), comm(3, 0), comm(4, 5, 'stopped'), comm(5, 1)];
    // active order by priority desc then position: 2, 5, 1, 3 (4 is stopped)
    const cases: Array<[string, number | null, number | null, number | null]> = [
      ['M1: first try takes the highest priority', null, null, 2],
      ['M1: then the next in priority order', null, 2, 5],
      ['M1: equal priorities keep list order', null, 1, 3],
      ['M1: after the last one, wrap around', null, 3, 2],
      ['M1: after a number stopped since, go on from its place', null, 4, 5],
      ['M1: an unknown last number starts from the top', null, 42, 2],
      ['R1: an explicit next number wins', 3, 2, 3],
      ['R1: a stopped next number is skipped', 4, null, 2],
      ['R1: an unknown next number is skipped', 42, 5, 1],
    ];
    for (const [title, next, last, want] of cases) {
      it(title, () => {
        expect(pickCommunication(comms, next, last)?.id ?? null).to.equal(want);
      });
    }

    it('M1: a member without active numbers has nothing to dial', () => {
      expect(pickCommunication([comm(1, 0, 'stopped')], null, null)).to.equal(null);
      expect(pickCommunication([], 1, 1)).to.equal(null);
    });

    it('M1: rotating from any start visits every active number once per round, never a stopped one', () => {
      const r = prng(12);
      for (let i = 0; i < 500; i++) {
        const n = 1 + int(r, 6);
        const cs = Array.from({ length: n }, (_, k) => comm(k + 1, int(r, 3), r() < 0.3 ? 'stopped' : 'active'));
        const active = cs.filter((c) => c.state === 'active').map((c) => c.id).sort();
        let last: number | null = r() < 0.5 ? null : 1 + int(r, n);
        const seen: number[] = [];
        for (let k = 0; k < active.length; k++) {
          const c = pickCommunication(cs, null, last);
          expect(c).to.not.equal(null);
          expect(c!.state).to.equal('active');
          seen.push(c!.id);
          last = c!.id;
        }
        expect([...seen].sort()).to.deep.equal(active);
        if (active.length === 0) expect(pickCommunication(cs, null, last)).to.equal(null);
      }
    });
  });
});
