import type { Logger } from 'pino';
import { isPastEnd } from '../../domain/calendar.js';
import type { CallStore } from '../ports/call-store.js';
import type { EngineStore } from '../ports/engine-store.js';
import type { Timers } from '../ports/timers.js';
import type { LiveFeed } from './live-feed.js';
import { expireMembers } from './member-expiry.js';
import { toTimer } from './wake-up-timer.js';

export interface UpkeepDeps {
  engineStore: EngineStore;
  calls: CallStore;
  timers: Timers;
  live: LiveFeed;
  log: Logger;
  now: () => Date;
  /** S3: settles the attempts whose owner is gone. */
  recover: (now: Date) => Promise<void>;
  kick: () => void;
  /** Safety sweep period, ms. @defaultValue 30000 */
  sweepMs?: number;
}

const EXPIRE_BATCH = 1000;
/** A wrap-up this late is taken as a lost wake-up, not one about to fire. */
const WRAPUP_OVERDUE_MS = 1000;

/**
 * What time does to campaigns and members, beside the calls: member expiry (M4), calendar ends
 * (C10), the wake-ups rebuilt from MySQL (S3) and the slow safety sweep over all of it.
 */
export class Upkeep {
  constructor(private readonly d: UpkeepDeps) {}

  /** The slow safety net beside the events: expiry, calendar ends, orphans, then dispatch. */
  async sweep(): Promise<void> {
    const now = this.d.now();
    await this.expire(now);
    await this.checkCampaignEnds();
    await this.d.recover(now);
    await this.d.timers.schedule({ kind: 'sweep', id: 'engine', atMs: now.getTime() + (this.d.sweepMs ?? 30_000) });
    this.d.kick();
  }

  /** M4: members past their expire instant end with MEMBER_EXPIRED. */
  async expire(now: Date): Promise<void> {
    const touched = await expireMembers(this.d.engineStore, now, EXPIRE_BATCH);
    for (const id of touched) {
      await this.d.engineStore.settleCampaign(id, now);
      this.d.live.campaign(id);
    }
    await this.armExpiry();
  }

  /** One wake-up at the next member's expire instant. */
  async armExpiry(): Promise<void> {
    const next = await this.d.engineStore.nextExpiry();
    if (next) await this.d.timers.schedule({ kind: 'member-expire', id: 'next', atMs: next.getTime() });
  }

  /** C10: a campaign stops when its calendar's end passes; otherwise it wakes up then. */
  async checkCampaignEnds(): Promise<void> {
    const now = this.d.now();
    for (const c of await this.d.engineStore.campaignCalendars()) {
      if (c.state !== 'running' || !c.calendar.endAt) continue;
      if (isPastEnd(c.calendar, now)) {
        const s = await this.d.engineStore.stopCampaign(c.id, now, { code: 'calendar-ended', at: c.calendar.endAt.toISOString() });
        this.d.live.campaign(c.id);
        this.d.log.info({ campaignId: c.id, state: s }, 'calendar end passed');
      } else {
        await this.d.timers.schedule({ kind: 'campaign-end', id: String(c.id), atMs: c.calendar.endAt.getTime() });
      }
    }
  }

  /**
   * C10: a stopping campaign with no live call left becomes stopped. Settles do this as their
   * line frees; this catches a stop that came between a settle's read and its write.
   */
  async settleStopping(now: Date): Promise<void> {
    for (const c of await this.d.engineStore.campaignCalendars()) {
      if (c.state !== 'stopping') continue;
      if (await this.d.engineStore.settleCampaign(c.id, now)) this.d.live.campaign(c.id);
    }
  }

  /**
   * A3, S3: an agent whose wrap-up ended but is still in Wrap up lost its wake-up (Redis lost it,
   * or its run failed for good); it goes back to Waiting here rather than stay stuck.
   */
  async endOverdueWrapups(now: Date): Promise<void> {
    let ended = 0;
    for (const id of await this.d.engineStore.overdueWrapups(new Date(now.getTime() - WRAPUP_OVERDUE_MS))) {
      if (!(await this.d.calls.endWrapup(id, now))) continue;
      ended++;
      this.d.live.agent(id);
    }
    if (ended) {
      this.d.log.warn({ agents: ended }, 'wrap-up ended without its wake-up');
      this.d.kick();
    }
  }

  /** S3: every wake-up MySQL implies, armed again (at start, and when Redis lost them). */
  async rebuildTimers(now: Date): Promise<void> {
    const wakeUps = await this.d.engineStore.pendingWakeUps(now);
    await this.d.timers.scheduleMany(wakeUps.map(toTimer));
    await this.armExpiry();
    await this.checkCampaignEnds();
  }
}
