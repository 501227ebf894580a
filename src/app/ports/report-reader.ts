import type { AgentSlot } from '../../domain/agent-times.js';
import type { ComplianceWindow } from '../../domain/campaign-type.js';
import type { ForecastFacts } from '../../domain/forecast.js';
import type { Interval, SlotCounts } from '../../domain/interval-buckets.js';
import type { ExportRow } from '../reports/attempt-export.js';

/** Q2: each agent's name and sums per bucket (agent id → the UTC quarter hour a bucket starts at → its sums). */
export interface AgentReportRows {
  names: Map<number, string>;
  slots: Map<number, Map<number, AgentSlot>>;
}

/** Q3: the campaign's state and what its forecast is computed from. */
export interface CampaignForecastFacts {
  state: string;
  facts: ForecastFacts;
}

/** Which attempts to export (Q1): one campaign or all, created in [from, to) when given. */
export interface ExportScope {
  campaignId?: number;
  from?: Date;
  to?: Date;
}

/** P4: a predictive campaign's abandon cap and target (per cent of the answered) and its compliance window. */
export interface AbandonCap {
  capPct: number;
  targetPct: number;
  window: ComplianceWindow;
}

/** What the reports (Q1-Q3) read. */
export interface ReportReader {
  /** The zone of the campaign's calendar; undefined when there is no such campaign. */
  campaignZone(campaignId: number): Promise<string | undefined>;
  /** P4: the cap a predictive campaign's abandon rate is held to; null for another type. */
  abandonCap(campaignId: number): Promise<AbandonCap | null>;
  /** Q2: the campaign's attempts created in [from, to), counted per UTC quarter hour. */
  attemptSlots(campaignId: number, from: Date, to: Date): Promise<Map<number, SlotCounts>>;
  /** Q3; undefined when there is no such campaign. */
  forecastFacts(campaignId: number, now: Date): Promise<CampaignForecastFacts | undefined>;
  /** Q2: time per category in [from, to) (a status still held counts up to `end`), calls and no-answers. */
  agentReportRows(zone: string, interval: Interval, from: Date, to: Date, end: Date, agentId?: number): Promise<AgentReportRows>;
  /** Q1: the attempts in creation order, streamed. */
  attempts(scope: ExportScope): AsyncIterable<ExportRow>;
}
