/**
 * One seeded run of a campaign in virtual time: callees answer, agents talk and wrap up, and the
 * policy under test decides when to dial — the real pacer (src/domain/pacer.ts) or the
 * progressive baseline (one line per idle agent no call is heading for).
 *
 * The call flow is the one P3 asks of the switch: an answered call is bridged to an agent free
 * at once or within the connect limit (2 s); at the limit the information message starts and
 * the call counts as abandoned. The dialer ends an unanswered call only at its ring timeout
 * (P5). Every event goes through one binary-heap agenda; same seed, same run.
 */
import { DEFAULT_PACER_SETTINGS, initialPacerState, pace, targetRate, type EndedDial, type PacerReason, type PacerState } from '../../src/domain/pacer.js';
import { EventQueue } from './event-queue.js';
import { assertNever } from '../../src/domain/assert-never.js';
import { normal, stream, type Rng } from './prng.js';
import { LAWS, type Scenario } from './scenario.js';
import { RecentAnswers, Tally } from './tally.js';

export type Policy = 'pacer' | 'progressive';

interface Agent {
  id: number;
  state: 'idle' | 'talking' | 'wrap' | 'out';
  /** Start of the current talk or wrap-up. */
  since: number;
  /** End of the current wrap-up. */
  until: number;
  leaving: boolean;
  loggedInAt: number;
}

interface Call {
  dialAt: number;
  /** −1: never answered. */
  answerAt: number;
  human: boolean;
  talkSec: number;
  /** The network ends the call busy this long after the dial; −1: not busy. */
  busySec: number;
}

type Event =
  | { atSec: number; kind: 'tick' | 'day-end' | 'logout' }
  | { atSec: number; kind: 'day-start'; day: number }
  | { atSec: number; kind: 'answer' | 'deadline'; call: Call }
  | { atSec: number; kind: 'ring-end'; call: Call; byDialer: boolean; answered: boolean }
  | { atSec: number; kind: 'talk-end' | 'wrap-end'; agent: Agent };

const DAY_SEC = 86_400;
const KEEP = 300;

