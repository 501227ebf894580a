import { expect } from 'chai';
import { CAP, judge } from '../../bench/pacing/acceptance.js';
import { scenarios } from '../../bench/pacing/scenario.js';
import { simulate } from '../../bench/pacing/simulate.js';

// A small, fast version of `npm run bench:pacing` (its figures are in BENCHMARKS.md): short
// shifts and few seeds, the same simulation and checks. Deterministic: fixed seeds, virtual time.
const HOURS = 1.5;
const SEEDS = [1, 2, 3];
const byName = (name: string) => {
  const sc = scenarios(HOURS).find((s) => s.name === name);
  if (!sc) throw new Error(`no scenario ${name}`);
  return sc;
};
const judged = new Map<string, ReturnType<typeof judge>>();
const paired = (name: string) => {
  const known = judged.get(name);
  if (known) return known;
  const sc = byName(name);
  const pacer = SEEDS.map((seed) => simulate(sc, 'pacer', seed));
  const baseline = SEEDS.map((seed) => simulate(sc, 'progressive', seed));
  const v = judge(pacer, baseline, { humanRateMax: 0.35, stepAtSec: sc.stepAtSec });
  judged.set(name, v);
  return v;
};

describe('P3, P4, P5, P7 pacing simulation (issue 18 acceptance, small)', function () {
  // CPU-bound and deterministic; a generous limit for a loaded machine, not a speed check.
  this.timeout(600_000);

  it('P3: the same seed gives the same run, another seed another run', () => {
    const sc = byName('h=0.20 agents=10');
    const [a, b, c] = [simulate(sc, 'pacer', 7), simulate(sc, 'pacer', 7), simulate(sc, 'pacer', 8)];
    expect(a.digest).to.equal(b.digest);
    expect([a.dials, a.answers, a.abandons, a.busySec]).to.deep.equal([b.dials, b.answers, b.abandons, b.busySec]);
    expect(c.digest).to.not.equal(a.digest);
  });

  for (const name of ['h=0.20 agents=25', 'h=0.10 agents=50', 'logout 30% agents=25 h=0.20', 'step 0.10→0.35 agents=25']) {
    it(`P3, P4, P5, P7: ${name} — under the cap, every answer given an agent or the message within 2 s, no call cut before the minimum ring, ≤ 3 lines per agent`, () => {
      const v = paired(name);
      expect(v.answers).to.be.greaterThan(1000);
      expect(v.abandons).to.be.greaterThan(0);
      expect(v.rate).to.be.at.most(CAP);
      expect(v.bucketsOver).to.equal(0);
      expect(v.lateAnswers).to.equal(0);
      expect(v.maxConnectSec).to.be.at.most(2);
      expect(v.endedBeforeMinRing).to.equal(0);
      expect(v.dialerEnded).to.be.greaterThan(0);
      expect(v.maxDialLevel).to.be.at.most(3);
    });
  }

  it('P3: 25 agents at a 20 % answer rate are busier than with progressive dialling, by 10 points or more on average (paired seeds)', () => {
    const v = paired('h=0.20 agents=25');
    expect(v.gainPts).to.be.at.least(10);
    expect(v.occupancy - v.baselineOccupancy).to.be.at.least(0.1);
  });

  it('P4: the progressive baseline abandons nothing (one line per idle agent)', () => {
    const sc = byName('h=0.35 agents=10');
    const t = simulate(sc, 'progressive', 1);
    expect(t.answers).to.be.greaterThan(100);
    expect(t.abandons).to.equal(0);
  });
});
