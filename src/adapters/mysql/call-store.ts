import type { Knex } from 'knex';
import type { CallStore, OrphanedAttempt, SettleResult, WakeUp } from '../../app/ports/call-store.js';
import type { BridgePlan, MemberLegResult } from '../../app/ports/telephony.js';
import { onAgentAnswered, onAgentLegFailed, onCallEnded, onWrapupEnded } from '../../domain/agent-state.js';
import { decideAfterCall, decideAfterResultDeadline, type CallOutcome, type MemberDecision } from '../../domain/attempt-rules.js';
import { withRetry } from './deadlock.js';
import { fromJsonColumn } from './row-mapping.js';
import { pendingStatusDecision } from './pending-status.js';
import { AGENT_COLUMNS, agentViewColumns, CAMPAIGN_RULE_COLUMNS, toAgentView, toCampaignRules, toChannelVariables } from './row-mappers.js';

/** P2: a preview is live too: it holds its member, its agent and a line of the campaign. */
export const LIVE_STATES = ['previewing', 'reserved', 'ringing_agent', 'bridging', 'talking'];

type Trx = Knex.Transaction;

export class MysqlCallStore implements CallStore {
  constructor(private readonly db: Knex) {}

  private tx<T>(fn: (trx: Trx) => Promise<T>): Promise<T> {
    return withRetry(() => this.db.transaction(fn));
  }

  async markRinging(attemptId: number, now: Date): Promise<void> {
    // One statement (attempt, then its Reserved agent): it runs on every call.
    await withRetry(() => this.db.raw(
      `UPDATE attempts a LEFT JOIN agents g ON g.attempt_id = a.id AND g.state = 'Reserved'
          SET a.state = 'ringing_agent', g.state = 'Receiving', g.version = g.version + 1, g.updated_at = ?
        WHERE a.id = ? AND a.state = 'reserved'`, [now, attemptId]));
  }

  planBridge(attemptId: number, agentLegUuid: string, now: Date): Promise<BridgePlan> {
    return this.tx(async (trx) => {
      const a = await trx('attempts').where('id', attemptId).forUpdate().first();
      if (!a || a.agent_uuid !== agentLegUuid || !['reserved', 'ringing_agent'].includes(a.state)) {
        return { kind: 'hangup', cause: 'NORMAL_CLEARING' } as const;
      }
      const [m, c, agent] = await Promise.all([
        trx('members').where('id', a.member_id).first('id', 'name', 'variables'),
        trx('campaigns').where('id', a.campaign_id).first('id', 'name', 'variables'),
        trx('agents').where('id', a.agent_id).forUpdate().first(...AGENT_COLUMNS),
      ]);
      await trx('attempts').where('id', attemptId).update({ state: 'bridging', agent_answered_at: now });
      if (agent) {
        await trx('agents').where('id', agent.id)
          .update({ ...agentViewColumns(onAgentAnswered(toAgentView(agent), now), now), version: trx.raw('version + 1') });
      }
      // C8: campaign variables, overridden by member variables; our ids last so they cannot be spoofed.
      const variables = toChannelVariables({
        ...fromJsonColumn<Record<string, unknown>>(c?.variables, {}),
        ...fromJsonColumn<Record<string, unknown>>(m?.variables, {}),
        dialer_campaign_id: a.campaign_id,
        dialer_member_id: a.member_id,
        dialer_attempt_id: a.id,
        dialer_agent_id: a.agent_id,
      });
      return {
        kind: 'bridge',
        number: a.number,
        variables,
        callerIdNumber: variables.dialer_caller_id_number ?? '',
        callerIdName: variables.dialer_caller_id_name ?? (c?.name as string | undefined) ?? '',
      } as const;
    });
  }

  async markMemberAnswered(attemptId: number, memberUuid: string | null, at: Date): Promise<void> {
    await this.db('attempts').where({ id: attemptId }).whereIn('state', LIVE_STATES)
      .update({ state: 'talking', answered_at: at, member_uuid: memberUuid });
  }

