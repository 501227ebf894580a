import type { Knex } from 'knex';
import type { OpenCampaign } from '../../app/ports/dispatch-store.js';
import type { ClaimedLine, PacerFacts, PacerStore } from '../../app/ports/pacer-store.js';
import type { ComplianceWindow } from '../../domain/campaign-type.js';
import { complianceWindowStart, NO_REDIAL_AFTER_ABANDON_MS } from '../../domain/compliance.js';
import type { NodeAgents } from '../../domain/line-split.js';
import type { EndedDial, PacerDecision, PacerState, TalkingAgent } from '../../domain/pacer.js';
import { sqlOf } from './direct-sql.js';
import { pickMember } from './member-pick.js';
import { withRetry } from './deadlock.js';
import { lockNameSql } from './named-lock.js';

const LOCK_NAME = lockNameSql('pacer');

const DIALS = 300;
const TALKS = 300;
const ANSWERS = 500;
const sec = (ms: number) => Math.max(0, ms / 1000);
const num = (v: unknown) => Number(v ?? 0);

/**
 * P3, P4 (DESIGN §8): the pacer's MySQL side. One process holds a campaign's pacer through a
 * MySQL named lock on a connection it keeps: the lock goes when the process (its connection)
 * dies, and another process takes the campaign over.
 */
/** Idle agents looked at per answer: each one being taken by another answer at the same moment is skipped. */
const CLAIM_CANDIDATES = 20;

export class MysqlPacerStore implements PacerStore {
  /** One connection of the pool holds every pacer lock of this process (MariaDB takes several named locks a session). */
  #conn: unknown = null;
  readonly #held = new Set<number>();

  constructor(private readonly db: Knex) {}

