import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { MysqlAgentDeskStore } from './adapters/mysql/agent-desk-store.js';
import { AgentRepository } from './adapters/mysql/agent-repository.js';
import { ApiKeyRepository } from './adapters/mysql/api-key-repository.js';
import { CalendarRepository } from './adapters/mysql/calendar-repository.js';
import { CampaignRepository } from './adapters/mysql/campaign-repository.js';
import { DncRepository } from './adapters/mysql/dnc-repository.js';
import { LineGroupRepository } from './adapters/mysql/line-group-repository.js';
import { LiveBoardStore } from './adapters/mysql/live-board-store.js';
import { MysqlMemberBulkStore } from './adapters/mysql/member-bulk-store.js';
import { beginMemberImport } from './adapters/mysql/member-import-session.js';
import { MemberRepository } from './adapters/mysql/member-repository.js';
import { MysqlPreviewStore } from './adapters/mysql/preview-store.js';
import { MysqlMemberWriter } from './adapters/mysql/mysql-member-writer.js';
import { MysqlReportReader } from './adapters/mysql/mysql-report-reader.js';
import { SettingsRepository } from './adapters/mysql/settings-repository.js';
import { StatsRepository } from './adapters/mysql/stats-repository.js';
import { TierRepository } from './adapters/mysql/tier-repository.js';
import { UserRepository } from './adapters/mysql/user-repository.js';
import type { ApiDeps, Repositories } from './adapters/http/route-context.js';
import { AuthService, type AuthDeps } from './app/auth/auth-service.js';
import { resolveTokenSecret } from './app/auth/token-secret.js';
import type { EngineSignals } from './app/ports/engine-signals.js';
import type { ApplyResultStatus } from './app/ports/result-status.js';

/*
 * The REST API's wiring: the MySQL implementations of the ports its routes use, and
 * authentication. The HTTP adapter itself never imports the MySQL one.
 */

export interface ApiDepsOptions {
  db: Knex;
  /** Where reports, exports and the live boards read (a replica); `db` when absent. */
  readDb?: Knex;
  log: Logger;
  token: { secret: string | undefined; ttlSec: number };
  /** S5: the bounds on logins (hash-gate.ts, the failed-login throttle). */
  login: AuthDeps['login'];
  maxJsonBytes: number;
  trustProxy?: ApiDeps['trustProxy'];
  bodyTimeouts: ApiDeps['bodyTimeouts'];
  maxImportBytes: number;
  signals: EngineSignals;
  applyResultStatus: ApplyResultStatus;
  armWakeUps: ApiDeps['armWakeUps'];
  now?: () => Date;
}

/** `readDb` serves the read-heavy work that may lag the writer a little: reports, exports, live boards. */
export function buildRepositories(db: Knex, readDb: Knex = db): Repositories {
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
    memberWriter: new MysqlMemberWriter(db),
    beginMemberImport: (campaignId, now) => beginMemberImport(db, campaignId, now),
    reports: new MysqlReportReader(readDb),
    desk: new MysqlAgentDeskStore(db),
    previews: new MysqlPreviewStore(db),
    liveBoard: (presentAgents) => new LiveBoardStore(readDb, presentAgents),
  };
}

/** Wires storage and authentication (token secret from config or the settings table) into the API's dependencies. */
export async function buildApiDeps(o: ApiDepsOptions): Promise<ApiDeps> {
  const repos = buildRepositories(o.db, o.readDb ?? o.db);
  const secret = await resolveTokenSecret(new SettingsRepository(o.db), o.token.secret);
  const auth = new AuthService({ users: repos.users, keys: repos.keys, secret, ttlSec: o.token.ttlSec, login: o.login });
  return {
    repos,
    log: o.log,
    auth,
    signals: o.signals,
    maxJsonBytes: o.maxJsonBytes,
    ...(o.trustProxy !== undefined ? { trustProxy: o.trustProxy } : {}),
    bodyTimeouts: o.bodyTimeouts,
    maxImportBytes: o.maxImportBytes,
    applyResultStatus: o.applyResultStatus,
    armWakeUps: o.armWakeUps,
    ...(o.now ? { now: o.now } : {}),
  };
}
