import type { Knex } from 'knex';
import type { EngineSignals } from '../ports/engine-signals.js';
import type { Campaign, CampaignState } from '../../contract/campaign-schemas.js';

/** What run/stop needs from storage (the MySQL campaign repository). */
export interface CampaignStateStore {
  transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T>;
  lockForStateChange(trx: Knex.Transaction, id: number): Promise<{ state: CampaignState } | undefined>;
  setState(trx: Knex.Transaction, id: number, state: CampaignState, now: Date): Promise<void>;
  countLiveAttempts(trx: Knex, id: number): Promise<number>;
  get(id: number): Promise<Campaign | undefined>;
}

export type StateChange =
  | { kind: 'changed'; campaign: Campaign }
  | { kind: 'unchanged'; campaign: Campaign }
  | { kind: 'not-found' }
  | { kind: 'bad-state'; state: CampaignState };

type Decision = { to: CampaignState } | { kind: 'same' } | { kind: 'refuse' };

/** C10: run from any state but running; a stopping campaign may be run again before it drains. */
export function decideRun(from: CampaignState): Decision {
  return from === 'running' ? { kind: 'same' } : { to: 'running' };
}

/** C10: stop dials nothing new; live calls finish first (the engine moves stopping → stopped). */
export function decideStop(from: CampaignState, liveAttempts: number): Decision {
  switch (from) {
    case 'running':
      return { to: liveAttempts > 0 ? 'stopping' : 'stopped' };
    case 'stopping':
    case 'stopped':
      return { kind: 'same' };
    case 'idle':
    case 'finished':
      return { kind: 'refuse' };
    default: {
      const never: never = from;
      return never;
    }
  }
}

async function change(
  store: CampaignStateStore,
  signals: EngineSignals,
  id: number,
  now: Date,
  decide: (from: CampaignState, live: () => Promise<number>) => Promise<Decision>,
): Promise<StateChange> {
  const out = await store.transaction(async (trx) => {
    const row = await store.lockForStateChange(trx, id);
    if (!row) return { kind: 'not-found' } as const;
    const d = await decide(row.state, () => store.countLiveAttempts(trx, id));
    if ('to' in d) {
      await store.setState(trx, id, d.to, now);
      return { kind: 'changed' } as const;
    }
    return d.kind === 'same' ? ({ kind: 'unchanged' } as const) : ({ kind: 'bad-state', state: row.state } as const);
  });
  if (out.kind === 'not-found' || out.kind === 'bad-state') return out;
  // Signal after commit, so the engine reads the new state.
  if (out.kind === 'changed') signals.campaignChanged(id);
  const campaign = await store.get(id);
  return campaign ? { kind: out.kind, campaign } : { kind: 'not-found' };
}

export function runCampaign(store: CampaignStateStore, signals: EngineSignals, id: number, now: Date): Promise<StateChange> {
  return change(store, signals, id, now, async (from) => decideRun(from));
}

export function stopCampaign(store: CampaignStateStore, signals: EngineSignals, id: number, now: Date): Promise<StateChange> {
  return change(store, signals, id, now, async (from, live) => (from === 'running' ? decideStop(from, await live()) : decideStop(from, 0)));
}
