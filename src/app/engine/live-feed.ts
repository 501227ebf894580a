import { EventEmitter } from 'node:events';
import type { DispatchNewsItem } from '../ports/dispatch-news.js';

/** Ids of agents and campaigns whose board rows may have changed. */
export interface LiveNews {
  agents?: readonly number[];
  campaigns?: readonly number[];
}

interface LiveEvents {
  /** An agent's status, state, registration or current call may have changed. */
  agent: [agentId: number];
  /** A campaign's state, live calls or member counts may have changed. */
  campaign: [campaignId: number];
  /** A change made in this process that only a relay carries to the other processes' boards. */
  relay: [news: LiveNews];
  /** Whether every process's changes reach this feed (see `live`). */
  status: [live: boolean];
}

/**
 * What changed, as it happens, for the live boards of this process (issue: live boards): the
 * push endpoint listens here instead of polling the database. Ids only; listeners read the rows.
 *
 * Two ways in. `agent()` / `campaign()` for a change made here that nothing else tells the other
 * processes about (a call placed, an agent connected, a registration): a relay (Redis) passes
 * it on. `show()` for a change the other processes hear of anyway (dispatch news: settles and
 * REST changes) or that a relay brought from elsewhere: shown here, never passed on again.
 */
export class LiveFeed extends EventEmitter<LiveEvents> {
  #live: boolean;

  /** @param live whether the feed starts live; a feed fed by a relay starts false until it is connected. */
  constructor(live = true) {
    super();
    this.#live = live;
    // One listener per process's board hub, plus tests; never a leak worth a warning.
    this.setMaxListeners(0);
  }

  /**
   * True while changes made by every process reach this feed: a feed of one process alone, or
   * one whose relay is connected. False while the relay is down: the boards are then late.
   */
  get live(): boolean {
    return this.#live;
  }

  setLive(live: boolean): void {
    if (live === this.#live) return;
    this.#live = live;
    this.emit('status', live);
  }

  agent(id: number | null | undefined): void {
    if (!id) return;
    this.emit('agent', id);
    this.emit('relay', { agents: [id] });
  }

  campaign(id: number | null | undefined): void {
    if (!id) return;
    this.emit('campaign', id);
    this.emit('relay', { campaigns: [id] });
  }

  show(news: LiveNews): void {
    for (const id of news.agents ?? []) if (id) this.emit('agent', id);
    for (const id of news.campaigns ?? []) if (id) this.emit('campaign', id);
  }
}

/** What dispatch news means for the boards (a process without an engine shows it as is). */
export function liveNewsOf(items: readonly DispatchNewsItem[]): LiveNews {
  const agents: number[] = [];
  const campaigns: number[] = [];
  for (const n of items) {
    switch (n.kind) {
      case 'settled':
        if (n.agentId) agents.push(n.agentId);
        campaigns.push(n.campaignId);
        break;
      case 'campaign-changed':
      case 'members-added':
        campaigns.push(n.campaignId);
        break;
      case 'agent-changed':
        agents.push(n.agentId);
        break;
      case 'hang-up':
      case 'preview-accepted':
        // Shown when it happens: the call's end when it settles, the preview's ring when it starts.
        break;
      default: {
        const never: never = n;
        return never;
      }
    }
  }
  return { agents, campaigns };
}