  settleCall(r: MemberLegResult, now: Date): Promise<SettleResult> {
    return this.tx(async (trx) => {
      const a = await trx('attempts').where('id', r.attemptId).forUpdate().first();
      if (!a || !LIVE_STATES.includes(a.state)) return { kind: 'already-settled' } as const;
      const { m, rules, activeNumbers } = await loadMember(trx, a.member_id, a.campaign_id);
      const outcome: CallOutcome = !r.endKnown ? { kind: 'end-unknown', cause: r.cause }
        : r.answeredAt ? { kind: 'answered', talkSec: r.talkSec, cause: r.cause }
        : { kind: 'not-answered', cause: r.cause };
      const decision: MemberDecision = (await pendingStatusDecision(trx, a, m, rules, now))
        ?? expireIfDue(decideAfterCall(rules, { tries: m.tries, minusTries: m.minus_tries, activeNumbers }, outcome, r.endedAt), m.expire_at, now);
      // The number's counter counts a call waiting for its result at once; the member's when it is decided (C7).
      const counted = decision.kind === 'wait-result' || decision.counts === 'try';
      await trx('attempts').where('id', a.id).update({
        state: decision.kind === 'wait-result' ? 'waiting_result' : 'done',
        member_uuid: r.memberUuid ?? a.member_uuid,
        answered_at: r.answeredAt,
        ended_at: r.endedAt,
        hangup_cause: r.cause,
        talk_sec: r.talkSec,
        outcome: outcomeOf(decision),
        result_deadline_at: decision.kind === 'wait-result' ? decision.deadline : null,
        live_campaign: null,
        live_line_group: null,
        ...(decision.kind === 'wait-result' ? {} : { active_member: null }),
      });
      await trx('communications').where('id', a.communication_id).update({
        tries: trx.raw(`tries + ${counted ? 1 : 0}`),
        last_cause: r.cause,
        ...(decision.kind === 'retry' && decision.stopNumber ? { state: 'stopped' } : {}),
      });
      const wakeUps: WakeUp[] = [];
      await writeMember(trx, a.campaign_id, m.id, decision, now, wakeUps);
      if (decision.kind === 'wait-result') wakeUps.push({ kind: 'result-deadline', attemptId: a.id, at: decision.deadline });
      await freeAgent(trx, a, now, wakeUps, (view) => onCallEnded(view, now));
      return { kind: 'settled', campaignId: a.campaign_id, memberId: m.id, agentId: a.agent_id, decision, wakeUps } as const;
    });
  }

  settleAgentFailure(attemptId: number, cause: string, answered: boolean, now: Date): Promise<SettleResult> {
    return this.tx(async (trx) => {
      const a = await trx('attempts').where('id', attemptId).forUpdate().first();
      if (!a || !LIVE_STATES.includes(a.state)) return { kind: 'already-settled' } as const;
      const m = await trx('members').where('id', a.member_id).forUpdate().first('id', 'expire_at');
      await trx('attempts').where('id', a.id).update({
        state: 'done', outcome: 'agent_failed', agent_cause: cause, ended_at: now,
        active_member: null, live_campaign: null, live_line_group: null,
      });
      // A3: an agent-leg failure never costs the member an attempt; it is ready again at once.
      const decision = expireIfDue({ kind: 'retry', readyAt: now, counts: 'none', stopNumber: false }, m?.expire_at ?? null, now);
      const wakeUps: WakeUp[] = [];
      await writeMember(trx, a.campaign_id, a.member_id, decision, now, wakeUps);
      await freeAgent(trx, a, now, wakeUps, (view) => {
        if (answered) return { ...onCallEnded(view, now), unregistered: false };
        return onAgentLegFailed(view, cause, now);
      });
      return { kind: 'settled', campaignId: a.campaign_id, memberId: a.member_id, agentId: a.agent_id, decision, wakeUps } as const;
    });
  }

