import type { Knex } from 'knex';

/*
 * Q2: every change of an agent's status or state, for the agent report. Written by triggers on
 * `agents`, not by each writer: agents are written by the claim, markRinging's multi-table UPDATE,
 * the bridge, the call's end, wrap-up's end, registrations, REST and the agent desk, and a writer
 * added later cannot forget the history. The row is part of the UPDATE itself, so it commits and
 * rolls back with it, costs no round trip, and only a real change (status or state differs) writes
 * one. `at` is the writer's updated_at when it changed it (the engine's clock, as on the attempts),
 * else the database's clock. No foreign key: the history outlives a deleted agent and the insert
 * checks nothing. One index, (agent_id, at): a range per agent and the row before it.
 */
const STATUS = ['Available', 'On Break', 'Logged Out'];
const STATE = ['Waiting', 'Reserved', 'Receiving', 'In a queue call', 'Wrap up'];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('agent_status_history', (t) => {
    t.bigIncrements('id');
    t.integer('agent_id').unsigned().notNullable();
    t.datetime('at', { precision: 3 }).notNullable();
    t.enu('status', STATUS).notNullable();
    t.enu('state', STATE).notNullable();
    t.index(['agent_id', 'at'], 'agent_status_history_agent_at');
  });
  await knex.raw(`CREATE TRIGGER agents_history_insert AFTER INSERT ON agents FOR EACH ROW
    INSERT INTO agent_status_history (agent_id, at, status, state) VALUES (NEW.id, NEW.updated_at, NEW.status, NEW.state)`);
  await knex.raw(`CREATE TRIGGER agents_history_update AFTER UPDATE ON agents FOR EACH ROW
    IF NOT (NEW.status <=> OLD.status AND NEW.state <=> OLD.state) THEN
      INSERT INTO agent_status_history (agent_id, at, status, state)
      VALUES (NEW.id, IF(NEW.updated_at <> OLD.updated_at, NEW.updated_at, NOW(3)), NEW.status, NEW.state);
    END IF`);
  // Agents that exist already start their history now.
  await knex.raw(`INSERT INTO agent_status_history (agent_id, at, status, state) SELECT id, NOW(3), status, state FROM agents`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS agents_history_update');
  await knex.raw('DROP TRIGGER IF EXISTS agents_history_insert');
  await knex.schema.dropTable('agent_status_history');
}
