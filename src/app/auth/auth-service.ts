import { randomUUID } from 'node:crypto';
import { checkAccessToken, signAccessToken } from './access-token.js';
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
  | { kind: 'bad-credentials' };

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
}

/** S1: login, logout and the check every /api call goes through. */
export class AuthService {
  constructor(private readonly d: AuthDeps) {}

  async login(username: string, password: string, now: Date): Promise<LoginOutcome> {
    const user = await this.d.users.findByUsername(username);
    // Verify against a throwaway hash for unknown users too, so timing does not reveal which names exist.
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok) return { kind: 'bad-credentials' };
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