  resultDeadlinePassed(attemptId: number, now: Date): Promise<SettleResult> {
    return this.tx(async (trx) => {
      const a = await trx('attempts').where({ id: attemptId, state: 'waiting_result' }).forUpdate().first();
      if (!a) return { kind: 'already-settled' } as const;
      const { m, rules, activeNumbers } = await loadMember(trx, a.member_id, a.campaign_id);
      if (m.state !== 'waiting_result') return { kind: 'already-settled' } as const;
      const decision = expireIfDue(decideAfterResultDeadline(rules, { tries: m.tries, minusTries: m.minus_tries, activeNumbers }, a.ended_at, now),
        m.expire_at, now);
      await trx('attempts').where('id', a.id).update({ state: 'done', outcome: outcomeOf(decision), active_member: null });
      const wakeUps: WakeUp[] = [];
      // C7: the deadline decides the waiting attempt, so it is counted now, also when it ends the member.
      await writeMember(trx, a.campaign_id, m.id, decision, now, wakeUps);
      return { kind: 'settled', campaignId: a.campaign_id, memberId: m.id, agentId: null, decision, wakeUps } as const;
    });
  }

  endWrapup(agentId: number, now: Date): Promise<boolean> {
    return this.tx(async (trx) => {
      const row = await trx('agents').where({ id: agentId, state: 'Wrap up' }).forUpdate().first(...AGENT_COLUMNS);
      if (!row) return false;
      const next = onWrapupEnded(toAgentView(row), now);
      if (next.state !== 'Waiting') return false;
      await trx('agents').where('id', agentId).update({ ...agentViewColumns(next, now), version: trx.raw('version + 1') });
      return true;
    });
  }

  async renewLeases(instanceId: string, until: Date): Promise<number> {
    return withRetry(() => this.db('attempts').where('instance_id', instanceId).whereIn('state', LIVE_STATES).update({ lease_until: until }));
  }

  async orphanedAttempts(instanceId: string, now: Date, ownBefore?: Date, reservedBefore?: Date): Promise<OrphanedAttempt[]> {
    const rows = await this.db('attempts')
      .whereIn('state', LIVE_STATES)
      .where((w) => {
        w.where((o) => o.where((l) => l.where('lease_until', '<', now).orWhereNull('lease_until'))
          .where((i) => i.whereNot('instance_id', instanceId).orWhereNull('instance_id')));
        if (ownBefore) w.orWhere((o) => o.where('instance_id', instanceId).where('created_at', '<', ownBefore));
        if (reservedBefore) w.orWhere((o) => o.where({ instance_id: instanceId, state: 'reserved' }).where('created_at', '<', reservedBefore));
      })
      .select('id', 'campaign_id', 'agent_id', 'state', 'node', 'agent_uuid', 'member_uuid', 'answered_at', 'instance_id', 'lease_until');
    return rows.map((r) => ({
      id: r.id as number, campaignId: r.campaign_id as number, agentId: r.agent_id as number | null, state: r.state as string,
      node: r.node as string | null, agentUuid: r.agent_uuid as string | null, memberUuid: r.member_uuid as string | null,
      answeredAt: r.answered_at as Date | null, instanceId: r.instance_id as string | null, leaseUntil: r.lease_until as Date | null,
    }));
  }

  async takeOver(o: OrphanedAttempt, instanceId: string, until: Date): Promise<boolean> {
    // Compared as read (NULL-safe): a renewal or another process's takeover since then wins.
    const n = await withRetry(() => this.db('attempts').where('id', o.id).whereIn('state', LIVE_STATES)
      .whereRaw('instance_id <=> ?', [o.instanceId]).whereRaw('lease_until <=> ?', [o.leaseUntil])
      .update({ instance_id: instanceId, lease_until: until }));
    return n === 1;
  }

  async liveCount(instanceId: string): Promise<number> {
    // A preview ends only when its agent decides or its time passes (minutes): a shutdown does not
    // wait for it; the restart, or another process after the lease, recovers it (S3).
    const r = await this.db('attempts').where('instance_id', instanceId).whereIn('state', LIVE_STATES.filter((s) => s !== 'previewing'))
      .count({ n: '*' }).first();
    return Number(r?.n ?? 0);
  }
}

