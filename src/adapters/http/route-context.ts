import type { Logger } from 'pino';
import type { AgentDeskStore } from '../../app/agent-desk/agent-desk-store.js';
import type { AuthService } from '../../app/auth/auth-service.js';
import type { WakeUp } from '../../app/ports/call-store.js';
import type { BeginImportResult } from '../../app/members/member-batch.js';
import type { AgentStore } from '../../app/ports/agent-store.js';
import type { ApiKeyStore } from '../../app/ports/api-key-store.js';
import type { CalendarStore } from '../../app/ports/calendar-store.js';
import type { CampaignStatsReader } from '../../app/ports/campaign-stats.js';
import type { CampaignStore } from '../../app/ports/campaign-store.js';
import type { DncStore } from '../../app/ports/dnc-store.js';
import type { EngineSignals } from '../../app/ports/engine-signals.js';
import type { LineGroupStore } from '../../app/ports/line-group-store.js';
import type { LiveBoardReader } from '../../app/ports/live-board.js';
import type { MemberBulkStore } from '../../app/ports/member-bulk-store.js';
import type { MemberStore } from '../../app/ports/member-store.js';
import type { MemberWriter } from '../../app/ports/member-writer.js';
import type { ReportReader } from '../../app/ports/report-reader.js';
import type { PreviewStore } from '../../app/ports/preview-store.js';
import type { ApplyResultStatus } from '../../app/ports/result-status.js';
import type { TierStore } from '../../app/ports/tier-store.js';
import type { UserStore } from '../../app/ports/user-store.js';

/** What the REST API is built from (wired in src/api-deps.ts, or by the test helper). */
export interface ApiDeps {
  /** The storage the routes reach, through the ports of src/app only. */
  repos: Repositories;
  log: Logger;
  auth: AuthService;
  /** Told after each committed change the engine cares about. */
  signals: EngineSignals;
  /** R1, R2: the status rule with its wake-up (result-status-flow.ts). */
  applyResultStatus: ApplyResultStatus;
  /** Arms the wake-ups a change made here implies (a skipped preview's member after its retry wait, P2). */
  armWakeUps: (w: WakeUp[]) => Promise<void>;
  /** Largest JSON body, bytes (413 above). */
  maxJsonBytes: number;
  /** S5: longest silence inside a request body, and longest time for a whole body but the CSV import's, ms (408). */
  bodyTimeouts: { idleMs: number; deadlineMs: number };
  /** Largest CSV import body, inflated, bytes (413 above; S5). */
  maxImportBytes: number;
  /**
   * Express's `trust proxy`: which proxies' X-Forwarded-For names the client (its address is what
   * the failed-login limits count). @defaultValue false: the socket's peer is the client
   */
  trustProxy?: boolean | number | string;
  /** Injected clock; defaults to the wall clock. */
  now?: () => Date;
}

export interface Repositories {
  users: UserStore;
  keys: ApiKeyStore;
  calendars: CalendarStore;
  lineGroups: LineGroupStore;
  campaigns: CampaignStore;
  agents: AgentStore;
  tiers: TierStore;
  dnc: DncStore;
  stats: CampaignStatsReader;
  members: MemberStore;
  memberBulk: MemberBulkStore;
  /** M1, M2: the JSON upload's writes. */
  memberWriter: MemberWriter;
  /** M6: starts a CSV import into the campaign (one at a time per campaign). */
  beginMemberImport(campaignId: number, now: Date): Promise<BeginImportResult>;
  reports: ReportReader;
  desk: AgentDeskStore;
  /** P2: the previews of preview campaigns. */
  previews: PreviewStore;
  /** The live boards' reads; `presentAgents` names the agents with a CTI client connected (W2). */
  liveBoard(presentAgents?: () => Promise<number[]>): LiveBoardReader;
}

/** Shared by every router. */
export interface RouteContext {
  repos: Repositories;
  auth: AuthService;
  signals: EngineSignals;
  applyResultStatus: ApplyResultStatus;
  armWakeUps: (w: WakeUp[]) => Promise<void>;
  now: () => Date;
  log: Logger;
  /** Largest CSV import body, inflated, bytes (S5). */
  maxImportBytes: number;
}
