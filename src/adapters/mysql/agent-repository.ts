import type { Knex } from 'knex';
import type { Agent, AgentCreateInput, AgentStatus, AgentUpdateInput } from '../../contract/agent-schemas.js';
import { isDuplicateKey, isoOrNull } from './row-mapping.js';
import type { AgentWrite, AgentDelete, AgentStore } from '../../app/ports/agent-store.js';

function toAgent(r: Record<string, unknown>): Agent {
  return {
    id: Number(r.id),
    name: String(r.name),
    sip_user: String(r.sip_user),
    call_timeout: Number(r.call_timeout),
    wrapup_sec: Number(r.wrapup_sec),
    max_no_answer: Number(r.max_no_answer),
    busy_delay_sec: Number(r.busy_delay_sec),
    reject_delay_sec: Number(r.reject_delay_sec),
    no_answer_delay_sec: Number(r.no_answer_delay_sec),
    requires_client: Boolean(r.requires_client),
    status: r.status as Agent['status'],
    // Kept only while On Break: a break the engine or a phone code started has no reason.
    break_reason: r.status === 'On Break' && r.break_reason !== null && r.break_reason !== undefined ? String(r.break_reason) : null,
    state: r.state as Agent['state'],
    no_answer_count: Number(r.no_answer_count),
    ready_at: isoOrNull(r.ready_at),
    registered_node: r.registered_node === null || r.registered_node === undefined ? null : String(r.registered_node),
    version: Number(r.version),
    created_at: isoOrNull(r.created_at),
    updated_at: isoOrNull(r.updated_at),
  };
}

export class AgentRepository implements AgentStore {
  constructor(private readonly db: Knex) {}

  /** Agents with the node their phone is registered on (registrations table, A2). */
  private select() {
    return this.db('agents').select('agents.*', this.db.raw(
      '(SELECT r.node FROM registrations r WHERE r.sip_user = agents.sip_user ORDER BY r.updated_at DESC LIMIT 1) AS registered_node'));
  }

  async list(): Promise<Agent[]> {
    return (await this.select().orderBy('id')).map(toAgent);
  }

  async get(id: number): Promise<Agent | undefined> {
    const r = await this.select().where({ id }).first();
    return r ? toAgent(r) : undefined;
  }

  /** A1: a new agent starts Logged Out and Waiting; it logs in with PUT .../status. */
  async create(a: AgentCreateInput, now: Date): Promise<AgentWrite> {
    try {
      const [id] = await this.db('agents').insert({
        ...a, status: 'Logged Out', state: 'Waiting', ready_at: now, idle_since: now, created_at: now, updated_at: now,
      });
      return { kind: 'ok', agent: (await this.get(Number(id)))! };
    } catch (err) {
      if (isDuplicateKey(err)) return { kind: 'conflict', message: `SIP user "${a.sip_user}" belongs to another agent` };
      throw err;
    }
  }

  async update(id: number, a: AgentUpdateInput, now: Date): Promise<AgentWrite> {
    if (!(await this.get(id))) return { kind: 'not-found' };
    try {
      await this.db('agents').where({ id }).update({ ...a, updated_at: now, version: this.db.raw('version + 1') });
    } catch (err) {
      if (isDuplicateKey(err)) return { kind: 'conflict', message: `SIP user "${a.sip_user}" belongs to another agent` };
      throw err;
    }
    return { kind: 'ok', agent: (await this.get(id))! };
  }

  /**
   * A5 through REST. Becoming Available clears the no-answer streak (A3) so an
   * agent sent on break by max_no_answer starts afresh.
   */
  async setStatus(id: number, status: AgentStatus, now: Date, breakReason: string | null = null): Promise<AgentWrite> {
    const patch: Record<string, unknown> = {
      status, break_reason: status === 'On Break' ? breakReason : null, updated_at: now, version: this.db.raw('version + 1'),
    };
    if (status === 'Available') patch.no_answer_count = 0;
    const n = await this.db('agents').where({ id }).update(patch);
    if (n === 0) return { kind: 'not-found' };
    return { kind: 'ok', agent: (await this.get(id))! };
  }

  /**
   * An agent on a live call stays until the call is settled (its attempt points at it). W1: so
   * does an agent a user logs in as; the user is deleted or linked to another agent first, so
   * no login is left acting as nobody.
   */
  async delete(id: number): Promise<AgentDelete> {
    return this.db.transaction(async (trx) => {
      const r = await trx('agents').where({ id }).forUpdate().first('attempt_id', 'state');
      if (!r) return { kind: 'not-found' } as const;
      if (r.attempt_id !== null && r.state !== 'Waiting') return { kind: 'busy' } as const;
      const user = await trx('users').where({ agent_id: id }).forUpdate().first('username');
      if (user) return { kind: 'linked', username: String(user.username) } as const;
      await trx('agents').where({ id }).delete();
      return { kind: 'deleted' } as const;
    });
  }
}
