import type { Logger } from 'pino';
import type { DispatchNewsItem } from '../ports/dispatch-news.js';
import type { EngineStore } from '../ports/engine-store.js';
import type { Telephony } from '../ports/telephony.js';
import type { LiveFeed } from './live-feed.js';
import type { Upkeep } from './upkeep.js';

export interface NewsContext {
  live: LiveFeed;
  log: Logger;
  now: () => Date;
  engineStore: EngineStore;
  telephony: Telephony;
  upkeep: Pick<Upkeep, 'checkCampaignEnds' | 'armExpiry'>;
  /** P2: the accepted preview is rung by the process holding it. */
  previewAccepted: (attemptId: number) => void;
}

/**
 * Changes, made here or announced by another process (or the import CLI), handled alike.
 * Every process hears dispatch news, so its boards are only shown the change, not relayed.
 * The caller asks for a dispatch pass afterwards.
 */
export function handleNews(items: DispatchNewsItem[], c: NewsContext): void {
  for (const n of items) {
    switch (n.kind) {
      case 'settled':
        c.live.show({ agents: n.agentId ? [n.agentId] : [], campaigns: [n.campaignId] });
        break;
      case 'campaign-changed':
        c.log.debug({ campaignId: n.campaignId }, 'campaign changed');
        c.live.show({ campaigns: [n.campaignId] });
        void c.upkeep.checkCampaignEnds().catch((err) => c.log.error({ err }, 'campaign end check failed'));
        void c.engineStore.settleCampaign(n.campaignId, c.now())
          .catch((err) => c.log.error({ err }, 'campaign settle failed'));
        break;
      case 'agent-changed':
        c.live.show({ agents: [n.agentId] });
        break;
      case 'members-added':
        c.live.show({ campaigns: [n.campaignId] });
        void c.upkeep.armExpiry().catch((err) => c.log.error({ err }, 'expiry timer failed'));
        break;
      case 'hang-up':
        // W4: every engine connected to the node sends it; the call then ends and settles as if the agent hung up.
        if (!c.telephony.upNodes().includes(n.node)) break;
        c.log.info({ attemptId: n.attemptId, node: n.node }, 'hanging up the agent\'s call');
        void c.telephony.kill(n.node, n.uuid, 'NORMAL_CLEARING').catch((err) => c.log.error({ err }, 'hang-up failed'));
        break;
      case 'preview-accepted':
        c.previewAccepted(n.attemptId);
        break;
      default: {
        const never: never = n;
        return never;
      }
    }
  }
}
