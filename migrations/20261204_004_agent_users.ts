import type { Knex } from 'knex';

/*
 * W1 (issue 12): a user of role `agent` is linked to one agent record (users.agent_id, one user
 * per agent; an agent with a user is not deleted, RESTRICT). W4: the optional reason of a break,
 * a campaign's permission to end the wrap-up early, and the agent's attempts found by agent.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw("ALTER TABLE users MODIFY role ENUM('admin', 'operator', 'api', 'agent') NOT NULL");
  await knex.schema.alterTable('users', (t) => {
    t.integer('agent_id').unsigned().nullable().unique().references('agents.id').onDelete('RESTRICT');
  });
  await knex.schema.alterTable('agents', (t) => {
    t.string('break_reason', 255).nullable();
  });
  await knex.schema.alterTable('campaigns', (t) => {
    t.boolean('allow_end_wrap_up_early').notNullable().defaultTo(false);
  });
  await knex.schema.alterTable('attempts', (t) => {
    t.index(['agent_id', 'id'], 'attempts_agent');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('attempts', (t) => t.dropIndex(['agent_id', 'id'], 'attempts_agent'));
  await knex.schema.alterTable('campaigns', (t) => t.dropColumn('allow_end_wrap_up_early'));
  await knex.schema.alterTable('agents', (t) => t.dropColumn('break_reason'));
  await knex.schema.alterTable('users', (t) => {
    t.dropForeign(['agent_id']);
    t.dropUnique(['agent_id']);
    t.dropColumn('agent_id');
  });
  await knex('users').where('role', 'agent').delete();
  await knex.raw("ALTER TABLE users MODIFY role ENUM('admin', 'operator', 'api') NOT NULL");
}
