import type { Role } from '../../contract/roles.js';

export interface KeyOwner {
  key: string;
  userId: number;
  username: string;
  role: Role;
  expiresAt: Date;
  revokedAt: Date | null;
}

/** One key per login (S1): the token is bound to the key, logout revokes the key. */
export interface ApiKeyStore {
  create(key: string, userId: number, createdAt: Date, expiresAt: Date): Promise<void>;
  find(key: string): Promise<KeyOwner | undefined>;
  revoke(key: string, now: Date): Promise<void>;
  /** Logs a user out everywhere (after a password change). */
  revokeAllOf(userId: number, now: Date): Promise<void>;
}
