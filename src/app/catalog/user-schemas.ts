import { z } from 'zod';
import { ROLES } from '../auth/roles.js';

const fields = {
  username: z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9_.@-]+$/, 'letters, digits, _ . @ -'),
  password: z.string().min(8, 'must be at least 8 characters').max(256),
  role: z.enum(ROLES),
};
export const UserCreate = z.strictObject(fields);
export const UserUpdate = z.strictObject(fields).partial();
export const UserOut = z.object({ id: z.number().int(), username: z.string(), role: z.enum(ROLES), created_at: z.string().nullable() });
export const LoginBody = z.strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });
export const LoginAnswer = z.object({ key: z.string(), token: z.string(), expires: z.string(), role: z.enum(ROLES) });
