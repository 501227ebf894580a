import { ROLES, type Role } from '../../contract/roles.js';

// The roles themselves are part of the contract (src/contract/roles.ts); who may use which route is not.
export { ROLES, type Role };

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
