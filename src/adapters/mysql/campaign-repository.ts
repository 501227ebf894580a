import type { Knex } from 'knex';
import type {
  Campaign,
  CampaignCreateInput,
  CampaignState,
  CampaignUpdateInput,
} from '../../contract/campaign-schemas.js';
import { reasonView, type EndReason } from '../../domain/dial-reason.js';
import { effectiveCauses, type CauseOverrides } from '../../domain/cause-policy.js';
import {
  defaultAbandonTarget, pacingIssues, typeChangeAllowed, type CampaignType, type ComplianceWindow, type DtmfDigit,
  type PacingSettings, type PreviewTimeoutPolicy,
} from '../../domain/campaign-type.js';
import { fromJsonColumn, isoOrNull, toJsonColumn } from './row-mapping.js';
import type { CampaignWrite, CampaignStore } from '../../app/ports/campaign-store.js';

/** C9 on the wire: GET shows the effective table; only the overrides are stored. */
function toCampaign(r: Record<string, unknown>): Campaign {
  return {
    id: Number(r.id),
    name: String(r.name),
    type: r.type as CampaignType,
    preview_sec: Number(r.preview_sec),
    preview_timeout: r.preview_timeout as PreviewTimeoutPolicy,
    abandon_cap_pct: Number(r.abandon_cap_pct),
    abandon_target_pct: Number(r.abandon_target_pct),
    compliance_window: r.compliance_window as ComplianceWindow,
    min_ring_sec: Number(r.min_ring_sec),
    info_message: r.info_message === null ? null : String(r.info_message),
    dnc_opt_out_key: r.dnc_opt_out_key === null ? null : (String(r.dnc_opt_out_key) as DtmfDigit),
    amd: Boolean(r.amd),
    calendar_id: Number(r.calendar_id),
    priority: Number(r.priority),
    limit: Number(r.call_limit),
    retry_wait_sec: Number(r.retry_wait_sec),
    max_tries: Number(r.max_tries),
    max_minus_attempts: Number(r.max_minus_attempts),
    min_success_sec: Number(r.min_success_sec),
    wait_result: Boolean(r.wait_result),
    wrapup_sec: Number(r.wrapup_sec),
    allow_end_wrap_up_early: Boolean(r.allow_end_wrap_up_early),
    variables: fromJsonColumn(r.variables, {}),
    causes: effectiveCauses(fromJsonColumn<CauseOverrides>(r.causes, {})),
    line_group_id: r.line_group_id === null ? null : Number(r.line_group_id),
    state: r.state as CampaignState,
    version: Number(r.version),
    finished_at: isoOrNull(r.finished_at),
    reason: reasonView(r.reason, new Date()),
    created_at: isoOrNull(r.created_at),
    updated_at: isoOrNull(r.updated_at),
  };
}

function toRow(c: CampaignUpdateInput): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  const plain = ['name', 'type', 'calendar_id', 'priority', 'retry_wait_sec', 'max_tries', 'max_minus_attempts',
    'min_success_sec', 'wrapup_sec', 'line_group_id', 'preview_sec', 'preview_timeout', 'abandon_cap_pct',
    'abandon_target_pct', 'compliance_window', 'min_ring_sec', 'info_message', 'dnc_opt_out_key', 'amd'] as const;
  for (const k of plain) if (c[k] !== undefined) row[k] = c[k];
  if (c.limit !== undefined) row.call_limit = c.limit; // "limit" is reserved in SQL
  if (c.wait_result !== undefined) row.wait_result = c.wait_result;
  if (c.allow_end_wrap_up_early !== undefined) row.allow_end_wrap_up_early = c.allow_end_wrap_up_early;
  if (c.variables !== undefined) row.variables = toJsonColumn(c.variables);
  if (c.causes !== undefined) row.causes = toJsonColumn(c.causes);
  return row;
}

function pacingOf(c: Campaign): PacingSettings {
  const { type, preview_sec, preview_timeout, abandon_cap_pct, abandon_target_pct, compliance_window, min_ring_sec,
    info_message, dnc_opt_out_key, amd } = c;
  return { type, preview_sec, preview_timeout, abandon_cap_pct, abandon_target_pct, compliance_window, min_ring_sec,
    info_message, dnc_opt_out_key, amd };
}

export interface CampaignRow {
  id: number;
  state: CampaignState;
  version: number;
}

export class CampaignRepository implements CampaignStore {
  constructor(private readonly db: Knex) {}

  async list(): Promise<Campaign[]> {
    return (await this.db('campaigns').orderBy('id')).map(toCampaign);
  }

