/**
 * The callees and the team of one simulated campaign (issue 18: answer rates 0.10 / 0.20 / 0.35,
 * machines 15 %, busy 10 %, lognormal answer delays and talk times of mean 150 s, 20 s wrap-up,
 * teams of 5 to 50, a step change, slow drift, 30 % of the agents logging out at once).
 */
export interface Scenario {
  name: string;
  agents: number;
  /** The human-answer rate at a virtual instant (seconds since the run began). */
  humanRate: (atSec: number) => number;
  /** Share of dials answered by a machine. */
  machineRate: number;
  /** Share of dials ended busy by the network. */
  busyRate: number;
  /**
   * true: the switch tells machines apart (an AMD module) and ends them without an agent;
   * false: stock 1.10, every answer needs an agent (an agent hears the machine and hangs up).
   */
  amd: boolean;
  /** Dialling hours per day, seconds; calls still live at the end finish, nothing new is dialled. */
  shiftSec: number;
  days: number;
  /** P4 compliance window the pacer is told about. */
  window: 'day' | 'rolling-30-days';
  /** This share of the agents logs out at this instant (idle and wrapping at once, talking after the call). */
  logout?: { atSec: number; share: number };
  /** When the answer rate steps (the recovery is measured from here). */
  stepAtSec?: number;
}

/** Callee and agent laws shared by every scenario. */
export const LAWS = {
  /** The dialer's ring timeout (P5: at least the 15 s minimum ring time). */
  ringTimeoutSec: 25,
  minRingSec: 15,
  humanAnswerMeanSec: 8,
  humanAnswerSigma: 0.45,
  machineAnswerMeanSec: 18,
  machineAnswerSigma: 0.2,
  /** AMD on: the switch ends a machine call this long after it answered. */
  amdSec: 3,
  busyMeanSec: 4,
  talkMeanSec: 150,
  talkSigma: 0.6,
  /** AMD off: an agent on a machine hangs up after about this long. */
  machineTalkMeanSec: 12,
  wrapUpSec: 20,
  /** P3: an answered call without an agent this long is abandoned (information message). */
  connectLimitSec: 2,
  /** C2: the campaign's line limit, per agent logged in at the start. */
  linesPerAgentLimit: 5,
} as const;

const HOUR = 3600;
const constant = (rate: number) => () => rate;

/** The scenarios; `hours` sets the shift (the test runs short ones). */
export function scenarios(hours: number): Scenario[] {
  const shiftSec = hours * HOUR;
  const base = { machineRate: 0.15, busyRate: 0.1, amd: true, shiftSec, days: 1, window: 'day' as const };
  const list: Scenario[] = [];
  for (const rate of [0.1, 0.2, 0.35]) {
    for (const agents of [5, 10, 25, 50]) {
      list.push({ ...base, name: `h=${rate.toFixed(2)} agents=${agents}`, agents, humanRate: constant(rate) });
    }
  }
  const half = shiftSec / 2;
  list.push({
    ...base, name: 'step 0.10→0.35 agents=25', agents: 25, stepAtSec: half,
    humanRate: (t) => (t < half ? 0.1 : 0.35),
  });
  list.push({
    ...base, name: 'step 0.35→0.10 agents=25', agents: 25, stepAtSec: half,
    humanRate: (t) => (t < half ? 0.35 : 0.1),
  });
  list.push({
    ...base, name: 'drift 0.10→0.35 agents=25', agents: 25,
    humanRate: (t) => 0.1 + 0.25 * Math.min(1, (t % (24 * HOUR)) / shiftSec),
  });
  list.push({
    ...base, name: 'logout 30% agents=25 h=0.20', agents: 25, humanRate: constant(0.2),
    logout: { atSec: half, share: 0.3 },
  });
  list.push({ ...base, name: 'no AMD h=0.20 agents=25', agents: 25, amd: false, humanRate: constant(0.2) });
  return list;
}

/** Thirty shifts in a row under the rolling 30-day window (the 30-day bucket). */
export function monthScenario(hoursPerDay: number): Scenario {
  return {
    name: '30 days h=0.20 agents=10', agents: 10, humanRate: constant(0.2), machineRate: 0.15, busyRate: 0.1,
    amd: true, shiftSec: hoursPerDay * HOUR, days: 30, window: 'rolling-30-days',
  };
}
