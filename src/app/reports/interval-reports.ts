import type { z } from 'zod';
import type { AgentReport, AgentReportQuery, CampaignReport, ReportQuery } from '../../contract/report-schemas.js';
import { addAgentSlot, agentTimesView, emptyAgentSlot, type AgentSlot } from '../../domain/agent-times.js';
import { addCounts, bucketise, countsView, emptyCounts, groupSlots, slotEnd, slotStart } from '../../domain/interval-buckets.js';
import type { ReportReader } from '../ports/report-reader.js';

/** Q2: the campaign's figures per interval in its calendar's zone; undefined when there is no such campaign. */
export async function campaignReport(reader: ReportReader, campaignId: number, query: z.output<typeof ReportQuery>): Promise<CampaignReport | undefined> {
  const zone = await reader.campaignZone(campaignId);
  if (!zone) return undefined;
  const from = new Date(query.from);
  const to = new Date(query.to);
  const [slots, cap] = await Promise.all([reader.attemptSlots(campaignId, from, to), reader.abandonCap(campaignId)]);
  const totals = emptyCounts();
  for (const c of slots.values()) addCounts(totals, c);
  return {
    campaign_id: campaignId, timezone: zone, interval: query.interval, from: from.toISOString(), to: to.toISOString(),
    buckets: bucketise(zone, query.interval, from, to, slots), totals: countsView(totals),
    abandon_cap: cap && { cap_pct: cap.capPct, target_pct: cap.targetPct, compliance_window: cap.window },
  };
}

/** Q2: each agent's times and calls per interval, agents in id order. */
export async function agentReport(reader: ReportReader, query: z.output<typeof AgentReportQuery>, now: Date): Promise<AgentReport> {
  const from = slotStart(new Date(query.from));
  const to = slotEnd(new Date(query.to));
  // A status still held counts up to now, not into the future.
  const end = new Date(Math.min(to.getTime(), now.getTime()));
  const rows = await reader.agentReportRows(query.zone, query.interval, from, to, end, query.agent_id);
  const answer: AgentReport = { timezone: query.zone, interval: query.interval, from: from.toISOString(), to: to.toISOString(), agents: [] };
  for (const [agentId, slots] of [...rows.slots].sort((a, b) => a[0] - b[0])) {
    const totals = emptyAgentSlot();
    for (const s of slots.values()) addAgentSlot(totals, s);
    answer.agents.push({
      agent_id: agentId, name: rows.names.get(agentId) ?? '',
      buckets: groupSlots<AgentSlot>(query.zone, query.interval, from, to, slots, emptyAgentSlot, addAgentSlot)
        .map((b) => ({ start: b.start, local: b.local, ...agentTimesView(b.value) })),
      totals: agentTimesView(totals),
    });
  }
  return answer;
}
