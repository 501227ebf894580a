import type { Knex } from 'knex';

/** A calendar and an idle campaign to load members into; returns the campaign id. */
export async function seedCampaign(db: Knex, name = 'import'): Promise<number> {
  const [calendarId] = await db('calendars').insert({ name: `${name}-cal`, timezone: 'UTC', windows: '[]', holidays: '[]' });
  const [id] = await db('campaigns').insert({
    name, calendar_id: calendarId, call_limit: 1, retry_wait_sec: 60, max_tries: 3, min_success_sec: 5,
    wrapup_sec: 0, variables: '{}', causes: '{}',
  });
  return id!;
}

export async function countRows(db: Knex, table: string, where: Record<string, unknown>): Promise<number> {
  const row = (await db(table).where(where).count({ n: '*' }).first()) as { n: number | string } | undefined;
  return Number(row?.n ?? 0);
}
