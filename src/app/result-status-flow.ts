import type { ResultStatusStore } from './ports/call-store.js';
import type { DispatchNews } from './ports/dispatch-news.js';
import type { EngineStore } from './ports/engine-store.js';
import type { ApplyResultStatus } from './ports/result-status.js';
import type { Timers } from './ports/timers.js';
import { toTimer } from './engine/wake-up-timer.js';

export interface ResultStatusFlowDeps {
  store: ResultStatusStore;
  timers: Pick<Timers, 'scheduleMany'>;
  engineStore: Pick<EngineStore, 'settleCampaign'>;
  /** Tells every engine process that the member is ready again (they dispatch it). */
  news?: DispatchNews | undefined;
  /** The live boards of this process (and, through the relay, of the others). */
  live: { campaign(id: number): void };
  /** Runs when the member is ready again: an engine process dispatches at once. */
  onReady?: () => void;
}

/**
 * R1, R2: the REST status of a member, then its wake-up and the campaign's end (C10). The same
 * whether an engine process or an API-only one (DIALER_ENGINE=false) answers the request: the
 * wake-up is a durable timer and the news reaches the engines, so no process is needed here.
 */
export function resultStatusFlow(d: ResultStatusFlowDeps): ApplyResultStatus {
  return async (campaignId, memberId, s, now, attemptId) => {
    const r = await d.store(campaignId, memberId, s, now, attemptId);
    await d.timers.scheduleMany(r.wakeUps.map(toTimer));
    if (r.campaignId !== null) await d.engineStore.settleCampaign(r.campaignId, now);
    d.live.campaign(campaignId);
    if (r.wakeUps.length) {
      d.news?.announce({ kind: 'settled', campaignId, agentId: null });
      d.onReady?.();
    }
    return r.outcome;
  };
}
