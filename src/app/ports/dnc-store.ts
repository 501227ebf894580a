import type { DncEntry } from '../../contract/dnc-schemas.js';

export type DncWrite = { kind: 'ok'; entry: DncEntry } | { kind: 'duplicate' };

/** Do-not-call numbers: global (campaign null) or for one campaign. */
export interface DncStore {
  /** Keyset page by id. */
  list(campaignId: number | null, limit: number, afterId: number): Promise<DncEntry[]>;
  add(campaignId: number | null, number: string, now: Date): Promise<DncWrite>;
  remove(campaignId: number | null, number: string): Promise<boolean>;
}
