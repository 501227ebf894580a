import type { Knex } from 'knex';

/*
 * W2 (issue 12): an agent may be offered calls only while a client of its own (a CRM toolbar,
 * the agent page) is connected over the CTI socket. Off by default: phones with service numbers
 * keep working as before.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('agents', (t) => {
    t.boolean('requires_client').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('agents', (t) => t.dropColumn('requires_client'));
}
