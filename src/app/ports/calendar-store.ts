import type { Calendar, CalendarCreateInput, CalendarUpdateInput } from '../../contract/calendar-schemas.js';

export type CalendarUpdate = { kind: 'ok'; calendar: Calendar } | { kind: 'not-found' } | { kind: 'invalid'; message: string };

/** K1: the calendars campaigns dial by. */
export interface CalendarStore {
  list(): Promise<Calendar[]>;
  get(id: number): Promise<Calendar | undefined>;
  create(c: CalendarCreateInput, now: Date): Promise<Calendar>;
  /** Merges the given fields; start/end order is checked on the merged value. */
  update(id: number, c: CalendarUpdateInput, now: Date): Promise<CalendarUpdate>;
  delete(id: number): Promise<'deleted' | 'not-found' | 'in-use'>;
}
