import type { Campaign, CampaignCreateInput, CampaignState, CampaignUpdateInput } from '../../contract/campaign-schemas.js';
import type { SettingIssue } from '../../domain/campaign-type.js';
import type { CampaignStateStore } from '../catalog/campaign-state.js';

export type CampaignWrite =
  | { kind: 'ok'; campaign: Campaign }
  | { kind: 'not-found' }
  | { kind: 'bad-reference'; message: string }
  /** P1: rules between fields broken by the campaign as it would be stored. */
  | { kind: 'invalid'; issues: SettingIssue[] }
  /** P1: the type of a running or stopping campaign does not change. */
  | { kind: 'type-locked'; state: CampaignState };

/** The campaigns; run and stop go through campaign-state.ts on the same store. */
export interface CampaignStore extends CampaignStateStore {
  list(): Promise<Campaign[]>;
  exists(id: number): Promise<boolean>;
  create(c: CampaignCreateInput, now: Date): Promise<CampaignWrite>;
  /** Any change bumps the version so the engine re-reads the row; P1 rules are checked on the merged campaign. */
  update(id: number, c: CampaignUpdateInput, now: Date): Promise<CampaignWrite>;
  /** Live calls need their campaign to settle: running and stopping campaigns stay (C10). */
  delete(id: number): Promise<'deleted' | 'not-found' | { busy: CampaignState }>;
}
