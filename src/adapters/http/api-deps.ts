import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { AuthService, type AuthDeps } from '../../app/auth/auth-service.js';
import { resolveTokenSecret } from '../../app/auth/token-secret.js';
import type { EngineSignals } from '../../app/ports/engine-signals.js';
import type { ApplyResultStatus } from '../../app/ports/result-status.js';
import { ApiKeyRepository } from '../mysql/api-key-repository.js';
import { SettingsRepository } from '../mysql/settings-repository.js';
import { UserRepository } from '../mysql/user-repository.js';
import type { ApiDeps } from './route-context.js';

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

/** Wires authentication (token secret from config or the settings table) into the API's dependencies. */
export async function buildApiDeps(o: ApiDepsOptions): Promise<ApiDeps> {
  const secret = await resolveTokenSecret(new SettingsRepository(o.db), o.token.secret);
  const auth = new AuthService({ users: new UserRepository(o.db), keys: new ApiKeyRepository(o.db), secret, ttlSec: o.token.ttlSec, login: o.login });
  return {
    db: o.db,
    readDb: o.readDb ?? o.db,
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
