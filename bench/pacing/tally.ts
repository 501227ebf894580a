/**
 * What one simulated run counts: the compliance figures (answers, abandons, per day and per
 * minute), the call-flow checks (connect or message delay, calls ended before the minimum
 * ring), agent occupancy, and a digest of every dial instant (same seed, same run).
 */
import type { AbandonCounts } from '../../src/domain/pacer.js';
import { LAWS, type Scenario } from './scenario.js';

export class Tally {
  dials = 0;
  answers = 0;
  humanAnswers = 0;
  abandons = 0;
  humanAbandons = 0;
  bridged = 0;
  /** Longest answer → bridge or answer → information message, seconds. */
  maxConnectSec = 0;
  /** Answers neither bridged nor with the message started within the connect limit. */
  lateAnswers = 0;
  dialerEnded = 0;
  endedBeforeMinRing = 0;
  /** Agent-seconds in a call or wrap-up, and logged in, within the shifts. */
  busySec = 0;
  loggedSec = 0;
  /** Highest (lines in flight ÷ working agents) after a decision that dialled. */
  maxDialLevel = 0;
  readonly days: AbandonCounts[] = [];
  /** Answers and abandons by minute of the answer since the run began. */
  readonly perMinute = new Map<number, AbandonCounts>();
  readonly reasons = new Map<string, number>();
  /** The pacer's ρ at the end of the run. */
  rho = 0;
  digest = 0x811c9dc5;

  constructor(readonly scenario: Scenario, readonly policy: string, readonly seed: number) {}

  get occupancy(): number {
    return this.loggedSec > 0 ? this.busySec / this.loggedSec : 0;
  }

  dial(atSec: number): void {
    this.dials++;
    this.mix(Math.round(atSec * 1000));
  }

  answered(human: boolean, atSec: number): void {
    this.answers++;
    if (human) this.humanAnswers++;
    this.day().answered++;
    this.minute(atSec).answered++;
  }

  connected(delaySec: number, _human: boolean, _atSec: number): void {
    this.bridged++;
    this.checkDelay(delaySec);
  }

  abandoned(delaySec: number, human: boolean, atSec: number): void {
    this.abandons++;
    if (human) this.humanAbandons++;
    this.day().abandoned++;
    this.minute(atSec - delaySec).abandoned++;
    this.checkDelay(delaySec);
  }

  ended(byDialer: boolean, ringSec: number): void {
    if (!byDialer) return;
    this.dialerEnded++;
    if (ringSec < LAWS.minRingSec) this.endedBeforeMinRing++;
  }

  level(dialLevel: number, working: number, lines: number): void {
    if (working > 0 && lines > 0) this.maxDialLevel = Math.max(this.maxDialLevel, dialLevel);
  }

  paced(reason: string): void {
    this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + 1);
  }

  newDay(day: number): void {
    this.days[day] = { answered: 0, abandoned: 0 };
  }

  dayCounts(): AbandonCounts {
    return { ...this.day() };
  }

  totalCounts(): AbandonCounts {
    return { answered: this.answers, abandoned: this.abandons };
  }

  private day(): AbandonCounts {
    const d = this.days[this.days.length - 1];
    if (!d) throw new Error('no day started');
    return d;
  }

  private minute(atSec: number): AbandonCounts {
    const m = Math.floor(atSec / 60);
    let c = this.perMinute.get(m);
    if (!c) this.perMinute.set(m, (c = { answered: 0, abandoned: 0 }));
    return c;
  }

  private checkDelay(delaySec: number): void {
    this.maxConnectSec = Math.max(this.maxConnectSec, delaySec);
    // A microsecond of slack: (answer + 2) − answer in floating point can exceed 2 by an ulp.
    if (delaySec > LAWS.connectLimitSec + 1e-6) this.lateAnswers++;
  }

  private mix(x: number): void {
    this.digest = Math.imul(this.digest ^ (x & 0xffff), 0x01000193) >>> 0;
    this.digest = Math.imul(this.digest ^ (x >>> 16), 0x01000193) >>> 0;
  }
}

/** The outcome (abandoned or not) of the last `size` answers: the controller's measured rate. */
export class RecentAnswers {
  readonly #ring: boolean[] = [];
  #next = 0;
  #abandoned = 0;

  constructor(readonly size: number) {}

  add(abandoned: boolean): void {
    if (this.#ring.length < this.size) this.#ring.push(abandoned);
    else {
      if (this.#ring[this.#next]) this.#abandoned--;
      this.#ring[this.#next] = abandoned;
      this.#next = (this.#next + 1) % this.size;
    }
    if (abandoned) this.#abandoned++;
  }

  counts(): AbandonCounts {
    return { answered: this.#ring.length, abandoned: this.#abandoned };
  }
}
