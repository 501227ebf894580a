/*
 * Shared conversions between MariaDB rows and wire values. MariaDB stores JSON
 * as LONGTEXT, so mysql2 hands it back as a string; MySQL 8 hands back objects.
 */
export function fromJsonColumn<T>(value: unknown, fallback: T): T {
  if (value === null || value === undefined) return fallback;
  if (typeof value === 'string') return JSON.parse(value) as T;
  return value as T;
}

export function toJsonColumn(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** DATETIME columns come back as Date (the pool runs in UTC); the wire wants ISO-8601 or null. */
export function isoOrNull(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return (value instanceof Date ? value : new Date(String(value))).toISOString();
}

export function dateOrNull(iso: string | null | undefined): Date | null {
  return iso === null || iso === undefined ? null : new Date(iso);
}

/** MySQL duplicate-key error (unique index). */
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === 'ER_DUP_ENTRY';
}

/** MySQL foreign-key violation: a referenced row is missing or a row is still referenced. */
export function isForeignKeyError(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null ? (err as { code?: string }).code : undefined;
  return code === 'ER_NO_REFERENCED_ROW_2' || code === 'ER_ROW_IS_REFERENCED_2' || code === 'ER_ROW_IS_REFERENCED';
}
