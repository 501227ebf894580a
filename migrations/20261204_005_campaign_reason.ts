import type { Knex } from 'knex';

/*
 * Issue 13 §1: why a campaign is not dialling (written by the engine while it runs), or why it
 * finished or stopped: a code and its parameters as JSON (src/domain/dial-reason.ts). One
 * value for every process, so every board and the REST API show the same answer.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('campaigns', (t) => {
    t.json('reason').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('campaigns', (t) => t.dropColumn('reason'));
}
