import type { Logger } from 'pino';
import type { CallStore, ResultStatusStore } from '../ports/call-store.js';
import type { DialFactsStore } from '../ports/dial-facts.js';
import type { DispatchNews } from '../ports/dispatch-news.js';
import type { DispatchStore } from '../ports/dispatch-store.js';
import type { EngineStore } from '../ports/engine-store.js';
import type { PacerStore } from '../ports/pacer-store.js';
import type { PredictiveStore } from '../ports/predictive-store.js';
import type { PreviewStore } from '../ports/preview-store.js';
import type { Telephony } from '../ports/telephony.js';
import type { Timers } from '../ports/timers.js';
import type { EngineMetrics } from './engine-metrics.js';
import type { LiveFeed } from './live-feed.js';

/** What the engine (engine.ts) is built from: its ports and settings. */
export interface EngineDeps {
  dispatchStore: DispatchStore;
  calls: CallStore;
  /** P2: the previews of preview campaigns. */
  previews: PreviewStore;
  resultStatus: ResultStatusStore;
  engineStore: EngineStore;
  telephony: Telephony;
  timers: Timers;
  log: Logger;
  now?: () => Date;
  instanceId: string;
  leaseSec: number;
  /** Safety sweep period, ms (DESIGN §2: a slow sweep beside the events). @defaultValue 30000 */
  sweepMs?: number;
  agentCallerId?: { number: string; name: string };
  metrics?: EngineMetrics;
  /**
   * True when Redis lost the wake-ups since the last call (FLUSHALL, a restart of a Redis that
   * keeps nothing on disk): they are rebuilt from MySQL (S3). Asked every housekeeping period.
   */
  timersLost?: () => Promise<boolean>;
  /** Shares "work may be possible" with the other engine processes (DESIGN §1a). */
  news?: DispatchNews;
  /** How long close() waits for this process's live attempts to settle, ms. @defaultValue 20000 */
  drainMs?: number;
  /** The process's live feed (the runtime relays it to the other processes); its own when absent. */
  live?: LiveFeed;
  /** Issue 13 §1: the facts behind each running campaign's reason; no reasons when absent. */
  dialFacts?: DialFactsStore;
  /** W2: agents with a CTI client connected now (Redis); absent: nobody has one. */
  presentAgents?: () => Promise<number[]>;
  /**
   * P3, P4: predictive campaigns' stores: each one is dialled by its pacer, members first and the
   * agent claimed at the answer. Without them this process dials no predictive campaign.
   */
  predictive?: { store: PredictiveStore; pacerStore: PacerStore };
}
