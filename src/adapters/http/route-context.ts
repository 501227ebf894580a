import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { AuthService } from '../../app/auth/auth-service.js';
import type { WakeUp } from '../../app/ports/call-store.js';
import type { EngineSignals } from '../../app/ports/engine-signals.js';
import type { ApplyResultStatus } from '../../app/ports/result-status.js';
import { AgentRepository } from '../mysql/agent-repository.js';
import { ApiKeyRepository } from '../mysql/api-key-repository.js';
import { CalendarRepository } from '../mysql/calendar-repository.js';
import { CampaignRepository } from '../mysql/campaign-repository.js';
import { DncRepository } from '../mysql/dnc-repository.js';
import { LineGroupRepository } from '../mysql/line-group-repository.js';
import type { MemberBulkStore } from '../../app/ports/member-bulk-store.js';
import { MysqlMemberBulkStore } from '../mysql/member-bulk-store.js';
import { MemberRepository } from '../mysql/member-repository.js';
import { StatsRepository } from '../mysql/stats-repository.js';
import { TierRepository } from '../mysql/tier-repository.js';
import { UserRepository } from '../mysql/user-repository.js';

/** What the REST API is built from (wired in main.ts, or by the test helper). */
export interface ApiDeps {
  db: Knex;
  /** Reports, exports and the live boards read here (a replica when configured); `db` when absent. */
  readDb?: Knex;
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
  users: UserRepository;
  keys: ApiKeyRepository;
  calendars: CalendarRepository;
  lineGroups: LineGroupRepository;
  campaigns: CampaignRepository;
  agents: AgentRepository;
  tiers: TierRepository;
  dnc: DncRepository;
  stats: StatsRepository;
  members: MemberRepository;
  memberBulk: MemberBulkStore;
}

/** Shared by every router. */
export interface RouteContext {
  db: Knex;
  /** For read-heavy work that may lag the writer a little: reports, exports, live boards. */
  readDb: Knex;
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

export function buildRepositories(db: Knex): Repositories {
  return {
    users: new UserRepository(db),
    keys: new ApiKeyRepository(db),
    calendars: new CalendarRepository(db),
    lineGroups: new LineGroupRepository(db),
    campaigns: new CampaignRepository(db),
    agents: new AgentRepository(db),
    tiers: new TierRepository(db),
    dnc: new DncRepository(db),
    stats: new StatsRepository(db),
    members: new MemberRepository(db),
    memberBulk: new MysqlMemberBulkStore(db),
  };
}