async function loadMember(trx: Trx, memberId: number, campaignId: number) {
  const [m, c, active] = await Promise.all([
    trx('members').where('id', memberId).forUpdate().first('id', 'state', 'tries', 'minus_tries', 'expire_at'),
    trx('campaigns').where('id', campaignId).first(...CAMPAIGN_RULE_COLUMNS),
    trx('communications').where({ member_id: memberId, state: 'active' }).count({ n: '*' }).first(),
  ]);
  return { m, rules: toCampaignRules(c), activeNumbers: Number(active?.n ?? 0) };
}

/** M4: a member whose expire instant has passed is not made ready again. */
export function expireIfDue(d: MemberDecision, expireAt: Date | null, now: Date): MemberDecision {
  if (d.kind === 'retry' && expireAt && expireAt <= now) return { kind: 'end', result: 'MEMBER_EXPIRED', success: false, counts: d.counts };
  return d;
}

/** The attempt's class; the one that ends the member keeps its own (MAX_TRY_COUNT's last is a retry). */
function outcomeOf(d: MemberDecision): string {
  if (d.kind === 'wait-result') return 'waiting_result';
  if (d.kind === 'end' && d.success) return 'success';
  if (d.counts !== 'try') return 'minus';
  return d.kind === 'retry' || d.result === 'MAX_TRY_COUNT' ? 'retry' : 'error';
}

/** The member's counters follow `counts`: the attempt that ends it counts too (C5: tries equals the attempts used). */
export async function writeMember(trx: Trx, campaignId: number, memberId: number, d: MemberDecision, now: Date, wakeUps: WakeUp[]): Promise<void> {
  const base = { version: trx.raw('version + 1'), updated_at: now };
  const counters = d.kind === 'wait-result' ? {} : {
    tries: trx.raw(`tries + ${d.counts === 'try' ? 1 : 0}`),
    minus_tries: trx.raw(`minus_tries + ${d.counts === 'minus' ? 1 : 0}`),
  };
  switch (d.kind) {
    case 'end':
      await trx('members').where('id', memberId).update({ ...base, ...counters, state: 'done', result: d.result, ended_at: now });
      return;
    case 'retry':
      await trx('members').where('id', memberId).update({ ...base, ...counters, state: 'ready', ready_at: d.readyAt, result: null });
      wakeUps.push({ kind: 'member-ready', campaignId, memberId, at: d.readyAt });
      return;
    case 'wait-result':
      // Counted when the status or the deadline decides it (C7).
      await trx('members').where('id', memberId).update({ ...base, state: 'waiting_result' });
      return;
  }
}

type AgentTransition = (view: ReturnType<typeof toAgentView>) => ReturnType<typeof toAgentView> & { unregistered?: boolean };

export async function freeAgent(trx: Trx, a: { id: number; agent_id: number | null; node: string | null }, now: Date, wakeUps: WakeUp[], next: AgentTransition) {
  if (!a.agent_id) return;
  const row = await trx('agents').where({ id: a.agent_id, attempt_id: a.id }).forUpdate().first(...AGENT_COLUMNS);
  if (!row) return;
  const view = next(toAgentView(row));
  await trx('agents').where('id', row.id).update({
    ...agentViewColumns(view, now),
    attempt_id: null,
    version: trx.raw('version + 1'),
  });
  // A3: USER_NOT_REGISTERED means our registration record is stale; the next sofia event or resync restores it.
  if (view.unregistered && a.node) await trx('registrations').where({ sip_user: row.sip_user, node: a.node }).del();
  if (view.state === 'Wrap up') wakeUps.push({ kind: 'wrapup-end', agentId: row.id, at: view.readyAt });
  else if (view.readyAt > now) wakeUps.push({ kind: 'agent-ready', agentId: row.id, at: view.readyAt });
}
