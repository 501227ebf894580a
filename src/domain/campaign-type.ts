/*
 * P1: the three ways a campaign dials and the settings each one reads. The settings are kept
 * whatever the type, so switching a stopped campaign back and forth loses nothing.
 */

export const CAMPAIGN_TYPES = ['progressive', 'preview', 'predictive'] as const;
export type CampaignType = (typeof CAMPAIGN_TYPES)[number];

/** P2: what a preview that nobody accepted or skipped in time turns into. */
export const PREVIEW_TIMEOUT_POLICIES = ['dial', 'return'] as const;
export type PreviewTimeoutPolicy = (typeof PREVIEW_TIMEOUT_POLICIES)[number];

/** P4: the span the abandon rate is measured over (US: rolling 30 days; UK Ofcom: the calendar day). */
export const COMPLIANCE_WINDOWS = ['rolling-30-days', 'calendar-day'] as const;
export type ComplianceWindow = (typeof COMPLIANCE_WINDOWS)[number];

/** The keys a subscriber can press on a phone. */
export const DTMF_DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#'] as const;
export type DtmfDigit = (typeof DTMF_DIGITS)[number];

export interface PacingSettings {
  type: CampaignType;
  preview_sec: number;
  preview_timeout: PreviewTimeoutPolicy;
  abandon_cap_pct: number;
  abandon_target_pct: number;
  compliance_window: ComplianceWindow;
  min_ring_sec: number;
  info_message: string | null;
  dnc_opt_out_key: DtmfDigit | null;
  amd: boolean;
}

export const DEFAULT_ABANDON_CAP_PCT = 3;
/** P4: the pacer aims at this share of the cap. */
export const TARGET_SHARE_OF_CAP = 0.8;

/** P4 default target: 80 % of the cap, in hundredths of a per cent as stored. */
export function defaultAbandonTarget(capPct: number): number {
  return Math.round(capPct * TARGET_SHARE_OF_CAP * 100) / 100;
}

export const DEFAULT_PACING: PacingSettings = {
  type: 'progressive',
  preview_sec: 30,
  preview_timeout: 'return',
  abandon_cap_pct: DEFAULT_ABANDON_CAP_PCT,
  abandon_target_pct: defaultAbandonTarget(DEFAULT_ABANDON_CAP_PCT),
  compliance_window: 'rolling-30-days',
  min_ring_sec: 15,
  info_message: null,
  dnc_opt_out_key: null,
  amd: false,
};

export interface SettingIssue {
  /** The campaign field at fault, e.g. `abandon_target_pct`. */
  field: keyof PacingSettings;
  message: string;
}

/** P1/P3/P4: rules between fields, checked on the whole campaign (after a partial change is merged). */
export function pacingIssues(s: PacingSettings): SettingIssue[] {
  const issues: SettingIssue[] = [];
  if (s.abandon_target_pct > s.abandon_cap_pct) {
    issues.push({ field: 'abandon_target_pct', message: `must be at most abandon_cap_pct (${s.abandon_cap_pct})` });
  }
  if (s.type === 'predictive' && s.info_message === null) {
    issues.push({ field: 'info_message', message: 'a predictive campaign needs an information message to play when no agent is free (P3)' });
  }
  if (s.dnc_opt_out_key !== null && s.info_message === null) {
    issues.push({ field: 'dnc_opt_out_key', message: 'the opt-out key is offered during the information message; set info_message too' });
  }
  return issues;
}

/**
 * Decision (P1): a campaign's type changes only while it is not running or stopping. Its live
 * attempts were started by one call flow and are settled by it; a change mid-run would leave
 * reserved previews or subscribers waiting for an agent under rules they were not dialled by.
 */
export function typeChangeAllowed(state: string): boolean {
  return state !== 'running' && state !== 'stopping';
}