export function simulate(sc: Scenario, policy: Policy, seed: number): Tally {
  const callees = stream(seed, 1);
  const people = stream(seed, 2);
  const q = new EventQueue<Event>();
  const t = new Tally(sc, policy, seed);
  const agents: Agent[] = Array.from({ length: sc.agents }, (_, id) => ({ id, state: 'out', since: 0, until: 0, leaving: false, loggedInAt: 0 }));
  let idle: Agent[] = [];
  const ringing = new Set<Call>();
  const waiting: Call[] = [];
  let talkingCalls = 0;
  let dialling = false;
  let dayStart = 0;
  let dayEnd = 0;
  let now = 0;
  const recentDials: EndedDial[] = [];
  const talkTimesSec: number[] = [];
  const recentAnswers = new RecentAnswers(500);
  let state: PacerState = initialPacerState(targetRate(DEFAULT_PACER_SETTINGS));

  const clip = (a: number, b: number) => Math.max(0, Math.min(b, dayEnd) - Math.max(a, dayStart));
  const keep = <T>(xs: T[], x: T) => {
    xs.push(x);
    if (xs.length > 2 * KEEP) xs.splice(0, xs.length - KEEP);
  };
  const logOut = (a: Agent) => {
    t.loggedSec += clip(a.loggedInAt, now);
    a.state = 'out';
    a.leaving = false;
  };

  const dial = () => {
    const call = drawCall(callees, sc, now);
    t.dial(now);
    ringing.add(call);
    if (call.answerAt >= 0) q.push({ atSec: call.answerAt, kind: 'answer', call });
    else if (call.busySec >= 0) q.push({ atSec: now + call.busySec, kind: 'ring-end', call, byDialer: false, answered: false });
    else q.push({ atSec: now + LAWS.ringTimeoutSec, kind: 'ring-end', call, byDialer: true, answered: false });
  };

  const evaluate = () => {
    if (!dialling) return;
    const live = ringing.size + waiting.length + talkingCalls;
    const linesAllowed = Math.max(0, LAWS.linesPerAgentLimit * sc.agents - live);
    let lines: number;
    let reason: PacerReason | 'progressive' = 'progressive';
    if (policy === 'progressive') {
      lines = Math.min(linesAllowed, Math.max(0, idle.length - ringing.size - waiting.length));
    } else {
      const wrapUpRemainingSec: number[] = [];
      const talking: { elapsedSec: number; wrapUpSec: number }[] = [];
      for (const a of agents) {
        if (a.leaving) continue;
        if (a.state === 'wrap') wrapUpRemainingSec.push(a.until - now);
        else if (a.state === 'talking') talking.push({ elapsedSec: now - a.since, wrapUpSec: LAWS.wrapUpSec });
      }
      const inFlightElapsedSec: number[] = [];
      for (const c of ringing) inFlightElapsedSec.push(now - c.dialAt);
      const r = pace({
        nowMs: now * 1000, idleAgents: idle.length, wrapUpRemainingSec, talking, inFlightElapsedSec,
        answeredWaiting: waiting.length, recentDials, talkTimesSec,
        window: sc.window === 'day' ? t.dayCounts() : t.totalCounts(), recentAnswers: recentAnswers.counts(),
        answersKnown: t.answers, linesAllowed,
      }, state);
      state = r.state;
      t.rho = state.rho;
      lines = r.decision.lines;
      reason = r.decision.reason;
      t.level(r.decision.dialLevel, r.decision.workingAgents, r.decision.linesInFlight + lines);
    }
    t.paced(reason);
    for (let i = 0; i < lines; i++) dial();
  };

  const bridge = (call: Call, agent: Agent) => {
    agent.state = 'talking';
    agent.since = now;
    talkingCalls++;
    t.connected(now - call.answerAt, call.human, now);
    recentAnswers.add(false);
    q.push({ atSec: now + call.talkSec, kind: 'talk-end', agent });
  };

  const agentFree = (agent: Agent) => {
    const call = waiting.shift();
    if (call) return bridge(call, agent);
    agent.state = 'idle';
    idle.push(agent);
    evaluate();
  };

  q.push({ atSec: 0, kind: 'day-start', day: 0 });
  if (sc.logout) q.push({ atSec: sc.logout.atSec, kind: 'logout' });
  for (let e = q.pop(); e; e = q.pop()) {
    now = e.atSec;
    switch (e.kind) {
      case 'day-start':
        dayStart = now;
        dayEnd = now + sc.shiftSec;
        dialling = true;
        t.newDay(e.day);
        for (const a of agents) {
          if (a.state !== 'out') continue;
          a.loggedInAt = now;
          agentFree(a);
        }
        q.push({ atSec: dayEnd, kind: 'day-end' });
        if (e.day + 1 < sc.days) q.push({ atSec: (e.day + 1) * DAY_SEC, kind: 'day-start', day: e.day + 1 });
        q.push({ atSec: now + 1, kind: 'tick' });
        break;
      case 'tick':
        if (!dialling) break;
        evaluate();
        q.push({ atSec: now + 1, kind: 'tick' });
        break;
      case 'day-end':
        dialling = false;
        for (const a of agents) {
          if (a.state === 'out') continue;
          t.loggedSec += clip(a.loggedInAt, now);
          a.loggedInAt = now;
        }
        break;
      case 'logout': {
        const present = agents.filter((a) => a.state !== 'out');
        shuffle(present, people);
        for (const a of present.slice(0, Math.round(sc.logout!.share * sc.agents))) {
          if (a.state === 'talking') { a.leaving = true; continue; }
          if (a.state === 'wrap') t.busySec += clip(a.since, now);
          idle = idle.filter((x) => x !== a);
          logOut(a);
        }
        evaluate();
        break;
      }
      case 'answer': {
        const { call } = e;
        ringing.delete(call);
        if (call.human || !sc.amd) {
          t.answered(call.human, now);
          keep(recentDials, { answered: true, durationSec: now - call.dialAt });
          const agent = idle.pop();
          if (agent) bridge(call, agent);
          else {
            waiting.push(call);
            q.push({ atSec: now + LAWS.connectLimitSec, kind: 'deadline', call });
          }
        } else {
          ringing.add(call);
          q.push({ atSec: now + LAWS.amdSec, kind: 'ring-end', call, byDialer: false, answered: true });
        }
        break;
      }
      case 'deadline': {
        const i = waiting.indexOf(e.call);
        if (i < 0) break;
        waiting.splice(i, 1);
        t.abandoned(now - e.call.answerAt, e.call.human, now);
        recentAnswers.add(true);
        break;
      }
      case 'ring-end':
        ringing.delete(e.call);
        t.ended(e.byDialer, now - e.call.dialAt);
        keep(recentDials, { answered: false, durationSec: now - e.call.dialAt });
        // A failed line is a reason to dial again only for an idle agent (the baseline cannot dial
        // otherwise); the pacer's other reasons wait for its tick.
        if (idle.length > 0) evaluate();
        break;
      case 'talk-end': {
        const a = e.agent;
        talkingCalls--;
        keep(talkTimesSec, now - a.since);
        t.busySec += clip(a.since, now);
        if (a.leaving || a.state === 'out') { logOut(a); break; }
        a.state = 'wrap';
        a.since = now;
        a.until = now + LAWS.wrapUpSec;
        q.push({ atSec: a.until, kind: 'wrap-end', agent: a });
        break;
      }
      case 'wrap-end': {
        const a = e.agent;
        if (a.state !== 'wrap' || a.until !== now) break;
        t.busySec += clip(a.since, now);
        agentFree(a);
        break;
      }
      default:
        assertNever(e);
    }
  }
  return t;
}

/** One callee, drawn with a fixed number of draws so paired runs see the same callees in order. */
function drawCall(r: Rng, sc: Scenario, now: number): Call {
  const u = r();
  const zAnswer = normal(r);
  const zTalk = normal(r);
  const h = sc.humanRate(now);
  const ln = (mean: number, sigma: number, z: number) => mean * Math.exp(sigma * z - (sigma * sigma) / 2);
  const none = { dialAt: now, answerAt: -1, human: false, talkSec: 0, busySec: -1 };
  if (u < h + sc.machineRate) {
    const human = u < h;
    const delay = human ? ln(LAWS.humanAnswerMeanSec, LAWS.humanAnswerSigma, zAnswer) : ln(LAWS.machineAnswerMeanSec, LAWS.machineAnswerSigma, zAnswer);
    if (delay >= LAWS.ringTimeoutSec) return none;
    const talkSec = human ? ln(LAWS.talkMeanSec, LAWS.talkSigma, zTalk) : ln(LAWS.machineTalkMeanSec, 0.4, zTalk);
    return { ...none, answerAt: now + delay, human, talkSec };
  }
  if (u < h + sc.machineRate + sc.busyRate) return { ...none, busySec: ln(LAWS.busyMeanSec, 0.3, zTalk) };
  return none;
}

function shuffle<T>(xs: T[], r: Rng): void {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
}
