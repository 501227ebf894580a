import { z } from 'zod';

/**
 * S5: a row id in a path (`/api/v2/dialer/:id`), in its one canonical spelling: decimal digits,
 * no sign, space, exponent, fraction, hex or leading zero. A lenient number parse would take
 * `%201`, `1e0`, `0x1` or `1.0` for campaign 1 and act on it.
 */
export const IdParam = z
  .string()
  .regex(/^[1-9][0-9]*$/, 'must be a positive id in decimal digits, without sign, spaces or leading zeros')
  .refine((s) => s.length <= 16 && Number(s) <= Number.MAX_SAFE_INTEGER, `must be at most ${Number.MAX_SAFE_INTEGER}`)
  .transform(Number)
  .meta({ example: '1' });

export const IdParams = z.object({ id: IdParam });

export function isIanaZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** K1/K3: an IANA zone name the runtime knows (checked with Intl). */
export const IanaZone = z
  .string()
  .min(1)
  .max(64)
  .refine(isIanaZone, { message: 'not a known IANA time zone (e.g. "Europe/Kyiv")' })
  .meta({ description: 'IANA time zone', example: 'Europe/Kyiv' });

/** An instant on the wire: ISO-8601 with a zone; answers always use UTC. */
export const Instant = z.iso.datetime({ offset: true }).meta({ example: '2026-12-01T08:00:00Z' });

/** Channel variables (C8): flat names, scalar values. */
export const Variables = z.record(
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/, 'variable names are letters, digits, _ . -'),
  z.union([z.string().max(1024), z.number(), z.boolean()]),
);

/** A phone number as dialled: digits with an optional leading +, or * and #. */
export const PhoneNumber = z
  .string()
  .regex(/^\+?[0-9*#]{1,32}$/, 'a number is 1-32 digits, optionally starting with +')
  .meta({ example: '+380891234567' });

export const Timestamps = {
  created_at: Instant.nullable(),
  updated_at: Instant.nullable(),
};
