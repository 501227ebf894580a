import type { SettleResult } from '../ports/call-store.js';
import type { EngineDeps } from './engine-deps.js';
import type { LiveFeed } from './live-feed.js';
import { PacerRunner } from './pacer-runner.js';
import { PredictiveFlow } from './predictive-flow.js';
import type { Settlement } from './settlement.js';

export interface PredictiveWiring {
  flow: PredictiveFlow;
  pacer: PacerRunner;
}

/** What the engine lends the predictive parts: its settle path, feed, clock and dispatch kick. */
export interface PredictiveHost {
  settle: Settlement;
  live: LiveFeed;
  now: () => Date;
  afterSettle: (r: SettleResult) => Promise<void>;
  kick: () => void;
}

/**
 * P3, P4: a process given the predictive stores dials predictive campaigns: the subscriber-first
 * call flow and the pacers that feed it lines. Without those stores it dials none (undefined).
 */
export function wirePredictive(d: EngineDeps, host: PredictiveHost): PredictiveWiring | undefined {
  const stores = d.predictive;
  if (!stores) return undefined;
  const flow = new PredictiveFlow({
    settle: host.settle,
    store: stores.store,
    telephony: d.telephony,
    log: d.log.child({ part: 'predictive' }),
    now: host.now,
    afterSettle: host.afterSettle,
    kick: host.kick,
    live: host.live,
    agentCallerId: d.agentCallerId ?? { number: '0000000000', name: 'Dialer' },
    pacerStore: stores.pacerStore,
  });
  const pacer = new PacerRunner({
    store: stores.pacerStore,
    log: d.log.child({ part: 'pacer' }),
    now: host.now,
    instanceId: d.instanceId,
    leaseSec: d.leaseSec,
    dial: (line) => flow.startLine(line),
    answeredWaiting: (id) => flow.answeredWaiting(id),
    upNodes: () => d.telephony.upNodes(),
    kick: host.kick,
    changed: (id) => host.live.campaign(id),
  });
  return { flow, pacer };
}