  async hold(campaignId: number): Promise<'taken' | 'kept' | false> {
    if (this.#held.has(campaignId)) return 'kept';
    this.#conn ??= await this.db.client.acquireConnection();
    try {
      const [rows] = await this.db.raw(`SELECT GET_LOCK(${LOCK_NAME}, 0) AS got`, [campaignId]).connection(this.#conn);
      if (Number((rows as Array<{ got: number }>)[0]?.got) === 1) {
        this.#held.add(campaignId);
        return 'taken';
      }
    } catch {
      // the connection is lost, and every lock with it: held again from a new one at the next pass
      await this.#drop();
      return false;
    }
    // held elsewhere: the connection is kept only while it holds something
    if (this.#held.size === 0) await this.#drop();
    return false;
  }

  async release(campaignId: number): Promise<void> {
    if (!this.#held.delete(campaignId)) return;
    try {
      await this.db.raw(`SELECT RELEASE_LOCK(${LOCK_NAME})`, [campaignId]).connection(this.#conn);
    } catch {
      await this.#drop();
      return;
    }
    if (this.#held.size === 0) {
      const conn = this.#conn;
      this.#conn = null;
      await this.db.client.releaseConnection(conn);
    }
  }

  async #drop(): Promise<void> {
    const conn = this.#conn;
    this.#conn = null;
    this.#held.clear();
    if (conn) await Promise.resolve(this.db.client.releaseConnection(conn)).catch(() => undefined);
  }

  async facts(campaignId: number, now: Date): Promise<PacerFacts | null> {
    const c = await this.db('campaigns as c').join('calendars as k', 'k.id', 'c.calendar_id').where({ 'c.id': campaignId, 'c.type': 'predictive' })
      .first('c.call_limit', 'c.line_group_id', 'c.abandon_cap_pct', 'c.abandon_target_pct', 'c.compliance_window', 'k.timezone');
    if (!c) return null;
    const from = complianceWindowStart(c.compliance_window as ComplianceWindow, now, c.timezone as string);
    const [agents, ringing, dials, talks, window, recent, known, live, unbridged] = await Promise.all([
      this.db('agents as a').join('tiers as t', 't.agent_id', 'a.id').leftJoin('attempts as x', 'x.id', 'a.attempt_id')
        .where({ 't.campaign_id': campaignId, 'a.status': 'Available' }).whereNotNull('a.nailed_node')
        .select('a.state', 'a.ready_at', 'a.attempt_id', 'a.wrapup_sec', 'a.nailed_node', 'x.answered_at'),
      this.db('attempts').where('live_campaign', campaignId).whereIn('state', ['reserved', 'ringing_agent']).pluck('created_at'),
      this.db('attempts').where({ campaign_id: campaignId, state: 'done' }).whereNotNull('member_uuid').whereNotNull('ended_at')
        .orderBy('id', 'desc').limit(DIALS).select('created_at', 'answered_at', 'ended_at'),
      this.db('attempts').where({ campaign_id: campaignId, state: 'done' }).where('talk_sec', '>', 0).orderBy('id', 'desc').limit(TALKS).pluck('talk_sec'),
      this.db('attempts').where('campaign_id', campaignId).where('answered_at', '>=', from)
        .first(this.db.raw('COUNT(*) AS answered'), this.db.raw("SUM(hangup_cause = 'ABANDONED') AS abandoned")),
      this.db.from(this.db('attempts').where('campaign_id', campaignId).whereNotNull('answered_at').orderBy('id', 'desc').limit(ANSWERS)
        .select('hangup_cause').as('r')).first(this.db.raw('COUNT(*) AS answered'), this.db.raw("SUM(hangup_cause = 'ABANDONED') AS abandoned")),
      this.db('attempts').where('campaign_id', campaignId).whereNotNull('answered_at').count({ n: '*' }).first(),
      this.db.raw(`SELECT (SELECT COUNT(*) FROM attempts WHERE live_campaign = ?) AS campaign_live,
                          (SELECT COUNT(*) FROM attempts WHERE live_line_group = ?) AS group_live,
                          (SELECT capacity FROM line_groups WHERE id = ?) AS capacity`, [campaignId, c.line_group_id ?? 0, c.line_group_id ?? 0]),
      // F3: lines without an agent yet, per node (the split counts them against the node's agents)
      this.db('attempts').where('live_campaign', campaignId).whereNull('agent_id').whereNotNull('node').groupBy('node')
        .select('node', this.db.raw('COUNT(*) AS n')),
    ]);
    const t = now.getTime();
    const byNode = new Map<string, NodeAgents>();
    const nodeOf = (node: string) => byNode.get(node) ?? byNode.set(node, { node, idle: 0, working: 0, inFlight: 0 }).get(node)!;
    for (const u of unbridged as Array<Record<string, unknown>>) nodeOf(u.node as string).inFlight = num(u.n);
    let idle = 0;
    const wrapUp: number[] = [];
    const talking: TalkingAgent[] = [];
    for (const a of agents as Array<Record<string, unknown>>) {
      const readyAt = new Date(a.ready_at as string).getTime();
      const at = nodeOf(a.nailed_node as string);
      at.working++;
      if (a.state === 'Waiting' && a.attempt_id === null && readyAt <= t) {
        idle++;
        at.idle++;
      } else if (a.state === 'Wrap up' || (a.state === 'Waiting' && a.attempt_id === null)) {
        wrapUp.push(sec(readyAt - t));
      } else {
        const answered = a.answered_at ? new Date(a.answered_at as string).getTime() : null;
        talking.push({ elapsedSec: answered ? sec(t - answered) : 0, wrapUpSec: num(a.wrapup_sec) });
      }
    }
    const recentDials: EndedDial[] = (dials as Array<Record<string, string | null>>).reverse().map((d) => {
      const created = new Date(d.created_at!).getTime();
      return d.answered_at
        ? { answered: true, durationSec: sec(new Date(d.answered_at).getTime() - created) }
        : { answered: false, durationSec: sec(new Date(d.ended_at!).getTime() - created) };
    });
    const cap = (live as Array<Array<Record<string, unknown>>>)[0]![0]!;
    const campaignFree = num(c.call_limit) - num(cap.campaign_live);
    const groupFree = c.line_group_id === null ? Infinity : num(cap.capacity) - num(cap.group_live);
    return {
      inputs: {
        nowMs: t,
        idleAgents: idle,
        wrapUpRemainingSec: wrapUp,
        talking,
        inFlightElapsedSec: (ringing as Date[]).map((x) => sec(t - new Date(x).getTime())),
        recentDials,
        talkTimesSec: (talks as number[]).reverse().map(Number),
        window: { answered: num(window?.answered), abandoned: num(window?.abandoned) },
        recentAnswers: { answered: num(recent?.answered), abandoned: num(recent?.abandoned) },
        answersKnown: num(known?.n),
        linesAllowed: Math.max(0, Math.min(campaignFree, groupFree)),
      },
      abandonCapPct: Number(c.abandon_cap_pct),
      abandonTargetPct: Number(c.abandon_target_pct),
      nodes: [...byNode.values()],
    };
  }

  claimLines(open: OpenCampaign, n: number, node: string, now: Date, instanceId: string, leaseUntil: Date): Promise<ClaimedLine[]> {
    const campaignId = open.id;
    if (n <= 0) return Promise.resolve([]);
    return withRetry(() => this.db.transaction(async (trx) => {
      const c = await trx('campaigns').where({ id: campaignId, state: 'running', type: 'predictive' }).forUpdate().first('id', 'call_limit', 'line_group_id');
      if (!c) return [];
      if (c.line_group_id !== null) await trx('line_groups').where('id', c.line_group_id).forUpdate().first('id');
      const [rows] = await trx.raw(
        `SELECT (SELECT COUNT(*) FROM attempts WHERE live_campaign = ?) AS campaign_live,
                (SELECT COUNT(*) FROM attempts WHERE live_line_group = ?) AS group_live,
                (SELECT capacity FROM line_groups WHERE id = ?) AS capacity`, [c.id, c.line_group_id ?? 0, c.line_group_id ?? 0]);
      const r = (rows as Array<Record<string, unknown>>)[0]!;
      // C2, C3 under the campaign's (and line group's) lock, as every claim counts them
      let free = Math.min(n, num(c.call_limit) - num(r.campaign_live));
      if (c.line_group_id !== null) free = Math.min(free, num(r.capacity) - num(r.group_live));
      const out: ClaimedLine[] = [];
      const since = new Date(now.getTime() - NO_REDIAL_AFTER_ABANDON_MS);
      for (let i = 0; i < free; i++) {
        const picked = await pickMember(sqlOf(trx), c.id, open, now, since);
        if (!picked) break;
        const [attemptId] = await trx('attempts').insert({
          campaign_id: c.id, member_id: picked.memberId, communication_id: picked.comm.id, number: picked.comm.number,
          agent_id: null, line_group_id: c.line_group_id, node, instance_id: instanceId, lease_until: leaseUntil, state: 'reserved',
          created_at: now, active_member: picked.memberId, live_campaign: c.id, live_line_group: c.line_group_id,
        });
        await trx('members').where('id', picked.memberId).update({
          state: 'dialing', next_communication_id: null, last_communication_id: picked.comm.id, version: trx.raw('version + 1'), updated_at: now,
        });
        out.push({ attemptId: attemptId!, campaignId: c.id, memberId: picked.memberId, node });
      }
      if (out.length) await trx('campaigns').where('id', c.id).increment('dialled', out.length);
      return out;
    }, { isolationLevel: 'read committed' }));
  }

  claimAgentAt(attemptId: number, now: Date): Promise<{ agentId: number; nailedUuid: string } | null> {
    return withRetry(() => this.db.transaction(async (trx) => {
      const a = await trx('attempts').where({ id: attemptId }).whereIn('state', ['reserved', 'ringing_agent']).whereNull('agent_id')
        .forUpdate().first('id', 'campaign_id', 'node');
      if (!a) return null;
      // The candidates are read without locks, then locked one at a time by primary key: a locking
      // read of the sorted join would lock every candidate it sorted, so answers coming together
      // on one node skipped each other's agents and were abandoned with agents idle.
      const candidates = await trx('agents as g').join('tiers as t', 't.agent_id', 'g.id')
        .where({ 't.campaign_id': a.campaign_id, 'g.status': 'Available', 'g.state': 'Waiting', 'g.nailed_node': a.node })
        .whereNull('g.attempt_id').where('g.ready_at', '<=', now)
        .orderBy([{ column: 'g.idle_since' }, { column: 'g.id' }]).limit(CLAIM_CANDIDATES).pluck('g.id');
      let agent: { id: number; nailed_uuid: string } | undefined;
      for (const id of candidates as number[]) {
        agent = await trx('agents').where({ id, status: 'Available', state: 'Waiting', nailed_node: a.node }).whereNull('attempt_id')
          .where('ready_at', '<=', now).forUpdate().skipLocked().first('id', 'nailed_uuid');
        if (agent) break;
      }
      if (!agent) return null;
      await trx('agents').where('id', agent.id).update({ state: 'Reserved', attempt_id: attemptId, version: trx.raw('version + 1'), updated_at: now });
      await trx('attempts').where('id', attemptId).update({ agent_id: agent.id, agent_uuid: agent.nailed_uuid });
      return { agentId: agent.id as number, nailedUuid: agent.nailed_uuid as string };
    }, { isolationLevel: 'read committed' }));
  }

  async loadState(campaignId: number): Promise<PacerState | null> {
    const r = await this.db('pacer_states').where('campaign_id', campaignId).first('rho', 'step_at', 'answers_at_step', 'paced_since_answers');
    if (!r) return null;
    return {
      rho: Number(r.rho),
      stepAtMs: r.step_at === null ? null : new Date(r.step_at as string).getTime(),
      answersAtStep: num(r.answers_at_step),
      pacedSinceAnswers: r.paced_since_answers === null ? null : num(r.paced_since_answers),
    };
  }

  async saveState(campaignId: number, state: PacerState, decision: PacerDecision, at: Date, heldBy: string): Promise<void> {
    const row = {
      rho: state.rho, step_at: state.stepAtMs === null ? null : new Date(state.stepAtMs), answers_at_step: state.answersAtStep,
      paced_since_answers: state.pacedSinceAnswers, held_by: heldBy, decided_at: at, mode: decision.mode, reason: decision.reason,
      lines: decision.lines, lines_in_flight: decision.linesInFlight, working_agents: decision.workingAgents, dial_level: decision.dialLevel,
    };
    await this.db('pacer_states').insert({ campaign_id: campaignId, ...row }).onConflict('campaign_id').merge(row);
  }
}
