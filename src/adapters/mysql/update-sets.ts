import type { Knex } from 'knex';
import type { SettlePlan } from '../../app/ports/call-store.js';
import type { AgentView } from '../../domain/agent-state.js';
import { agentViewColumns } from './row-mappers.js';

/** The SET list of a plan's multi-table UPDATE, its bindings beside it in order. */
export class UpdateSets {
  readonly sets: string[] = [];
  readonly values: Knex.RawBinding[] = [];

  set(col: string, v: unknown): void {
    this.sets.push(`${col} = ?`);
    this.values.push(v as Knex.RawBinding);
  }

  /** A bare assignment, no binding (`a.live_campaign = NULL`). */
  raw(...assignments: string[]): void {
    this.sets.push(...assignments);
  }

  /** The member `m` as a settle or a preview's end leaves it; its version moves, so a stale plan writes nothing later. */
  member(m: SettlePlan['member'], now: Date): void {
    this.set('m.state', m.state);
    this.set('m.tries', m.tries);
    this.set('m.minus_tries', m.minusTries);
    if (m.readyAt !== undefined) this.set('m.ready_at', m.readyAt);
    if (m.result !== undefined) this.set('m.result', m.result);
    if (m.endedAt !== undefined) this.set('m.ended_at', m.endedAt);
    this.raw('m.version = m.version + 1');
    this.set('m.updated_at', now);
  }

  /** The agent `g` let go of the attempt, in the state the plan chose. */
  agentFreed(view: AgentView, now: Date): void {
    for (const [k, v] of Object.entries(agentViewColumns(view, now))) this.set(`g.${k}`, v);
    this.raw('g.attempt_id = NULL', 'g.version = g.version + 1');
  }
}
