import { z } from 'zod';
import { IanaZone, Instant, Timestamps } from './common-schemas.js';

const Start = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected "HH:MM" (00:00-23:59)');
const End = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'expected "HH:MM" (00:01-24:00)');

/** K1: one weekly window, local time of the zone in use. */
export const CalendarWindow = z
  .strictObject({
    day: z.number().int().min(0).max(6).meta({ description: '0 = Sunday' }),
    start: Start,
    end: End,
  })
  .refine((w) => w.end > w.start, { message: 'end must be after start', path: ['end'] });

function isRealDate(s: string): boolean {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

export const CalendarHoliday = z.strictObject({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD').refine(isRealDate, 'not a calendar date'),
  name: z.string().max(128).default(''),
  repeat_yearly: z.boolean().default(false),
});

const fields = {
  name: z.string().trim().min(1).max(128),
  timezone: IanaZone,
  start_at: Instant.nullable(),
  end_at: Instant.nullable(),
  windows: z.array(CalendarWindow).max(1000),
  holidays: z.array(CalendarHoliday).max(5000),
};

function startBeforeEnd(c: { start_at?: string | null | undefined; end_at?: string | null | undefined }): boolean {
  return !c.start_at || !c.end_at || Date.parse(c.start_at) < Date.parse(c.end_at);
}
const startEndIssue = { message: 'end_at must be after start_at', path: ['end_at'] };

export const CalendarCreate = z
  .strictObject({
    ...fields,
    start_at: fields.start_at.default(null),
    end_at: fields.end_at.default(null),
    windows: fields.windows.default([]),
    holidays: fields.holidays.default([]),
  })
  .refine(startBeforeEnd, startEndIssue);

/** PUT changes the fields given and keeps the others. */
export const CalendarUpdate = z.strictObject(fields).partial().refine(startBeforeEnd, startEndIssue);

export type CalendarCreateInput = z.output<typeof CalendarCreate>;
export type CalendarUpdateInput = z.output<typeof CalendarUpdate>;

export const Calendar = z.object({
  id: z.number().int(),
  name: z.string(),
  timezone: z.string(),
  start_at: Instant.nullable(),
  end_at: Instant.nullable(),
  windows: z.array(z.object({ day: z.number(), start: z.string(), end: z.string() })),
  holidays: z.array(z.object({ date: z.string(), name: z.string(), repeat_yearly: z.boolean() })),
  ...Timestamps,
});
export type Calendar = z.output<typeof Calendar>;
