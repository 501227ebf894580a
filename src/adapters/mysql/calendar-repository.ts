import type { Knex } from 'knex';
import type { Calendar, CalendarCreateInput, CalendarUpdateInput } from '../../contract/calendar-schemas.js';
import { dateOrNull, fromJsonColumn, isForeignKeyError, isoOrNull, toJsonColumn } from './row-mapping.js';
import type { CalendarUpdate, CalendarStore } from '../../app/ports/calendar-store.js';

function toCalendar(r: Record<string, unknown>): Calendar {
  return {
    id: Number(r.id),
    name: String(r.name),
    timezone: String(r.timezone),
    start_at: isoOrNull(r.start_at),
    end_at: isoOrNull(r.end_at),
    windows: fromJsonColumn(r.windows, []),
    holidays: fromJsonColumn(r.holidays, []),
    created_at: isoOrNull(r.created_at),
    updated_at: isoOrNull(r.updated_at),
  };
}

function toRow(c: CalendarUpdateInput): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  if (c.name !== undefined) row.name = c.name;
  if (c.timezone !== undefined) row.timezone = c.timezone;
  if (c.start_at !== undefined) row.start_at = dateOrNull(c.start_at);
  if (c.end_at !== undefined) row.end_at = dateOrNull(c.end_at);
  if (c.windows !== undefined) row.windows = toJsonColumn(c.windows);
  if (c.holidays !== undefined) row.holidays = toJsonColumn(c.holidays);
  return row;
}

export class CalendarRepository implements CalendarStore {
  constructor(private readonly db: Knex) {}

  async list(): Promise<Calendar[]> {
    return (await this.db('calendars').orderBy('id')).map(toCalendar);
  }

  async get(id: number, trx: Knex = this.db): Promise<Calendar | undefined> {
    const r = await trx('calendars').where({ id }).first();
    return r ? toCalendar(r) : undefined;
  }

  async create(c: CalendarCreateInput, now: Date): Promise<Calendar> {
    const [id] = await this.db('calendars').insert({ ...toRow(c), created_at: now, updated_at: now });
    return (await this.get(Number(id)))!;
  }

  /** Merges the given fields; start/end order is checked on the merged value. */
  async update(id: number, c: CalendarUpdateInput, now: Date): Promise<CalendarUpdate> {
    return this.db.transaction(async (trx) => {
      const current = await trx('calendars').where({ id }).forUpdate().first();
      if (!current) return { kind: 'not-found' } as const;
      const merged = { ...toCalendar(current), ...c };
      if (merged.start_at && merged.end_at && Date.parse(merged.start_at) >= Date.parse(merged.end_at)) {
        return { kind: 'invalid', message: 'end_at must be after start_at' } as const;
      }
      await trx('calendars').where({ id }).update({ ...toRow(c), updated_at: now });
      return { kind: 'ok', calendar: (await this.get(id, trx))! } as const;
    });
  }

  async delete(id: number): Promise<'deleted' | 'not-found' | 'in-use'> {
    try {
      return (await this.db('calendars').where({ id }).delete()) > 0 ? 'deleted' : 'not-found';
    } catch (err) {
      if (isForeignKeyError(err)) return 'in-use';
      throw err;
    }
  }
}
