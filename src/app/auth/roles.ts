/**
 * S1 roles: admin may do everything, operator everything but user management,
 * api only uploads members and posts result statuses.
 */
export const ROLES = ['admin', 'operator', 'api'] as const;
export type Role = (typeof ROLES)[number];

/** Who may use a route; checked after authentication (403 otherwise). */
export const STAFF: readonly Role[] = ['admin', 'operator'];
export const ADMIN_ONLY: readonly Role[] = ['admin'];
export const ANY_ROLE: readonly Role[] = ROLES;
