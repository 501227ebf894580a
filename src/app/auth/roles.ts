/**
 * S1 roles: admin may do everything, operator everything but user management,
 * api only uploads members, posts result statuses and exports attempts. W1: agent acts only as the
 * one agent record its user is linked to, through the agent desk routes.
 */
export const ROLES = ['admin', 'operator', 'api', 'agent'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Who may use a route; checked after authentication (403 otherwise). W1: `agent` is in no
 * list but its own (and ANY_ROLE, for logging out), so a route is closed to agents unless it
 * names them: the default is deny.
 */
export const STAFF: readonly Role[] = ['admin', 'operator'];
export const ADMIN_ONLY: readonly Role[] = ['admin'];
/** The roles that feed and drive the dialer: members in, result statuses by member, the attempt export (Q1) out. */
export const DIALER_ROLES: readonly Role[] = ['admin', 'operator', 'api'];
export const AGENT_ONLY: readonly Role[] = ['agent'];
/** Every logged-in user (logging out). */
export const ANY_ROLE: readonly Role[] = ROLES;
