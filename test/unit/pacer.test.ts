import { expect } from 'chai';
import { remainingAnswerProbability, estimateAnswers, type EndedDial } from '../../src/domain/answer-estimate.js';
import { initialPacerState, stepController, CONTROLLER_ANSWERS, CONTROLLER_PERIOD_MS, type PacerState } from '../../src/domain/abandon-controller.js';
import { agentsAtMost, expectedExcess, shortfallOf, sumOfChances } from '../../src/domain/excess-answers.js';
import { freeWithin, handleTimeSurvival } from '../../src/domain/handle-time-survival.js';
import { DEFAULT_PACER_SETTINGS, GUARD_ROOM_ABANDONS, pace, RISK_PER_RHO, targetRate, type PacerInputs } from '../../src/domain/pacer.js';

const T0 = Date.UTC(2026, 11, 4, 9, 0, 0);

/** `answered` of every `every` dials answered after `answerSec`; the others end after `endSec`. */
function dials(count: number, every: number, answerSec = 8, endSec = 25): EndedDial[] {
  return Array.from({ length: count }, (_, i) =>
    i % every === 0 ? { answered: true, durationSec: answerSec } : { answered: false, durationSec: endSec });
}

/** Talk times 60, 61, … 359 s (mean ~210 s), oldest first. */
const TALKS = Array.from({ length: 300 }, (_, i) => 60 + i);

/** A busy predictive campaign: 10 agents, 20 % answers, a calm compliance window. */
function steady(more: Partial<PacerInputs> = {}): PacerInputs {
  return {
    nowMs: T0,
    idleAgents: 1,
    wrapUpRemainingSec: [3, 15],
    talking: [100, 150, 200, 250, 300, 20, 40].map((elapsedSec) => ({ elapsedSec, wrapUpSec: 20 })),
    inFlightElapsedSec: [],
    answeredWaiting: 0,
    recentDials: dials(300, 5),
    talkTimesSec: TALKS,
    window: { answered: 2000, abandoned: 30 },
    recentAnswers: { answered: 500, abandoned: 10 },
    answersKnown: 5000,
    linesAllowed: 1000,
    ...more,
  };
}

const state = initialPacerState(targetRate(DEFAULT_PACER_SETTINGS));

