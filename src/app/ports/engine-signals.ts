import type { DispatchNews } from './dispatch-news.js';

/**
 * What the REST layer tells the dialing engine after a change has committed,
 * so dispatch runs when something may have become possible (DESIGN §2 step 1).
 * Calls are fire-and-forget: the database already holds the truth, a lost
 * signal only delays work until the engine's safety sweep.
 */
export interface EngineSignals {
  /** A campaign was created, changed, run, stopped or deleted. */
  campaignChanged(campaignId: number): void;
  /** An agent was created, changed, deleted or its status or tiers moved. */
  agentChanged(agentId: number): void;
  /** Members were added to a campaign (REST or CSV). */
  membersAdded(campaignId: number): void;
  /** W4: hang up this leg of a call; whichever engine holds the node's event socket does it. */
  hangUp(call: CallLeg): void;
  /** P2: the agent accepted the preview of this attempt; the engine holding it rings the agent. */
  previewAccepted(attemptId: number): void;
}

export interface CallLeg {
  attemptId: number;
  /** FreeSWITCH server of the leg. */
  node: string;
  uuid: string;
}

/** For an API without an engine anywhere (tests of the REST layer alone). */
export const noopEngineSignals: EngineSignals = {
  campaignChanged: () => undefined,
  agentChanged: () => undefined,
  membersAdded: () => undefined,
  hangUp: () => undefined,
  previewAccepted: () => undefined,
};

/** An API-only process: the engine processes hear of every change (DESIGN §1a). */
export function announcingSignals(news: DispatchNews): EngineSignals {
  return {
    campaignChanged: (campaignId) => news.announce({ kind: 'campaign-changed', campaignId }),
    agentChanged: (agentId) => news.announce({ kind: 'agent-changed', agentId }),
    membersAdded: (campaignId) => news.announce({ kind: 'members-added', campaignId }),
    hangUp: (call) => news.announce({ kind: 'hang-up', ...call }),
    previewAccepted: (attemptId) => news.announce({ kind: 'preview-accepted', attemptId }),
  };
}
