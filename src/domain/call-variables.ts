/**
 * C8: the channel variables of a campaign's call, the same on every channel of it (the agent leg
 * from its originate, the subscriber's legs from the bridge or their own originate): the
 * campaign's variables, overridden by the member's, then the dialer's ids, last so that no
 * campaign or member can spoof them. Channel variables are strings: JSON values of any other
 * type are written as text, and null or missing ones are left out.
 */
export interface CallIds {
  campaignId: number;
  memberId: number;
  attemptId: number;
  agentId: number | null;
}

export function callVariables(campaignVariables: Record<string, unknown>, memberVariables: Record<string, unknown>, ids: CallIds): Record<string, string> {
  return channelVariables({
    ...campaignVariables,
    ...memberVariables,
    dialer_campaign_id: ids.campaignId,
    dialer_member_id: ids.memberId,
    dialer_attempt_id: ids.attemptId,
    dialer_agent_id: ids.agentId,
  });
}

function channelVariables(v: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (val === null || val === undefined) continue;
    out[k] = typeof val === 'object' ? JSON.stringify(val) : String(val);
  }
  return out;
}
