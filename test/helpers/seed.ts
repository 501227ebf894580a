import type { Knex } from 'knex';

/** Direct inserts for store-level tests (the e2e tests go through REST instead). */
export function seeder(db: Knex) {
  let seq = 0;
  return {
    async calendar(o: Partial<{ timezone: string; windows: unknown[]; holidays: unknown[]; start_at: Date | null; end_at: Date | null }> = {}) {
      const windows = o.windows ?? [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start: '00:00', end: '24:00' }));
      const [id] = await db('calendars').insert({
        name: `cal${++seq}`, timezone: o.timezone ?? 'UTC', windows: JSON.stringify(windows),
        holidays: JSON.stringify(o.holidays ?? []), start_at: o.start_at ?? null, end_at: o.end_at ?? null,
      });
      return id!;
    },
    async lineGroup(capacity: number) {
      const [id] = await db('line_groups').insert({ name: `lg${++seq}`, capacity });
      return id!;
    },
    async campaign(o: Partial<{ calendar_id: number; priority: number; call_limit: number; line_group_id: number | null; state: string;
      retry_wait_sec: number; max_tries: number; min_success_sec: number; wait_result: boolean; wrapup_sec: number; causes: object; variables: object }> = {}) {
      const calendar_id = o.calendar_id ?? (await this.calendar());
      const [id] = await db('campaigns').insert({
        name: `camp${++seq}`, calendar_id, priority: o.priority ?? 0, call_limit: o.call_limit ?? 10,
        retry_wait_sec: o.retry_wait_sec ?? 60, max_tries: o.max_tries ?? 3, min_success_sec: o.min_success_sec ?? 0,
        wait_result: o.wait_result ?? false, wrapup_sec: o.wrapup_sec ?? 0, variables: JSON.stringify(o.variables ?? {}),
        causes: JSON.stringify(o.causes ?? {}), line_group_id: o.line_group_id ?? null, state: o.state ?? 'running',
      });
      return id!;
    },
    async agents(n: number, campaignIds: number[], o: Partial<{ node: string | null; status: string }> = {}) {
      const ids: number[] = [];
      for (let i = 0; i < n; i++) {
        const k = ++seq;
        const [id] = await db('agents').insert({
          name: `agent${k}`, sip_user: `${1000 + k}@127.0.0.1`, status: o.status ?? 'Available', state: 'Waiting',
          call_timeout: 10, wrapup_sec: 0, max_no_answer: 3, busy_delay_sec: 5, reject_delay_sec: 5, no_answer_delay_sec: 5,
          ready_at: new Date(0), idle_since: new Date(0),
        });
        const node = o.node === undefined ? 'fs1' : o.node;
        if (node) await db('registrations').insert({ sip_user: `${1000 + k}@127.0.0.1`, node });
        ids.push(id!);
        for (const c of campaignIds) await db('tiers').insert({ campaign_id: c, agent_id: id, level: 1 });
      }
      return ids;
    },
    async members(campaignId: number, n: number, o: Partial<{ priority: (i: number) => number; timezone: (i: number) => string | null;
      readyAt: (i: number) => Date; expireAt: Date | null }> = {}) {
      const ids: number[] = [];
      const zones = new Set<string>();
      for (let i = 0; i < n; i++) {
        const tz = o.timezone?.(i) ?? null;
        if (tz) zones.add(tz);
        // One transaction, as the REST import writes them: a running engine must never see a member without its number.
        const id = await db.transaction(async (trx) => {
          const [memberId] = await trx('members').insert({
            campaign_id: campaignId, name: `m${i}`, priority: o.priority?.(i) ?? 0, timezone: tz, variables: '{}',
            ready_at: o.readyAt?.(i) ?? new Date(Date.UTC(2020, 0, 1, 0, 0, i % 60)), expire_at: o.expireAt ?? null,
          });
          await trx('communications').insert({ member_id: memberId, campaign_id: campaignId, number: `${campaignId}${String(++seq).padStart(7, '0')}`, position: 0 });
          return memberId!;
        });
        ids.push(id);
      }
      for (const z of zones) await db('campaign_zones').insert({ campaign_id: campaignId, timezone: z }).onConflict().ignore();
      return ids;
    },
  };
}
