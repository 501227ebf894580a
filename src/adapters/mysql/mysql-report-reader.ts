import type { Knex } from 'knex';
import type { ExportRow } from '../../app/reports/attempt-export.js';
import type { AbandonCap, AgentReportRows, CampaignForecastFacts, ExportScope, ReportReader } from '../../app/ports/report-reader.js';
import type { Interval, SlotCounts } from '../../domain/interval-buckets.js';
import { agentReportRows } from './agent-report-store.js';
import { streamAttempts } from './attempt-export-store.js';
import { forecastFacts } from './forecast-store.js';
import { attemptSlots, campaignAbandonCap, campaignZone } from './report-store.js';

/** The reports' reads (Q1-Q3), each one in its own store file. */
export class MysqlReportReader implements ReportReader {
  constructor(private readonly db: Knex) {}

  campaignZone(campaignId: number): Promise<string | undefined> {
    return campaignZone(this.db, campaignId);
  }

  abandonCap(campaignId: number): Promise<AbandonCap | null> {
    return campaignAbandonCap(this.db, campaignId);
  }

  attemptSlots(campaignId: number, from: Date, to: Date): Promise<Map<number, SlotCounts>> {
    return attemptSlots(this.db, campaignId, from, to);
  }

  forecastFacts(campaignId: number, now: Date): Promise<CampaignForecastFacts | undefined> {
    return forecastFacts(this.db, campaignId, now);
  }

  agentReportRows(zone: string, interval: Interval, from: Date, to: Date, end: Date, agentId?: number): Promise<AgentReportRows> {
    return agentReportRows(this.db, zone, interval, from, to, end, agentId);
  }

  attempts(scope: ExportScope): AsyncIterable<ExportRow> {
    return streamAttempts(this.db, scope);
  }
}
