import type { Logger } from 'pino';
import type { EngineStore } from '../ports/engine-store.js';
import type { LiveFeed } from './live-feed.js';

/** How long after a settle that may end its campaign the campaign is checked (C10), ms. */
const CAMPAIGN_CHECK_DELAY_MS = 100;

/**
 * C10: whether a campaign is over, checked a moment after a settle that may have ended it; the
 * settles of one campaign within that moment share one check (one statement or two).
 */
export class CampaignChecks {
  /** Checks waiting to run, by campaign and the state its settles saw. */
  readonly #pending = new Map<string, Promise<void>>();

  constructor(private readonly d: { engineStore: EngineStore; live: LiveFeed; log: Logger; now: () => Date }) {}

  soon(campaignId: number, seen: 'running' | undefined): void {
    const key = `${campaignId}:${seen ?? ''}`;
    if (this.#pending.has(key)) return;
    const check = (async () => {
      await new Promise((r) => setTimeout(r, CAMPAIGN_CHECK_DELAY_MS));
      // From here a settle schedules a check of its own: this one may read before its write.
      this.#pending.delete(key);
      const state = await this.d.engineStore.settleCampaign(campaignId, this.d.now(), seen);
      if (state) this.d.log.info({ campaignId, state }, 'campaign settled');
      if (state) this.d.live.campaign(campaignId);
    })().catch((err) => this.d.log.error({ err, campaignId }, 'campaign settle failed'));
    this.#pending.set(key, check);
  }

  /** Resolves when the checks scheduled so far have run (graceful stop). */
  async drain(): Promise<void> {
    await Promise.all([...this.#pending.values()]);
  }
}
