/*
 * MariaDB's named locks (GET_LOCK) are server-wide, not per database: two dialers on one server
 * (or two test databases) would hold each other's locks for the same campaign id. The lock's name
 * therefore carries the database's name, hashed so it stays within the 64 characters a name may have.
 */

/** SQL for the lock name of `kind` and one bound id, for use inside GET_LOCK / RELEASE_LOCK. */
export function lockNameSql(kind: string): string {
  return `CONCAT('dialer-${kind}:', MD5(CONCAT(DATABASE(), ':', ?)))`;
}
