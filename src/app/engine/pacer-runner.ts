import type { Logger } from 'pino';
import { DEFAULT_PACER_SETTINGS, initialPacerState, pace, targetRate, type PacerDecision, type PacerSettings, type PacerState } from '../../domain/pacer.js';
import { splitLines } from '../../domain/line-split.js';
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
  /** F3: the nodes whose inbound connection is up now. */
  upNodes: () => string[];
  /** Asks for a dispatch pass (the short tick). */
  kick: () => void;
  /** The campaign's pacer decision changed (the live boards read it again). */
  changed?: (campaignId: number) => void;
}

/** What was last written for a campaign, to write again only what changed. */
interface Saved {
  atMs: number;
  state: PacerState;
  shown: string;
}

/** The pacer looks again at least this often while it holds a campaign: ringing calls age, wrap-ups come due (DESIGN §8). */
const TICK_MS = 1_000;
/** A changed decision is written at most this often (ρ's own moves, about once a minute, at once). */
const SAVE_EVERY_MS = 1_000;

/**
 * P3, P4, P7 (DESIGN §8): the pacer of each running predictive campaign, held by one process at a
 * time (a MySQL named lock: when the holder dies, another process takes it at its next pass).
 * Every dispatch pass (events, and a 1 s tick while it holds a campaign) feeds the pure pacer
 * (src/domain/pacer.ts) with what MySQL says now and dials the lines it decides, members claimed
 * without an agent: the agent is claimed at the answer.
 *
 * The controller's state and the last decision are kept in MySQL (pacer_states): a process that
 * takes a campaign over (its holder died, or this process lost and got the lock back) reads the
 * state its holder left and goes on from the measured ρ; the live boards show the decision.
 */
export class PacerRunner {
  readonly #states = new Map<number, PacerState>();
  readonly #decisions = new Map<number, PacerDecision>();
  readonly #saved = new Map<number, Saved>();
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
      this.#forget(id);
      await this.d.store.release(id);
    }
    for (const c of predictive) await this.#paceOne(c);
    this.#armTick();
  }

  async #paceOne(open: OpenCampaign): Promise<void> {
    const campaignId = open.id;
    const held = await this.d.store.hold(campaignId);
    if (!held) {
      // another process paces it: what this one kept is no longer its state
      this.#forget(campaignId);
      return;
    }
    if (held === 'taken') {
      this.#forget(campaignId);
      const kept = await this.d.store.loadState(campaignId);
      if (kept) this.#states.set(campaignId, kept);
    }
    const now = this.d.now();
    const facts = await this.d.store.facts(campaignId, now);
    if (!facts) return;
    const settings: PacerSettings = { ...DEFAULT_PACER_SETTINGS, abandonCap: facts.abandonCapPct / 100, targetShare: facts.abandonCapPct > 0 ? facts.abandonTargetPct / facts.abandonCapPct : 0 };
    const state = this.#states.get(campaignId) ?? initialPacerState(targetRate(settings));
    const r = pace({ ...facts.inputs, answeredWaiting: this.d.answeredWaiting(campaignId) }, state, settings);
    this.#states.set(campaignId, r.state);
    this.#decisions.set(campaignId, r.decision);
    await this.#save(campaignId, r.state, r.decision, now);
    if (r.decision.lines <= 0) return;
    const leaseUntil = new Date(now.getTime() + this.d.leaseSec * 1000);
    // F3: the lines go to the up nodes the campaign's agents are on (line-split.ts)
    for (const [node, n] of splitLines(r.decision.lines, facts.nodes, this.d.upNodes())) {
      const lines = await this.d.store.claimLines(open, n, node, now, this.d.instanceId, leaseUntil);
      if (lines.length) this.d.log.info({ campaignId, node, lines: lines.length, mode: r.decision.mode, reason: r.decision.reason, dialLevel: r.decision.dialLevel }, 'pacer dials');
      for (const line of lines) this.d.dial(line);
      if (lines.length < n) break; // no more members to dial now
    }
  }

  /** Writes the state and decision when ρ's bookkeeping moved, or what the boards show changed (at most every SAVE_EVERY_MS). */
  async #save(campaignId: number, state: PacerState, decision: PacerDecision, now: Date): Promise<void> {
    const last = this.#saved.get(campaignId);
    const shown = `${decision.mode} ${decision.reason} ${decision.lines} ${decision.linesInFlight} ${decision.workingAgents} ${decision.dialLevel}`;
    const controllerMoved = !last || last.state.rho !== state.rho || last.state.pacedSinceAnswers !== state.pacedSinceAnswers
      || (decision.mode === 'predictive' && last.state.stepAtMs !== state.stepAtMs);
    const due = !last || now.getTime() - last.atMs >= SAVE_EVERY_MS;
    if (!controllerMoved && !(due && shown !== last.shown)) return;
    await this.d.store.saveState(campaignId, state, decision, now, this.d.instanceId);
    this.#saved.set(campaignId, { atMs: now.getTime(), state, shown });
    if (!last || shown !== last.shown) this.d.changed?.(campaignId);
  }

  #forget(campaignId: number): void {
    this.#states.delete(campaignId);
    this.#decisions.delete(campaignId);
    this.#saved.delete(campaignId);
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
    this.#decisions.clear();
    this.#saved.clear();
  }
}
