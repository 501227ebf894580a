import type { SettleResult } from './call-store.js';

/** P2: the agent's preview it was asked about is not (or no longer) there. */
export interface NoPreview {
  kind: 'no-preview';
  /** The agent's attempt state now, null for an agent without a call. */
  state: string | null;
}

/** The writes of a preview's life (MySQL: adapters/mysql/preview-store.ts), each one transaction. */
export interface PreviewStore {
  /** The agent's previewing attempt is marked accepted; the engine holding it rings the agent. */
  accept(agentId: number): Promise<{ kind: 'accepted'; attemptId: number; campaignId: number } | NoPreview | { kind: 'no-agent' }>;
  /** The agent's previewing attempt ends skipped with the reason; the member waits for its retry wait, nothing counted. */
  skip(agentId: number, reason: string, now: Date): Promise<{ kind: 'skipped'; attemptId: number; result: SettleResult } | NoPreview | { kind: 'no-agent' }>;
  /** Previewing → ringing (the agent Receiving), once: false when the preview ended otherwise meanwhile. */
  startCall(attemptId: number, now: Date): Promise<boolean>;
  /** The preview time passed: dial (accepted meanwhile, or the policy says so), return the member, or nothing left to do. */
  deadlinePassed(attemptId: number, now: Date): Promise<{ kind: 'dial' } | { kind: 'returned'; result: SettleResult } | { kind: 'gone' }>;
}
