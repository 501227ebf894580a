import { randomUUID } from 'node:crypto';
import type { LoginThrottle } from '../ports/login-throttle.js';
import { checkAccessToken, signAccessToken } from './access-token.js';
import type { HashGate } from './hash-gate.js';
import { generatePassword, hashPassword, verifyPassword } from './password.js';
import type { Role } from './roles.js';

export interface Principal {
  userId: number;
  username: string;
  role: Role;
  key: string;
}

export type LoginOutcome =
  | { kind: 'ok'; key: string; token: string; expires: string; role: Role }
  | { kind: 'bad-credentials' }
  /** S5: too many failed logins for this user or address: try again after that many seconds. */
  | { kind: 'throttled'; retryAfterSec: number }
  /** S5: too many logins being checked at once: try again after that many seconds. */
  | { kind: 'busy'; retryAfterSec: number };

export type AuthOutcome =
  | { kind: 'ok'; principal: Principal }
  | { kind: 'unauthorized'; reason: string };

export type FirstAdminOutcome =
  | { kind: 'exists' }
  | { kind: 'created'; username: string; generatedPassword: string | undefined };

/** What authentication needs from storage (implemented by the MySQL user and key repositories). */
export interface AuthUserStore {
  count(): Promise<number>;
  findByUsername(username: string): Promise<{ id: number; role: Role; passwordHash: string } | undefined>;
  create(u: { username: string; role: Role; passwordHash: string }): Promise<{ kind: string }>;
}

export interface AuthKeyStore {
  create(key: string, userId: number, createdAt: Date, expiresAt: Date): Promise<void>;
  find(key: string): Promise<{ userId: number; username: string; role: Role; expiresAt: Date; revokedAt: Date | null } | undefined>;
  revoke(key: string, now: Date): Promise<void>;
}

export interface AuthDeps {
  users: AuthUserStore;
  keys: AuthKeyStore;
  secret: string;
  ttlSec: number;
  /** S5: what bounds the cost of logins: concurrent password checks, and failures per user and address. */
  login: { gate: HashGate; throttle: LoginThrottle };
}

/** A refused check is retried soon: a hash takes tens of milliseconds. */
const BUSY_RETRY_SEC = 1;

/** S1: login, logout and the check every /api call goes through. */
export class AuthService {
  constructor(private readonly d: AuthDeps) {}

  /** `address`: the client's, for the failed-login limits. */
  async login(username: string, password: string, address: string, now: Date): Promise<LoginOutcome> {
    const { gate, throttle } = this.d.login;
    const user = await this.d.users.findByUsername(username);
    // Counted per account: the database matches names without regard to case, so must the limits.
    const who = user ? `id:${user.id}` : `name:${username.trim().toLowerCase()}`;
    // Checked before hashing: a throttled guess costs no CPU, and its answer says nothing about the password.
    const wait = await throttle.waitSec(who, address);
    if (wait > 0) return { kind: 'throttled', retryAfterSec: wait };
    // Verify against a throwaway hash for unknown users too, so timing does not reveal which names exist.
    const checked = await gate.run(() => verifyPassword(password, user?.passwordHash ?? DUMMY_HASH));
    if (checked.kind === 'busy') return { kind: 'busy', retryAfterSec: BUSY_RETRY_SEC };
    if (!user || !checked.value) {
      await throttle.failed(who, address);
      return { kind: 'bad-credentials' };
    }
    await throttle.succeeded(who, address);
    const key = randomUUID();
    const expiresAt = new Date(now.getTime() + this.d.ttlSec * 1000);
    await this.d.keys.create(key, user.id, now, expiresAt);
    return { kind: 'ok', key, token: signAccessToken(this.d.secret, key, expiresAt), expires: expiresAt.toISOString(), role: user.role };
  }

  async logout(key: string, now: Date): Promise<void> {
    await this.d.keys.revoke(key, now);
  }

  async authenticate(key: string | undefined, token: string | undefined, now: Date): Promise<AuthOutcome> {
    if (!key || !token) return { kind: 'unauthorized', reason: 'X-Key and X-Access-Token headers are required' };
    const check = checkAccessToken(this.d.secret, key, token, now);
    switch (check.kind) {
      case 'valid':
        break;
      case 'malformed':
      case 'forged':
        return { kind: 'unauthorized', reason: 'access token is not valid for this key' };
      case 'expired':
        return { kind: 'unauthorized', reason: 'access token has expired; log in again' };
      default: {
        const never: never = check;
        return never;
      }
    }
    const owner = await this.d.keys.find(key);
    if (!owner) return { kind: 'unauthorized', reason: 'unknown key' };
    if (owner.revokedAt) return { kind: 'unauthorized', reason: 'key was revoked by logout' };
    if (owner.expiresAt.getTime() <= now.getTime()) return { kind: 'unauthorized', reason: 'access token has expired; log in again' };
    return { kind: 'ok', principal: { userId: owner.userId, username: owner.username, role: owner.role, key } };
  }

  /** Creates the first admin when there is no user at all; the password is generated when not given. */
  async ensureFirstAdmin(username: string, password: string | undefined): Promise<FirstAdminOutcome> {
    if ((await this.d.users.count()) > 0) return { kind: 'exists' };
    const chosen = password ?? generatePassword();
    const created = await this.d.users.create({ username, role: 'admin', passwordHash: await hashPassword(chosen) });
    // Another process won the race: its admin stands.
    if (created.kind !== 'ok') return { kind: 'exists' };
    return { kind: 'created', username, generatedPassword: password === undefined ? chosen : undefined };
  }
}

// Hash of a random string nobody knows; only used to spend the same time on unknown usernames.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$' + 'A'.repeat(86);
