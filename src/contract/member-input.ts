import { z } from 'zod';

/*
 * One member as it arrives on the wire (SPEC M1), shared by the JSON route and
 * the CSV import so both accept and refuse exactly the same things.
 */

/** Limits of one member; exported so the CSV mapping and docs can name them. */
export const MEMBER_LIMITS = {
  nameMaxChars: 255,
  communicationsMin: 1,
  communicationsMax: 20,
  numberMinChars: 3,
  numberMaxChars: 32,
} as const;

const NUMBER_RE = /^[0-9+*#]{3,32}$/;
// ISO-8601 date or date-time; a date-time without an offset is read as UTC.
const ISO_RE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

// Intl.DateTimeFormat throws RangeError on an unknown zone; the answer never
// changes in one process, so a CSV of a million rows asks once per zone.
const zoneCache = new Map<string, boolean>();
export function isValidTimeZone(zone: string): boolean {
  let ok = zoneCache.get(zone);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      ok = true;
    } catch {
      ok = false;
    }
    if (zoneCache.size < 10_000) zoneCache.set(zone, ok);
  }
  return ok;
}

/** Parses an ISO-8601 date or date-time; null when it is not one. Offsetless times are UTC. */
export function parseIsoInstant(s: string): Date | null {
  if (!ISO_RE.test(s)) return null;
  let t = s.replace(' ', 'T');
  if (t.length > 10 && !/(?:Z|[+-]\d{2}(?::?\d{2})?)$/i.test(t)) t += 'Z';
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? null : d;
}

export const CommunicationInput = z.object({
  number: z
    .string()
    .regex(NUMBER_RE, 'must be 3..32 characters of 0-9 + * #'),
  priority: z.number().int().default(0),
});

export const MemberInput = z
  .object({
    name: z.string().max(MEMBER_LIMITS.nameMaxChars).default(''),
    priority: z.number().int().default(0),
    expire_at: z
      .string()
      .nullable()
      .default(null)
      .transform((s, ctx) => {
        if (s === null) return null;
        const d = parseIsoInstant(s);
        if (d === null) {
          ctx.addIssue({ code: 'custom', message: `"${s}" is not an ISO-8601 date-time` });
          return z.NEVER;
        }
        return d;
      }),
    timezone: z
      .string()
      .nullable()
      .default(null)
      .refine((z0) => z0 === null || isValidTimeZone(z0), { message: 'is not a known IANA time zone' }),
    variables: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    communications: z
      .array(CommunicationInput)
      .min(MEMBER_LIMITS.communicationsMin, 'needs at least one number')
      .max(MEMBER_LIMITS.communicationsMax, `at most ${MEMBER_LIMITS.communicationsMax} numbers`),
  })
  .strict()
  .superRefine((m, ctx) => {
    // M2 inside one member: the same number twice is an error that names it.
    const seen = new Set<string>();
    m.communications.forEach((c, i) => {
      if (seen.has(c.number)) {
        ctx.addIssue({
          code: 'custom',
          path: ['communications', i, 'number'],
          message: `number ${c.number} appears twice in this member`,
        });
      }
      seen.add(c.number);
    });
  });

/** The wire shape a client sends. */
export type MemberInputWire = z.input<typeof MemberInput>;
/** A validated member: defaults filled, expire_at a Date. */
export type ParsedMember = z.output<typeof MemberInput>;

/** One refused item of an upload: its index in the request and why. */
export interface MemberIssue {
  index: number;
  reason: string;
}

/** Turns zod's issues into `{index, reason}` items, one per issue, with the field path in the reason. */
export function memberIssues(error: z.ZodError, index: number): MemberIssue[] {
  return error.issues.map((i) => ({ index, reason: describeIssue(i) }));
}

/** `communications.1.number: must be …`, or the bare message for the member itself. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

/** The numbers of one item of an upload, for the M2 check. */
export interface NumberedItem {
  index: number;
  numbers: string[];
}

export type ParseMembersResult =
  | { kind: 'ok'; members: ParsedMember[] }
  /** `numbers`: the well-formed numbers of every item, so the same answer can name duplicates too (M2). */
  | { kind: 'invalid'; items: MemberIssue[]; numbers: NumberedItem[] };

/** M1: validates every item first; any bad item makes the whole upload invalid. */
export function parseMembers(items: readonly unknown[]): ParseMembersResult {
  const members: ParsedMember[] = [];
  const bad: MemberIssue[] = [];
  const numbers: NumberedItem[] = [];
  items.forEach((item, index) => {
    const r = MemberInput.safeParse(item);
    if (r.success) members.push(r.data);
    else bad.push(...memberIssues(r.error, index));
    numbers.push({ index, numbers: r.success ? r.data.communications.map((c) => c.number) : wellFormedNumbers(item) });
  });
  return bad.length > 0 ? { kind: 'invalid', items: bad, numbers } : { kind: 'ok', members };
}

/** The numbers of a raw item that pass the number check, whatever else is wrong with it. */
function wellFormedNumbers(item: unknown): string[] {
  const comms: unknown = item && typeof item === 'object' ? (item as { communications?: unknown }).communications : undefined;
  if (!Array.isArray(comms)) return [];
  const out = new Set<string>();
  for (const c of comms) {
    const number: unknown = c && typeof c === 'object' ? (c as { number?: unknown }).number : undefined;
    if (typeof number === 'string' && NUMBER_RE.test(number)) out.add(number);
  }
  return [...out];
}
