/**
 * S1 roles, as users carry them on the wire: admin may do everything, operator everything but
 * user management, api only uploads members, posts result statuses and exports attempts. W1:
 * agent acts only as the one agent record its user is linked to, through the agent desk routes.
 */
export const ROLES = ['admin', 'operator', 'api', 'agent'] as const;
export type Role = (typeof ROLES)[number];