describe('P3, P4, P7 pacer (domain)', () => {
  describe('P4 guards: one line per idle agent', () => {
    it('P4: while fewer than 100 answers are known', () => {
      const { decision } = pace(steady({ answersKnown: 99, idleAgents: 4, inFlightElapsedSec: [1] }), state);
      expect(decision).to.include({ reason: 'few-answers', mode: 'progressive', lines: 3 });
    });

    it('P4: with fewer than 3 agents working (idle + wrap-up + talking)', () => {
      const { decision } = pace(steady({ idleAgents: 2, wrapUpRemainingSec: [], talking: [] }), state);
      expect(decision).to.include({ reason: 'few-agents', mode: 'progressive', lines: 2 });
    });

    it('P4: with the compliance window at 90 % of the cap (2.7 % of 3 %), not at 89 %', () => {
      const at90 = pace(steady({ idleAgents: 3, window: { answered: 1000, abandoned: 27 } }), state).decision;
      expect(at90).to.include({ reason: 'window-near-cap', lines: 3 });
      const below = pace(steady({ idleAgents: 3, window: { answered: 1000, abandoned: 26 } }), state).decision;
      expect(below.reason).to.equal('paced');
      expect(below.lines).to.be.greaterThan(3);
    });

    it('P4: a small window one abandon away from 90 % of the cap already falls back (8 of 300: one more is 3.0 %)', () => {
      expect(pace(steady({ window: { answered: 300, abandoned: 8 } }), state).decision.reason).to.equal('window-near-cap');
      expect(pace(steady({ window: { answered: 300, abandoned: 7 } }), state).decision.reason).to.equal('paced');
    });

    it('P4: calls already in flight or answered and waiting use up the idle agents', () => {
      const { decision } = pace(steady({ answersKnown: 10, idleAgents: 3, inFlightElapsedSec: [2], answeredWaiting: 1 }), state);
      expect(decision.lines).to.equal(1);
      const none = pace(steady({ answersKnown: 10, idleAgents: 1, inFlightElapsedSec: [2, 3] }), state).decision;
      expect(none.lines).to.equal(0);
    });

    it('P4: a guard does not wind the controller up (ρ holds while progressive)', () => {
      const later = { nowMs: T0 + 10 * CONTROLLER_PERIOD_MS, recentAnswers: { answered: 500, abandoned: 0 } };
      let st = pace(steady({ ...later, answersKnown: 50 }), state).state;
      for (let i = 1; i <= 10; i++) {
        st = pace(steady({ nowMs: T0 + i * CONTROLLER_PERIOD_MS, answersKnown: 50 + i * 100, idleAgents: 2, wrapUpRemainingSec: [], talking: [] }), st).state;
      }
      expect(st.rho).to.equal(state.rho);
    });
  });

  describe('P3 predictive pace', () => {
    it('P3: with agents about to be free it dials ahead of them, more than one line per idle agent', () => {
      const { decision } = pace(steady(), state);
      expect(decision.reason).to.equal('paced');
      expect(decision.lines).to.be.greaterThan(1);
      expect(decision.lastLineRisk!).to.be.at.most(RISK_PER_RHO * decision.rho);
    });

    it('P3: line by line: a line for an agent free in 4 s, not a second one for the same agent (both answering would abandon one)', () => {
      const busy = [5, 6, 7].map((elapsedSec) => ({ elapsedSec, wrapUpSec: 20 }));
      const one = pace(steady({ idleAgents: 0, wrapUpRemainingSec: [4], talking: busy }), state).decision;
      expect(one).to.include({ reason: 'paced', lines: 1, lastLineRisk: 0 });
      const two = pace(steady({ idleAgents: 0, wrapUpRemainingSec: [4, 4], talking: busy }), state).decision;
      expect(two.lines).to.equal(2);
    });

    it(`P4: a line may carry less risk as the compliance window nears its guard (fewer than ${GUARD_ROOM_ABANDONS} abandons left before it)`, () => {
      const calm = pace(steady({ recentDials: dials(300, 8), window: { answered: 1000, abandoned: 10 } }), state).decision;
      const near = pace(steady({ recentDials: dials(300, 8), window: { answered: 1000, abandoned: 25 } }), state).decision;
      expect(calm.lines).to.equal(3);
      expect(calm.lastLineRisk!).to.be.above(0);
      expect(near).to.include({ reason: 'paced', lines: 2 });
    });

    it('P3: a higher answer rate dials fewer lines for the same agents', () => {
      const low = pace(steady({ recentDials: dials(300, 10) }), state).decision.lines;
      const high = pace(steady({ recentDials: dials(300, 3) }), state).decision.lines;
      expect(low).to.be.greaterThan(high);
    });

    it('P3: calls already ringing count against the agents about to be free', () => {
      const empty = pace(steady(), state).decision.lines;
      const ringing = pace(steady({ inFlightElapsedSec: [1, 2, 3, 4, 5, 6] }), state).decision.lines;
      expect(ringing).to.be.lessThan(empty);
    });

    it('P3: with every agent in a long call and nobody idle it dials nothing', () => {
      const { decision } = pace(steady({ idleAgents: 0, wrapUpRemainingSec: [], talking: [10, 12, 15, 20].map((elapsedSec) => ({ elapsedSec, wrapUpSec: 20 })) }), state);
      expect(decision.lines).to.equal(0);
    });

    it('P3: answers are set against agents free by the time they come: a wrap-up ending after the early answers gets no line', () => {
      // A quarter of the answers come within 3 s, half within 6 s, three quarters within 12 s (H).
      const spread: EndedDial[] = Array.from({ length: 300 }, (_, i) =>
        i % 5 === 0 ? { answered: true, durationSec: [3, 6, 12, 15][(i / 5) % 4]! } : { answered: false, durationSec: 25 });
      const longCalls = [5, 6].map((elapsedSec) => ({ elapsedSec, wrapUpSec: 20 }));
      const late = pace(steady({ idleAgents: 0, wrapUpRemainingSec: [12], talking: longCalls, recentDials: spread }), state).decision;
      expect(late.horizonSec).to.equal(12);
      expect(late.lines).to.equal(0);
      const soon = pace(steady({ idleAgents: 0, wrapUpRemainingSec: [1], talking: longCalls, recentDials: spread }), state).decision;
      expect(soon.lines).to.equal(1);
    });

    it('P3: a step up of the answer rate in the newest dials is used at once, not after 300 dials', () => {
      const mixed = [...dials(225, 10), ...dials(75, 2)];
      const est = estimateAnswers(mixed);
      expect(est.stepUp).to.equal(true);
      expect(est.rateUpper).to.be.greaterThan(0.4);
      expect(estimateAnswers(dials(300, 5)).stepUp).to.equal(false);
    });
  });

  describe('P7 and C2/C3 limits', () => {
    it('P7: at most 3 lines per working agent, lines in flight included', () => {
      const st = { ...state, rho: 10 };
      const { decision } = pace(steady({ recentDials: dials(300, 100), inFlightElapsedSec: [1, 2], window: { answered: 100000, abandoned: 0 } }), st);
      expect(decision.workingAgents).to.equal(10);
      expect(decision.lines).to.equal(28);
      expect(decision.dialLevel).to.equal(3);
    });

    it('C2/C3: never more new lines than the limit and the line group allow', () => {
      expect(pace(steady({ linesAllowed: 2 }), state).decision.lines).to.equal(2);
      expect(pace(steady({ linesAllowed: 0, idleAgents: 5 }), state).decision.lines).to.equal(0);
      expect(pace(steady({ linesAllowed: 0, idleAgents: 5, answersKnown: 1 }), state).decision.lines).to.equal(0);
    });
  });

  describe('P4 controller (ρ every 60 s from the last 500 answers)', () => {
    it('P4: ρ converges where the measured rate meets the target, from above and from below', () => {
      const target = targetRate(DEFAULT_PACER_SETTINGS);
      // The plant: this campaign abandons half of what the model allows (a cautious model).
      const measured = (rho: number) => 0.5 * rho;
      for (const start of [target / 10, target * 5]) {
        let st: PacerState = { rho: start, stepAtMs: T0, answersAtStep: 0, pacedSinceAnswers: -CONTROLLER_ANSWERS };
        for (let i = 1; i <= 200; i++) {
          const recent = { answered: CONTROLLER_ANSWERS, abandoned: Math.round(CONTROLLER_ANSWERS * measured(st.rho) * 1000) / 1000 };
          st = stepController(st, T0 + i * CONTROLLER_PERIOD_MS, recent, i * 100, target);
        }
        expect(st.rho).to.be.closeTo(2 * target, 0.002);
      }
    });

    it('P4: a guard\'s progressive answers do not dilute the measured rate: abandons count against the paced stretch\'s answers', () => {
      // 100 answers paced since the guard ended; the window of 500 holds 400 progressive ones.
      const fresh: PacerState = { rho: 0.02, stepAtMs: T0, answersAtStep: 1000, pacedSinceAnswers: 1000 };
      expect(stepController(fresh, T0 + 60_000, { answered: 500, abandoned: 5 }, 1100, 0.024).rho).to.be.lessThan(0.02);
      expect(stepController(fresh, T0 + 60_000, { answered: 500, abandoned: 1 }, 1100, 0.024).rho).to.be.greaterThan(0.02);
      expect(stepController({ ...fresh, pacedSinceAnswers: 1050 }, T0 + 60_000, { answered: 500, abandoned: 0 }, 1100, 0.024).rho).to.equal(0.02);
    });

    it('P4: ρ does not move before 60 s, nor on fewer than 100 recent answers', () => {
      const st: PacerState = { rho: 0.02, stepAtMs: T0, answersAtStep: 0, pacedSinceAnswers: 0 };
      expect(stepController(st, T0 + 59_000, { answered: 500, abandoned: 50 }, 500, 0.024).rho).to.equal(0.02);
      expect(stepController(st, T0 + 60_000, { answered: 99, abandoned: 50 }, 500, 0.024).rho).to.equal(0.02);
      expect(stepController(st, T0 + 60_000, { answered: 500, abandoned: 50 }, 500, 0.024).rho).to.be.lessThan(0.02);
    });
  });

  describe('P3 model pieces', () => {
    it('P3: expected excess of two 50 % answers over one sure agent is P(both) = 0.25', () => {
      const short = shortfallOf(agentsAtMost(1, sumOfChances([]), 2));
      expect(expectedExcess(0, sumOfChances([0.5, 0.5]), short)).to.be.closeTo(0.25, 1e-12);
    });

    it('P3: the shortfall curve built from the agents\' at-most curve is E[(y − X)⁺]', () => {
      const agents = sumOfChances([0.5, 0.25]);
      const short = shortfallOf(agentsAtMost(1, agents, 4));
      // E[(y − X)⁺], X = 1 + Bernoulli(0.5) + Bernoulli(0.25): 0, 0, 0.375, 1.25, 2.25.
      expect([...short].map((x) => Number(x.toFixed(12)))).to.deep.equal([0, 0, 0.375, 1.25, 2.25]);
    });

    it('P3: a call that has rung past most answers has little chance left', () => {
      const est = estimateAnswers(dials(300, 5));
      expect(remainingAnswerProbability(est, 0)).to.be.closeTo(est.rateUpper, 1e-12);
      expect(remainingAnswerProbability(est, 10)).to.be.lessThan(0.02);
    });

    it('P3: a talking agent is free within H by the talk-time survival curve, wrap-up included', () => {
      const s = handleTimeSurvival(TALKS);
      // Talks 60..359 s; after 100 s of talk, 259 are longer; ending by 100 + 30 − 20 = 110 s: 10 of them.
      expect(freeWithin(s, 100, 20, 30)).to.be.closeTo(10 / 259, 1e-12);
      expect(freeWithin(s, 100, 40, 30)).to.equal(0);
      expect(freeWithin(s, 400, 20, 30)).to.equal(0);
    });
  });
});
