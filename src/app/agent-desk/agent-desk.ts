import type { Agent, AgentStatus } from '../../contract/agent-schemas.js';
import type { DeskState } from '../../contract/agent-desk-schemas.js';
import type { WakeUp } from '../ports/call-store.js';
import type { EngineSignals } from '../ports/engine-signals.js';
import type { NoPreview, PreviewStore } from '../ports/preview-store.js';
import { PreviewDecisions } from '../engine/preview-decisions.js';
import type { ApplyResultStatus, ResultStatus } from '../ports/result-status.js';
import type { AgentDeskStore, AgentStatusSetter } from './agent-desk-store.js';

/** Attempt states of a call not over yet, and of one the agent is connected in. */
const LIVE = new Set(['previewing', 'reserved', 'ringing_agent', 'bridging', 'talking']);
const CONNECTED = new Set(['bridging', 'talking']);

/** What a desk command comes to; the REST routes (and later the CTI socket) render it. */
export type DeskOutcome<T> =
  | { kind: 'ok'; value: T }
  | { kind: 'no-agent'; agentId: number }
  /** The command does not fit the agent's state now (no call, not in wrap-up, a late status). */
  | { kind: 'conflict'; reason: string }
  /** The campaign does not allow it; `field` names the setting. */
  | { kind: 'not-allowed'; reason: string; field: string };

export interface AgentDeskDeps {
  store: AgentDeskStore;
  /** P2: the previews of preview campaigns. */
  previews: PreviewStore;
  /** Arms the wake-ups of a skipped preview (its member after the retry wait, a delay of the agent). */
  armWakeUps: (w: WakeUp[]) => Promise<void>;
  agents: AgentStatusSetter;
  applyResultStatus: ApplyResultStatus;
  signals: Pick<EngineSignals, 'agentChanged' | 'campaignChanged' | 'hangUp' | 'previewAccepted'>;
  now: () => Date;
}

/**
 * W4: the commands an agent gives about itself, the same whoever carries them (REST now, the
 * CTI socket next) and whoever gives them (the agent's own user, or a supervisor naming it).
 */
export class AgentDesk {
  readonly #previews: PreviewDecisions;

  constructor(private readonly d: AgentDeskDeps) {
    this.#previews = new PreviewDecisions(d.previews);
  }

  async state(agentId: number): Promise<DeskOutcome<DeskState>> {
    const s = await this.d.store.state(agentId);
    return s ? { kind: 'ok', value: s } : { kind: 'no-agent', agentId };
  }

  /** A5 as the supervisor sets it; the reason goes with On Break only (checked by the body schema). */
  async setStatus(agentId: number, status: AgentStatus, reason: string | null): Promise<DeskOutcome<Agent>> {
    const out = await this.d.agents.setStatus(agentId, status, this.d.now(), reason);
    if (out.kind !== 'ok') return { kind: 'no-agent', agentId };
    this.d.signals.agentChanged(agentId);
    return { kind: 'ok', value: out.agent };
  }

  /**
   * R1 for the agent's current or last call. The attempt is the agent's own, found here; the
   * status applies to it only while it is still the member's latest (R2: 409 otherwise).
   */
  async postResult(agentId: number, status: ResultStatus): Promise<DeskOutcome<unknown>> {
    const call = await this.d.store.lastCall(agentId);
    if (!call) {
      return (await this.d.store.agentExists(agentId)) ? { kind: 'conflict', reason: `agent ${agentId} has had no call to post a result for` }
        : { kind: 'no-agent', agentId };
    }
    if (!call.agentAnswered) {
      return { kind: 'conflict', reason: `agent ${agentId} did not answer its last call (attempt ${call.attemptId}); it has no result to post` };
    }
    const out = await this.d.applyResultStatus(call.campaignId, call.memberId, status, this.d.now(), call.attemptId);
    switch (out.kind) {
      case 'applied':
        // W3: the agent's clients are told the result was accepted (its card changed).
        this.d.signals.agentChanged(agentId);
        return { kind: 'ok', value: out.member };
      case 'not-found':
        return { kind: 'conflict', reason: `member ${call.memberId} of attempt ${call.attemptId} no longer exists` };
      case 'conflict':
        return { kind: 'conflict', reason: out.reason };
      default: {
        const never: never = out;
        return never;
      }
    }
  }

