import type { Calendar } from '../../domain/calendar.js';
import { fromJsonColumn } from './row-mapping.js';


/** Maps a `calendars` row (wire names in its JSON columns) to the domain calendar. */
export function toCalendar(r: { timezone: string; start_at: Date | null; end_at: Date | null; windows: unknown; holidays: unknown }): Calendar {
  const holidays = fromJsonColumn<{ date: string; name: string; repeat_yearly?: boolean }[]>(r.holidays, []);
  return {
    timezone: r.timezone,
    startAt: r.start_at,
    endAt: r.end_at,
    windows: fromJsonColumn(r.windows, []),
    holidays: holidays.map((h) => ({ date: h.date, name: h.name, repeatYearly: Boolean(h.repeat_yearly) })),
  };
}
