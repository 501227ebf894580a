import type { Knex } from 'knex';
import type { Role } from '../../app/auth/roles.js';
import { isDuplicateKey, isoOrNull } from './row-mapping.js';

export interface User {
  id: number;
  username: string;
  role: Role;
  created_at: string | null;
}

export interface UserWithHash extends User {
  passwordHash: string;
}

function toUser(r: Record<string, unknown>): User {
  return { id: Number(r.id), username: String(r.username), role: r.role as Role, created_at: isoOrNull(r.created_at) };
}

export type UserWrite = { kind: 'ok'; user: User } | { kind: 'not-found' } | { kind: 'conflict'; message: string };

export class UserRepository {
  constructor(private readonly db: Knex) {}

  async count(): Promise<number> {
    const row = await this.db('users').count({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }

  async list(): Promise<User[]> {
    return (await this.db('users').orderBy('id')).map(toUser);
  }

  async get(id: number): Promise<User | undefined> {
    const r = await this.db('users').where({ id }).first();
    return r ? toUser(r) : undefined;
  }

  async findByUsername(username: string): Promise<UserWithHash | undefined> {
    const r = await this.db('users').where({ username }).first();
    return r ? { ...toUser(r), passwordHash: String(r.password_hash) } : undefined;
  }

  async create(u: { username: string; role: Role; passwordHash: string }): Promise<UserWrite> {
    try {
      const [id] = await this.db('users').insert({ username: u.username, role: u.role, password_hash: u.passwordHash });
      return { kind: 'ok', user: (await this.get(Number(id)))! };
    } catch (err) {
      if (isDuplicateKey(err)) return { kind: 'conflict', message: `username "${u.username}" is taken` };
      throw err;
    }
  }

  async update(id: number, u: { username?: string; role?: Role; passwordHash?: string }): Promise<UserWrite> {
    const patch: Record<string, unknown> = {};
    if (u.username !== undefined) patch.username = u.username;
    if (u.role !== undefined) patch.role = u.role;
    if (u.passwordHash !== undefined) patch.password_hash = u.passwordHash;
    if (!(await this.get(id))) return { kind: 'not-found' };
    try {
      if (Object.keys(patch).length > 0) await this.db('users').where({ id }).update(patch);
    } catch (err) {
      if (isDuplicateKey(err)) return { kind: 'conflict', message: `username "${u.username}" is taken` };
      throw err;
    }
    return { kind: 'ok', user: (await this.get(id))! };
  }

  /** Deleting a user drops its keys too (ON DELETE CASCADE), which logs it out everywhere. */
  async delete(id: number): Promise<boolean> {
    return (await this.db('users').where({ id }).delete()) > 0;
  }

  async countAdmins(): Promise<number> {
    const row = await this.db('users').where({ role: 'admin' }).count({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }
}