  /**
   * W4: hang up the agent's connected call, as if the agent put the phone down: its end then
   * settles by the ordinary rules (C6, C9, A3). Sent to the engine holding the FreeSWITCH's event
   * socket, so it is accepted, not done, when this answers. A call not connected yet (the phone
   * still ringing) is the phone's to decline.
   */
  async hangUp(agentId: number): Promise<DeskOutcome<{ attempt_id: number }>> {
    const call = await this.d.store.lastCall(agentId);
    if (!call && !(await this.d.store.agentExists(agentId))) return { kind: 'no-agent', agentId };
    if (!call || !LIVE.has(call.state)) return { kind: 'conflict', reason: `agent ${agentId} is not on a call` };
    if (call.state === 'previewing') return { kind: 'conflict', reason: `agent ${agentId}'s call (attempt ${call.attemptId}) is a preview; skip it instead` };
    if (!CONNECTED.has(call.state) || !call.node || !call.agentLegUuid) {
      return { kind: 'conflict', reason: `agent ${agentId}'s call (attempt ${call.attemptId}) is not connected yet (${call.state}); decline it on the phone` };
    }
    this.d.signals.hangUp({ attemptId: call.attemptId, node: call.node, uuid: call.agentLegUuid });
    return { kind: 'ok', value: { attempt_id: call.attemptId } };
  }

  /**
   * P2: the agent accepts the member of its preview: the engine holding the preview rings the
   * agent, then dials the member (A4). Accepted, not done, when this answers; `ringing` follows.
   */
  async acceptPreview(agentId: number): Promise<DeskOutcome<{ attempt_id: number }>> {
    const out = await this.#previews.accept(agentId);
    switch (out.kind) {
      case 'accepted':
        this.d.signals.previewAccepted(out.attemptId);
        return { kind: 'ok', value: { attempt_id: out.attemptId } };
      case 'no-agent':
        return { kind: 'no-agent', agentId };
      case 'no-preview':
        return noPreview(agentId, out);
      default: {
        const never: never = out;
        return never;
      }
    }
  }

  /**
   * P2: the agent skips the member of its preview with a reason: nothing is dialled, the attempt
   * stays in the member's history (outcome skipped, no try used), the agent is free at once.
   */
  async skipPreview(agentId: number, reason: string): Promise<DeskOutcome<{ attempt_id: number }>> {
    const out = await this.#previews.skip(agentId, reason, this.d.now());
    switch (out.kind) {
      case 'skipped':
        if (out.result.kind === 'settled') {
          await this.d.armWakeUps(out.result.wakeUps);
          this.d.signals.campaignChanged(out.result.campaignId);
        }
        this.d.signals.agentChanged(agentId);
        return { kind: 'ok', value: { attempt_id: out.attemptId } };
      case 'no-agent':
        return { kind: 'no-agent', agentId };
      case 'no-preview':
        return noPreview(agentId, out);
      default: {
        const never: never = out;
        return never;
      }
    }
  }

  /** W4: Wrap up → Waiting now, when the campaign of the call allows it; the engine is told at once. */
  async endWrapUp(agentId: number): Promise<DeskOutcome<DeskState>> {
    const out = await this.d.store.endWrapupEarly(agentId, this.d.now());
    switch (out) {
      case 'not-found':
        return { kind: 'no-agent', agentId };
      case 'not-in-wrap-up':
        return { kind: 'conflict', reason: `agent ${agentId} is not in wrap-up` };
      case 'not-allowed':
        return {
          kind: 'not-allowed', field: 'campaign.allow_end_wrap_up_early',
          reason: `the campaign of agent ${agentId}'s last call does not allow ending the wrap-up early (allow_end_wrap_up_early is false)`,
        };
      case 'ended':
        this.d.signals.agentChanged(agentId);
        return this.state(agentId);
      default: {
        const never: never = out;
        return never;
      }
    }
  }
}

function noPreview(agentId: number, out: NoPreview): DeskOutcome<never> {
  if (out.state === 'previewing') return { kind: 'conflict', reason: `agent ${agentId}'s preview is already decided` };
  return { kind: 'conflict', reason: `agent ${agentId} has no preview to decide${out.state && out.state !== 'done' ? ` (its call is ${out.state})` : ''}` };
}
