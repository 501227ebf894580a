import { z } from 'zod';
import { ROLES, type Role } from './roles.js';

const fields = {
  username: z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9_.@-]+$/, 'letters, digits, _ . @ -'),
  password: z.string().min(8, 'must be at least 8 characters').max(256),
  role: z.enum(ROLES),
  /** W1: the agent record a user of role agent acts as; null for every other role. */
  agent_id: z.number().int().positive().nullable()
    .meta({ description: 'W1: the agent this user acts as; required for role agent, null (or absent) for every other role' }),
};

/** W1: why this role and agent link do not go together, or undefined when they do. */
export function agentLinkIssue(role: Role, agentId: number | null): string | undefined {
  if (role === 'agent' && agentId === null) return 'a user of role agent needs the agent it acts as';
  if (role !== 'agent' && agentId !== null) return `only a user of role agent is linked to an agent (this one is ${role})`;
  return undefined;
}

export const UserCreate = z.strictObject({ ...fields, agent_id: fields.agent_id.default(null) }).superRefine((u, ctx) => {
  const issue = agentLinkIssue(u.role, u.agent_id);
  if (issue) ctx.addIssue({ code: 'custom', path: ['agent_id'], message: issue });
});
/** The pair role / agent_id is checked against the stored user (a change of one may need the other). */
export const UserUpdate = z.strictObject(fields).partial();
export const UserOut = z.object({
  id: z.number().int(), username: z.string(), role: z.enum(ROLES), agent_id: z.number().int().nullable(), created_at: z.string().nullable(),
});
export type User = z.output<typeof UserOut>;
export const LoginBody = z.strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });
export const LoginAnswer = z.object({ key: z.string(), token: z.string(), expires: z.string(), role: z.enum(ROLES) });
