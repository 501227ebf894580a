import type { EngineSignals } from '../../src/app/ports/engine-signals.js';
import type { TestApi } from './http-api.js';

/** Signals recorded in order, to check the REST layer tells the engine after each change. */
export function recordingSignals(): EngineSignals & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    campaignChanged: (id) => log.push(`campaign:${id}`),
    agentChanged: (id) => log.push(`agent:${id}`),
    membersAdded: (id) => log.push(`members:${id}`),
    hangUp: (call) => log.push(`hang-up:${call.attemptId}`),
    previewAccepted: (attemptId) => log.push(`preview-accepted:${attemptId}`),
  };
}

export const CALENDAR = {
  name: 'Office hours',
  timezone: 'Europe/Kyiv',
  windows: [
    { day: 1, start: '09:00', end: '18:00' },
    { day: 6, start: '10:00', end: '24:00' },
  ],
  holidays: [{ date: '2026-12-25', name: 'Christmas', repeat_yearly: true }],
};

/** A calendar and a campaign on it; returns the campaign id. */
export async function seedCampaign(api: TestApi, extra: Record<string, unknown> = {}): Promise<number> {
  const cal = await api.call('POST', '/api/v2/calendars', CALENDAR);
  if (cal.status !== 201) throw new Error(`calendar: ${cal.status} ${JSON.stringify(cal.body)}`);
  const c = await api.call('POST', '/api/v2/dialer', { name: 'Campaign', calendar_id: cal.body.id, limit: 5, ...extra });
  if (c.status !== 201) throw new Error(`campaign: ${c.status} ${JSON.stringify(c.body)}`);
  return c.body.id as number;
}

export async function countRows(api: TestApi, table: string): Promise<number> {
  const r = await api.tdb.db(table).count({ n: '*' }).first();
  return Number(r?.n ?? 0);
}
