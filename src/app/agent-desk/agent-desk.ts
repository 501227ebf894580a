import type { Agent, AgentStatus } from '../../contract/agent-schemas.js';
import type { DeskState } from '../../contract/agent-desk-schemas.js';
import type { EngineSignals } from '../ports/engine-signals.js';
import type { ApplyResultStatus, ResultStatus } from '../ports/result-status.js';
import type { AgentDeskStore, AgentStatusSetter } from './agent-desk-store.js';

/** Attempt states of a call not over yet, and of one the agent is connected in. */
const LIVE = new Set(['reserved', 'ringing_agent', 'bridging', 'talking']);
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
  agents: AgentStatusSetter;
  applyResultStatus: ApplyResultStatus;
  signals: Pick<EngineSignals, 'agentChanged' | 'hangUp'>;
  now: () => Date;
}

/**
 * W4: the commands an agent gives about itself, the same whoever carries them (REST now, the
 * CTI socket next) and whoever gives them (the agent's own user, or a supervisor naming it).
 */
export class AgentDesk {
  constructor(private readonly d: AgentDeskDeps) {}

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
    if (!CONNECTED.has(call.state) || !call.node || !call.agentLegUuid) {
      return { kind: 'conflict', reason: `agent ${agentId}'s call (attempt ${call.attemptId}) is not connected yet (${call.state}); decline it on the phone` };
    }
    this.d.signals.hangUp({ attemptId: call.attemptId, node: call.node, uuid: call.agentLegUuid });
    return { kind: 'ok', value: { attempt_id: call.attemptId } };
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