  async get(id: number, trx: Knex = this.db): Promise<Campaign | undefined> {
    const r = await trx('campaigns').where({ id }).first();
    return r ? toCampaign(r) : undefined;
  }

  async exists(id: number): Promise<boolean> {
    return (await this.db('campaigns').where({ id }).first('id')) !== undefined;
  }

  async create(c: CampaignCreateInput, now: Date): Promise<CampaignWrite> {
    const full = { ...c, abandon_target_pct: c.abandon_target_pct ?? defaultAbandonTarget(c.abandon_cap_pct) };
    const issues = pacingIssues(full);
    if (issues.length > 0) return { kind: 'invalid', issues };
    const bad = await this.checkReferences(c);
    if (bad) return bad;
    const [id] = await this.db('campaigns').insert({ ...toRow(full), state: 'idle', created_at: now, updated_at: now });
    return { kind: 'ok', campaign: (await this.get(Number(id)))! };
  }

  /**
   * Any change bumps the version so the engine re-reads the row (DESIGN §1). The rules between
   * fields (P1) are checked on the stored campaign with the change merged, under the row lock.
   */
  async update(id: number, c: CampaignUpdateInput, now: Date): Promise<CampaignWrite> {
    return this.db.transaction(async (trx) => {
      const current = await this.lockedCampaign(trx, id);
      if (!current) return { kind: 'not-found' } as const;
      if (c.type !== undefined && c.type !== current.type && !typeChangeAllowed(current.state)) {
        return { kind: 'type-locked', state: current.state } as const;
      }
      const issues = pacingIssues({ ...pacingOf(current), ...c });
      if (issues.length > 0) return { kind: 'invalid', issues } as const;
      const bad = await this.checkReferences(c);
      if (bad) return bad;
      await trx('campaigns')
        .where({ id })
        .update({ ...toRow(c), updated_at: now, version: trx.raw('version + 1') });
      return { kind: 'ok', campaign: (await this.get(id, trx))! } as const;
    });
  }

  private async lockedCampaign(trx: Knex.Transaction, id: number): Promise<Campaign | undefined> {
    const r = await trx('campaigns').where({ id }).forUpdate().first();
    return r ? toCampaign(r) : undefined;
  }

  /** Live calls need their campaign to settle: running and stopping campaigns stay (C10). */
  async delete(id: number): Promise<'deleted' | 'not-found' | { busy: CampaignState }> {
    return this.db.transaction(async (trx) => {
      const row = await trx('campaigns').where({ id }).forUpdate().first('state');
      if (!row) return 'not-found' as const;
      if (row.state === 'running' || row.state === 'stopping') return { busy: row.state as CampaignState };
      await trx('campaigns').where({ id }).delete();
      return 'deleted' as const;
    });
  }

  /** Reads the row under a lock, inside the caller's transaction. */
  async lockForStateChange(trx: Knex.Transaction, id: number): Promise<CampaignRow | undefined> {
    const r = await trx('campaigns').where({ id }).forUpdate().first('id', 'state', 'version');
    return r ? { id: Number(r.id), state: r.state as CampaignState, version: Number(r.version) } : undefined;
  }

  async setState(trx: Knex.Transaction, id: number, state: CampaignState, now: Date): Promise<void> {
    const patch: Record<string, unknown> = { state, updated_at: now, version: trx.raw('version + 1') };
    if (state === 'running') patch.finished_at = null;
    // Issue 13 §1: the engine says why a running campaign is not dialling; a stop says it was asked for.
    patch.reason = state === 'running' ? null : JSON.stringify({ code: 'stopped-on-request' } satisfies EndReason);
    if (state === 'running') patch.dialled = 0; // C3 fair share counts from the last run
    await trx('campaigns').where({ id }).update(patch);
  }

  /** Live attempts of the campaign (an attempt is live while it holds active_member). */
  async countLiveAttempts(trx: Knex, id: number): Promise<number> {
    const r = await trx('attempts').where({ campaign_id: id }).whereNotNull('active_member').count({ n: '*' }).first();
    return Number(r?.n ?? 0);
  }

  async transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  private async checkReferences(c: CampaignUpdateInput): Promise<CampaignWrite | undefined> {
    if (c.calendar_id !== undefined && !(await this.db('calendars').where({ id: c.calendar_id }).first('id'))) {
      return { kind: 'bad-reference', message: `calendar ${c.calendar_id} not found` };
    }
    if (c.line_group_id !== undefined && c.line_group_id !== null
      && !(await this.db('line_groups').where({ id: c.line_group_id }).first('id'))) {
      return { kind: 'bad-reference', message: `line group ${c.line_group_id} not found` };
    }
    return undefined;
  }
}
