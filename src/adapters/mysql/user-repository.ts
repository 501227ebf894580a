import type { Knex } from 'knex';
import type { Role } from '../../app/auth/roles.js';
import { isDuplicateKey, isForeignKeyError, isoOrNull } from './row-mapping.js';
import type { User, UserWithHash, UserWrite, UserFields, UserStore } from '../../app/ports/user-store.js';

function toUser(r: Record<string, unknown>): User {
  return {
    id: Number(r.id), username: String(r.username), role: r.role as Role,
    agent_id: r.agent_id === null || r.agent_id === undefined ? null : Number(r.agent_id), created_at: isoOrNull(r.created_at),
  };
}

export class UserRepository implements UserStore {
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

  async create(u: { username: string; role: Role; passwordHash: string; agentId?: number | null }): Promise<UserWrite> {
    const linkRefusal = await this.checkAgentLink(u.agentId ?? null, null);
    if (linkRefusal) return linkRefusal;
    try {
      const [id] = await this.db('users').insert({ username: u.username, role: u.role, password_hash: u.passwordHash, agent_id: u.agentId ?? null });
      return { kind: 'ok', user: (await this.get(Number(id)))! };
    } catch (err) {
      return this.writeRefusal(err, u);
    }
  }

  async update(id: number, u: UserFields): Promise<UserWrite> {
    const patch: Record<string, unknown> = {};
    if (u.username !== undefined) patch.username = u.username;
    if (u.role !== undefined) patch.role = u.role;
    if (u.passwordHash !== undefined) patch.password_hash = u.passwordHash;
    if (u.agentId !== undefined) patch.agent_id = u.agentId;
    if (!(await this.get(id))) return { kind: 'not-found' };
    const linkRefusal = await this.checkAgentLink(u.agentId ?? null, id);
    if (linkRefusal) return linkRefusal;
    try {
      if (Object.keys(patch).length > 0) await this.db('users').where({ id }).update(patch);
    } catch (err) {
      return this.writeRefusal(err, u);
    }
    return { kind: 'ok', user: (await this.get(id))! };
  }

  /** W1: the agent exists and no other user acts as it (the unique index backs this up in a race). */
  private async checkAgentLink(agentId: number | null, userId: number | null): Promise<UserWrite | undefined> {
    if (agentId === null) return undefined;
    if (!(await this.db('agents').where({ id: agentId }).first('id'))) {
      return { kind: 'bad-reference', message: `agent ${agentId} not found` };
    }
    const other = await this.db('users').where({ agent_id: agentId }).whereNot('id', userId ?? 0).first('username');
    if (other) return { kind: 'conflict', message: `agent ${agentId} is already the agent of user "${other.username}"` };
    return undefined;
  }

  private writeRefusal(err: unknown, u: UserFields): UserWrite {
    if (isDuplicateKey(err)) {
      const onAgent = /for key '[^']*agent_id/.test(String((err as { sqlMessage?: string }).sqlMessage ?? ''));
      return { kind: 'conflict', message: onAgent ? `agent ${u.agentId} is already the agent of another user` : `username "${u.username}" is taken` };
    }
    if (isForeignKeyError(err)) return { kind: 'bad-reference', message: `agent ${u.agentId} not found` };
    throw err;
  }

  /** W1: the agent a user acts as (null for every role but agent, and for a user that is gone). */
  async agentOf(userId: number): Promise<number | null> {
    const r = await this.db('users').where({ id: userId }).first('agent_id');
    return r?.agent_id === null || r?.agent_id === undefined ? null : Number(r.agent_id);
  }

  /** W1: the user acting as this agent, if any. */
  async userOfAgent(agentId: number): Promise<User | undefined> {
    const r = await this.db('users').where({ agent_id: agentId }).first();
    return r ? toUser(r) : undefined;
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
