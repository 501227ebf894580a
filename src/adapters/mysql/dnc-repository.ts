import type { Knex } from 'knex';
import type { DncEntry } from '../../contract/dnc-schemas.js';
import { isDuplicateKey, isoOrNull } from './row-mapping.js';
import type { DncWrite, DncStore } from '../../app/ports/dnc-store.js';

function toEntry(r: Record<string, unknown>): DncEntry {
  return {
    id: Number(r.id),
    campaign_id: r.campaign_id === null ? null : Number(r.campaign_id),
    number: String(r.number),
    created_at: isoOrNull(r.created_at),
  };
}

/** Do-not-call numbers: global (campaign NULL) or for one campaign. */
export class DncRepository implements DncStore {
  constructor(private readonly db: Knex) {}

  /** Keyset page by id. */
  async list(campaignId: number | null, limit: number, afterId: number): Promise<DncEntry[]> {
    const q = this.db('dnc').where('id', '>', afterId).orderBy('id').limit(limit);
    if (campaignId === null) q.whereNull('campaign_id');
    else q.where({ campaign_id: campaignId });
    return (await q.select('id', 'campaign_id', 'number', 'created_at')).map(toEntry);
  }

  async add(campaignId: number | null, number: string, now: Date): Promise<DncWrite> {
    try {
      const [id] = await this.db('dnc').insert({ campaign_id: campaignId, number, created_at: now });
      const r = await this.db('dnc').where({ id }).first('id', 'campaign_id', 'number', 'created_at');
      return { kind: 'ok', entry: toEntry(r) };
    } catch (err) {
      if (isDuplicateKey(err)) return { kind: 'duplicate' };
      throw err;
    }
  }

  async remove(campaignId: number | null, number: string): Promise<boolean> {
    const q = this.db('dnc').where({ number });
    if (campaignId === null) q.whereNull('campaign_id');
    else q.where({ campaign_id: campaignId });
    return (await q.delete()) > 0;
  }
}
