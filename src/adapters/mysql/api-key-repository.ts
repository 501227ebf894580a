import type { Knex } from 'knex';
import type { Role } from '../../app/auth/roles.js';
import type { KeyOwner, ApiKeyStore } from '../../app/ports/api-key-store.js';

const PURGE_PER_LOGIN = 1000;

/** One row per login (S1): the token is bound to the key, logout revokes the key. */
export class ApiKeyRepository implements ApiKeyStore {
  constructor(private readonly db: Knex) {}

  async create(key: string, userId: number, createdAt: Date, expiresAt: Date): Promise<void> {
    await this.db('api_keys').insert({ key, user_id: userId, created_at: createdAt, expires_at: expiresAt });
    // A key past its expiry opens nothing: each login clears some, so the table stays the size of
    // the live logins instead of growing with every login ever made.
    await this.db('api_keys').where('expires_at', '<', createdAt).limit(PURGE_PER_LOGIN).del();
  }

  async find(key: string): Promise<KeyOwner | undefined> {
    const r = await this.db('api_keys as k')
      .join('users as u', 'u.id', 'k.user_id')
      .where('k.key', key)
      .first('k.key', 'k.user_id', 'u.username', 'u.role', 'k.expires_at', 'k.revoked_at');
    if (!r) return undefined;
    return {
      key: String(r.key),
      userId: Number(r.user_id),
      username: String(r.username),
      role: r.role as Role,
      expiresAt: new Date(r.expires_at),
      revokedAt: r.revoked_at ? new Date(r.revoked_at) : null,
    };
  }

  async revoke(key: string, now: Date): Promise<void> {
    await this.db('api_keys').where({ key }).whereNull('revoked_at').update({ revoked_at: now });
  }

  /** Logs a user out everywhere (after a password change). */
  async revokeAllOf(userId: number, now: Date): Promise<void> {
    await this.db('api_keys').where({ user_id: userId }).whereNull('revoked_at').update({ revoked_at: now });
  }
}
