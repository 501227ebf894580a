import type { Logger } from 'pino';
import { DEFAULT_PACER_SETTINGS, initialPacerState, pace, targetRate, type PacerDecision, type PacerSettings, type PacerState } from '../../domain/pacer.js';
import type { OpenCampaign } from '../ports/dispatch-store.js';
import type { ClaimedLine, PacerStore } from '../ports/pacer-store.js';

export interface PacerRunnerDeps {
  store: PacerStore;
  log: Logger;
  now: () => Date;
  instanceId: string;
  leaseSec: number;
  /** Dials a claimed line (PredictiveFlow.startLine). */
  dial: (line: ClaimedLine) => void;
  /** Answered subscribers of the campaign not yet bridged nor abandoned, in this process. */
  answeredWaiting: (campaignId: number) => number;
  /** Asks for a dispatch pass (the short tick). */
  kick: () => void;
}

/** The pacer looks again at least this often while it holds a campaign: ringing calls age, wrap-ups come due (DESIGN §8). */
const TICK_MS = 1_000;

/**
 * P3, P4, P7 (DESIGN §8): the pacer of each running predictive campaign, held by one process at a
 * time (a MySQL named lock: when the holder dies, another process takes it at its next pass).
 * Every dispatch pass (events, and a 1 s tick while it holds a campaign) feeds the pure pacer
 * (src/domain/pacer.ts) with what MySQL says now and dials the lines it decides, members claimed
 * without an agent: the agent is claimed at the answer.
 */
export class PacerRunner {
  readonly #states = new Map<number, PacerState>();
  readonly #decisions = new Map<number, PacerDecision>();
  #tick: NodeJS.Timeout | null = null;

  constructor(private readonly d: PacerRunnerDeps) {}

  /** The last decision per held campaign (boards, logs). */
  decision(campaignId: number): PacerDecision | undefined {
    return this.#decisions.get(campaignId);
  }

  async run(open: readonly OpenCampaign[]): Promise<void> {
    const predictive = open.filter((c) => c.predictive);
    for (const id of [...this.#states.keys()]) {
      if (predictive.some((c) => c.id === id)) continue;
      this.#states.delete(id);
      this.#decisions.delete(id);
      await this.d.store.release(id);
    }
    for (const c of predictive) await this.#paceOne(c);
    this.#armTick();
  }

  async #paceOne(open: OpenCampaign): Promise<void> {
    const campaignId = open.id;
    if (!(await this.d.store.hold(campaignId))) return;
    const now = this.d.now();
    const facts = await this.d.store.facts(campaignId, now);
    if (!facts) return;
    const settings: PacerSettings = { ...DEFAULT_PACER_SETTINGS, abandonCap: facts.abandonCapPct / 100, targetShare: facts.abandonCapPct > 0 ? facts.abandonTargetPct / facts.abandonCapPct : 0 };
    const state = this.#states.get(campaignId) ?? initialPacerState(targetRate(settings));
    const r = pace({ ...facts.inputs, answeredWaiting: this.d.answeredWaiting(campaignId) }, state, settings);
    this.#states.set(campaignId, r.state);
    this.#decisions.set(campaignId, r.decision);
    if (r.decision.lines <= 0 || facts.node === null) return;
    const leaseUntil = new Date(now.getTime() + this.d.leaseSec * 1000);
    const lines = await this.d.store.claimLines(open, r.decision.lines, facts.node, now, this.d.instanceId, leaseUntil);
    if (lines.length) this.d.log.info({ campaignId, lines: lines.length, mode: r.decision.mode, reason: r.decision.reason, dialLevel: r.decision.dialLevel }, 'pacer dials');
    for (const line of lines) this.d.dial(line);
  }

  #armTick(): void {
    if (this.#states.size === 0 || this.#tick) return;
    this.#tick = setTimeout(() => {
      this.#tick = null;
      this.d.kick();
    }, TICK_MS);
    this.#tick.unref();
  }

  async close(): Promise<void> {
    if (this.#tick) clearTimeout(this.#tick);
    this.#tick = null;
    for (const id of [...this.#states.keys()]) await this.d.store.release(id).catch(() => undefined);
    this.#states.clear();
  }
}
