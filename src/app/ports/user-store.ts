import type { Role } from '../../contract/roles.js';
import type { User } from '../../contract/user-schemas.js';

export type { User };

export interface UserWithHash extends User {
  passwordHash: string;
}

export type UserWrite =
  | { kind: 'ok'; user: User }
  | { kind: 'not-found' }
  | { kind: 'conflict'; message: string }
  /** W1: agent_id names no agent. */
  | { kind: 'bad-reference'; message: string };

export interface UserFields { username?: string; role?: Role; passwordHash?: string; agentId?: number | null }

/** S1, W1: the users who log in, each with a role and, for role agent, the agent it acts as. */
export interface UserStore {
  count(): Promise<number>;
  list(): Promise<User[]>;
  get(id: number): Promise<User | undefined>;
  findByUsername(username: string): Promise<UserWithHash | undefined>;
  create(u: { username: string; role: Role; passwordHash: string; agentId?: number | null }): Promise<UserWrite>;
  update(id: number, u: UserFields): Promise<UserWrite>;
  /** W1: the agent a user acts as (null for every role but agent, and for a user that is gone). */
  agentOf(userId: number): Promise<number | null>;
  /** W1: the user acting as this agent, if any. */
  userOfAgent(agentId: number): Promise<User | undefined>;
  /** Deleting a user drops its keys too, which logs it out everywhere. */
  delete(id: number): Promise<boolean>;
  countAdmins(): Promise<number>;
}
