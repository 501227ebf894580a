import { EventEmitter } from 'node:events';

interface LiveEvents {
  /** An agent's status, state, registration or current call may have changed. */
  agent: [agentId: number];
  /** A campaign's state, live calls or member counts may have changed. */
  campaign: [campaignId: number];
}

/**
 * What the engine changed, as it happens: the push endpoint of the live boards listens here
 * instead of polling the database (issue: live boards). Ids only; listeners read the rows.
 */
export class LiveFeed extends EventEmitter<LiveEvents> {
  constructor() {
    super();
    // One listener per connected board; a busy contact centre opens many.
    this.setMaxListeners(0);
  }

  agent(id: number | null | undefined): void {
    if (id) this.emit('agent', id);
  }

  campaign(id: number | null | undefined): void {
    if (id) this.emit('campaign', id);
  }
}
