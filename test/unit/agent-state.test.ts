import { prng } from '../helpers/prng.js';
import { expect } from 'chai';
import {
  canTakeCall,
  classifyAgentFailure,
  endWrapupEarly,
  onAgentAnswered,
  onAgentLegFailed,
  onCallEnded,
  onStatusChange,
  onWrapupEnded,
  type AgentStatus,
  type AgentView,
} from '../../src/domain/agent-state.js';

const NOW = new Date('2026-11-25T12:00:00.000Z');
const at = (sec: number): Date => new Date(NOW.getTime() + sec * 1000);
const agent = (a: Partial<AgentView> = {}): AgentView => ({
  status: 'Available', state: 'Receiving', readyAt: at(-100), noAnswerCount: 0,
  wrapupSec: 20, maxNoAnswer: 3, busyDelaySec: 30, rejectDelaySec: 40, noAnswerDelaySec: 50, ...a,
});


describe('agent-state', () => {
  describe('A3: agent-leg failures (mod_callcenter delays)', () => {
    const cases: Array<[string, number, boolean, number]> = [
      // cause, readyAt offset, unregistered, noAnswerCount after (from 1)
      ['USER_BUSY', 30, false, 1],
      ['NORMAL_CIRCUIT_CONGESTION', 30, false, 1],
      ['CALL_REJECTED', 40, false, 1],
      ['user_busy', 30, false, 1],
      ['USER_NOT_REGISTERED', 0, true, 1],
      ['SUBSCRIBER_ABSENT', 0, true, 1],
      ['NODE_DOWN', 0, false, 1],
      ['UNKNOWN', 0, false, 1],
      ['NO_ANSWER', 50, false, 2],
      ['NO_USER_RESPONSE', 50, false, 2],
      ['ORIGINATOR_CANCEL', 50, false, 2],
      ['ALLOTTED_TIMEOUT', 50, false, 2],
    ];
    for (const [cause, delay, unregistered, count] of cases) {
      it(`A3: ${cause} → ready after ${delay}s${unregistered ? ', unregistered' : ''}, no-answer count ${count}`, () => {
        const a = onAgentLegFailed(agent({ noAnswerCount: 1 }), cause, NOW);
        expect(a.state).to.equal('Waiting');
        expect(a.status).to.equal('Available');
        expect(a.readyAt.toISOString()).to.equal(at(delay).toISOString());
        expect(a.unregistered).to.equal(unregistered);
        expect(a.noAnswerCount).to.equal(count);
      });
    }

    it('A3: reaching max no answer puts the agent On Break and resets the count', () => {
      const a = onAgentLegFailed(agent({ noAnswerCount: 2 }), 'NO_ANSWER', NOW);
      expect(a).to.include({ status: 'On Break', state: 'Waiting', noAnswerCount: 0 });
      expect(a.readyAt.toISOString()).to.equal(at(50).toISOString());
    });

    it('A3: max no answer 0 never puts the agent on break', () => {
      let a: AgentView = agent({ maxNoAnswer: 0 });
      for (let i = 0; i < 50; i++) a = onAgentLegFailed({ ...a, state: 'Receiving' }, 'NO_ANSWER', NOW);
      expect(a.status).to.equal('Available');
      expect(a.noAnswerCount).to.equal(50);
    });

    it('A3: busy and reject do not grow the no-answer count', () => {
      let a: AgentView = agent({ noAnswerCount: 2 });
      for (const c of ['USER_BUSY', 'CALL_REJECTED', 'USER_BUSY']) a = onAgentLegFailed(a, c, NOW);
      expect(a.noAnswerCount).to.equal(2);
      expect(a.status).to.equal('Available');
    });

    it('A3: the classes of causes', () => {
      expect(['USER_BUSY', 'CALL_REJECTED', 'USER_NOT_REGISTERED', 'NODE_DOWN', 'NO_ANSWER'].map(classifyAgentFailure))
        .to.deep.equal(['busy', 'reject', 'unregistered', 'no-penalty', 'no-answer']);
    });
  });

  describe('A3: answered call, wrap-up, waiting', () => {
    it('A3: answered → In a queue call with the no-answer streak cleared', () => {
      expect(onAgentAnswered(agent({ noAnswerCount: 2 }), NOW)).to.include({ state: 'In a queue call', noAnswerCount: 0 });
    });

    it('A3: call ended → Wrap up until now + wrap-up seconds', () => {
      const a = onCallEnded(agent({ state: 'In a queue call' }), NOW);
      expect(a.state).to.equal('Wrap up');
      expect(a.readyAt.toISOString()).to.equal(at(20).toISOString());
    });

    it('A3: call ended with no wrap-up → Waiting at once', () => {
      const a = onCallEnded(agent({ state: 'In a queue call', wrapupSec: 0 }), NOW);
      expect(a.state).to.equal('Waiting');
      expect(a.readyAt.toISOString()).to.equal(NOW.toISOString());
    });

    it('A3: wrap-up ended → Waiting only once its time has come', () => {
      const wrap = onCallEnded(agent({ state: 'In a queue call' }), NOW);
      expect(onWrapupEnded(wrap, at(19.999)).state).to.equal('Wrap up');
      expect(onWrapupEnded(wrap, at(20)).state).to.equal('Waiting');
    });

    it('A3: a stale wrap-up wake-up does nothing to an agent in another state', () => {
      const busy = agent({ state: 'In a queue call', readyAt: at(-5) });
      expect(onWrapupEnded(busy, NOW)).to.deep.equal(busy);
    });
  });

  // canTakeCall states the rule; the claim's SQL applies it, and selection-oracle.test.ts checks they agree.
  describe('A2, W2: who can take a call (canTakeCall, the oracle of the claim\'s agent choice)', () => {
    const base = { ...agent({ state: 'Waiting' }), registered: true, requiresClient: false, clientOnline: false };
    const cases: Array<[string, Partial<typeof base>, boolean]> = [
      ['Available, Waiting, registered, delay passed', {}, true],
      ['delay ends exactly now', { readyAt: NOW }, true],
      ['delay not passed', { readyAt: at(1) }, false],
      ['not registered', { registered: false }, false],
      ['On Break', { status: 'On Break' }, false],
      ['Logged Out', { status: 'Logged Out' }, false],
      ['Reserved', { state: 'Reserved' }, false],
      ['Receiving', { state: 'Receiving' }, false],
      ['In a queue call', { state: 'In a queue call' }, false],
      ['Wrap up', { state: 'Wrap up' }, false],
      ['W2: requires a client, none connected', { requiresClient: true }, false],
      ['W2: requires a client, one connected', { requiresClient: true, clientOnline: true }, true],
    ];
    for (const [title, change, want] of cases) {
      it(`A2: ${title} → ${want ? 'can' : 'cannot'} take a call`, () => {
        expect(canTakeCall({ ...base, ...change }, NOW)).to.equal(want);
      });
    }
  });

  describe('A5: status changes', () => {
    it('A5: Available resets the no-answer count and clears a pending delay after a break', () => {
      const a = onStatusChange(agent({ status: 'On Break', state: 'Waiting', noAnswerCount: 2, readyAt: at(50) }), 'Available', NOW);
      expect(a).to.include({ status: 'Available', state: 'Waiting', noAnswerCount: 0 });
      expect(a.readyAt.toISOString()).to.equal(NOW.toISOString());
    });

    it('A5: Available while already Available keeps the delay (it is not a return to the phone)', () => {
      const a = onStatusChange(agent({ state: 'Waiting', noAnswerCount: 1, readyAt: at(30) }), 'Available', NOW);
      expect(a.noAnswerCount).to.equal(0);
      expect(a.readyAt.toISOString()).to.equal(at(30).toISOString());
    });

    it('A5: a status change never interrupts a call or its wrap-up', () => {
      for (const s of ['On Break', 'Logged Out', 'Available'] as AgentStatus[]) {
        const a = onStatusChange(agent({ status: 'On Break', state: 'In a queue call', readyAt: at(30) }), s, NOW);
        expect(a.state).to.equal('In a queue call');
        expect(a.readyAt.toISOString()).to.equal(at(30).toISOString());
        expect(a.status).to.equal(s);
      }
    });
  });

  describe('W4: ending the wrap-up early', () => {
    it('W4: in wrap-up and allowed by the campaign: Waiting and ready now', () => {
      const out = endWrapupEarly(agent({ state: 'Wrap up', readyAt: at(60) }), true, NOW);
      expect(out).to.deep.equal({ kind: 'ended', agent: agent({ state: 'Waiting', readyAt: NOW }) });
      if (out.kind === 'ended') expect(canTakeCall({ ...out.agent, registered: true }, NOW)).to.equal(true);
    });

    it('W4: refused when the campaign does not allow it, or outside wrap-up (a delay is not a wrap-up)', () => {
      expect(endWrapupEarly(agent({ state: 'Wrap up', readyAt: at(60) }), false, NOW)).to.deep.equal({ kind: 'not-allowed' });
      expect(endWrapupEarly(agent({ state: 'Waiting', readyAt: at(30) }), true, NOW)).to.deep.equal({ kind: 'not-in-wrap-up' });
      expect(endWrapupEarly(agent({ state: 'In a queue call' }), true, NOW)).to.deep.equal({ kind: 'not-in-wrap-up' });
    });
  });

  describe('properties', () => {
    it('A2, A3: random call histories: never callable in a call, break exactly at max no answer', () => {
      const r = prng(3);
      const causes = ['USER_BUSY', 'CALL_REJECTED', 'NO_ANSWER', 'USER_NOT_REGISTERED', 'NODE_DOWN', 'NO_USER_RESPONSE'];
      for (let i = 0; i < 300; i++) {
        const max = Math.floor(r() * 5);
        let a: AgentView = agent({ state: 'Waiting', maxNoAnswer: max });
        let t = NOW.getTime();
        let streak = 0;
        for (let step = 0; step < 40; step++) {
          t += Math.floor(r() * 100_000);
          const now = new Date(t);
          if (!canTakeCall({ ...a, registered: true }, now)) {
            if (a.state === 'Wrap up') a = onWrapupEnded(a, new Date(Math.max(t, a.readyAt.getTime())));
            if (a.status !== 'Available') a = onStatusChange(a, 'Available', now);
            streak = a.noAnswerCount;
            continue;
          }
          a = { ...a, state: 'Receiving' };
          expect(canTakeCall({ ...a, registered: true }, now)).to.equal(false);
          if (r() < 0.4) {
            a = onAgentAnswered(a, now);
            streak = 0;
            expect(canTakeCall({ ...a, registered: true }, now)).to.equal(false);
            a = onCallEnded(a, now);
            expect(a.readyAt.getTime()).to.equal(t + a.wrapupSec * 1000);
          } else {
            const cause = causes[Math.floor(r() * causes.length)]!;
            const f = onAgentLegFailed(a, cause, now);
            expect(f.state).to.equal('Waiting');
            if (classifyAgentFailure(cause) === 'no-answer') {
              streak++;
              if (max > 0 && streak >= max) {
                expect(f.status).to.equal('On Break');
                expect(f.noAnswerCount).to.equal(0);
                streak = 0;
              } else {
                expect(f.status).to.equal('Available');
                expect(f.noAnswerCount).to.equal(streak);
              }
            } else {
              expect(f.noAnswerCount).to.equal(streak);
            }
            a = f;
          }
        }
      }
    });
  });
});
