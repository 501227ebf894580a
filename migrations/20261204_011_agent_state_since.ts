import type { Knex } from 'knex';

/*
 * Issue 13 §2: when the agent entered its current status and state, for "time in state" on the
 * live board. Set by a BEFORE trigger on `agents`, as part of the very statement that changes the
 * status or the state: the claim, markRinging's multi-table UPDATE, the bridge, the call's end,
 * wrap-up's end, REST and the agent desk each stay one statement, and a writer added later cannot
 * forget it. The instant is the writer's updated_at when it changed it (the engine's clock, as in
 * agent_status_history, migration 010), else the database's clock. A write that leaves both as
 * they were (a delay, a no-answer count) keeps it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('agents', (t) => {
    t.datetime('state_since', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
  });
  // Agents that exist already: the last change their history knows, else their last write.
  await knex.raw(`UPDATE agents a SET a.state_since = COALESCE(
      (SELECT MAX(h.at) FROM agent_status_history h WHERE h.agent_id = a.id), a.updated_at)`);
  await knex.raw(`CREATE TRIGGER agents_state_since_insert BEFORE INSERT ON agents FOR EACH ROW
    SET NEW.state_since = COALESCE(NEW.updated_at, NOW(3))`);
  await knex.raw(`CREATE TRIGGER agents_state_since_update BEFORE UPDATE ON agents FOR EACH ROW
    IF NOT (NEW.status <=> OLD.status AND NEW.state <=> OLD.state) THEN
      SET NEW.state_since = IF(NEW.updated_at <> OLD.updated_at, NEW.updated_at, NOW(3));
    END IF`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS agents_state_since_update');
  await knex.raw('DROP TRIGGER IF EXISTS agents_state_since_insert');
  await knex.schema.alterTable('agents', (t) => t.dropColumn('state_since'));
}
