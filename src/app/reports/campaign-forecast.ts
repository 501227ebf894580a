import type { CampaignForecast } from '../../contract/report-schemas.js';
import { forecastFinish, type Forecast } from '../../domain/forecast.js';
import type { ReportReader } from '../ports/report-reader.js';

/** Q3: when the campaign will finish, or why there is no forecast; undefined when there is no such campaign. */
export async function campaignForecast(reader: ReportReader, campaignId: number, now: Date): Promise<CampaignForecast | undefined> {
  const read = await reader.forecastFacts(campaignId, now);
  if (!read) return undefined;
  return forecastView(campaignId, read.state, now, read.state === 'running' ? forecastFinish(read.facts) : undefined);
}

function forecastView(id: number, state: string, at: Date, f: Forecast | undefined): CampaignForecast {
  const base = { campaign_id: id, campaign_state: state, at: at.toISOString(), reason: null, earliest: null, likely: null, latest: null, basis: null };
  if (f === undefined) {
    return state === 'finished' ? { ...base, status: 'finished' } : { ...base, status: 'not_running', reason: `the campaign is ${state}` };
  }
  if (f.kind === 'finished') return { ...base, status: 'finished' };
  if (f.kind === 'not_enough_data') return { ...base, status: 'not_enough_data', reason: f.reason };
  const b = f.basis;
  return {
    ...base, status: 'forecast',
    earliest: f.earliest?.toISOString() ?? null, likely: f.likely?.toISOString() ?? null, latest: f.latest?.toISOString() ?? null,
    basis: {
      agents: b.agents, attempts_per_agent_hour: b.attemptsPerAgentHour, retry_share: b.retryShare, uncounted_share: b.uncountedShare,
      remaining_members: b.remainingMembers, attempts_left: b.attemptsLeft, measured_attempts: b.measuredAttempts,
      measured_since: b.measuredSince.toISOString(),
    },
  };
}
