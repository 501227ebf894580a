import type { Knex } from 'knex';

/*
 * P3 (issue 18): an agent of a predictive campaign sits on a nailed-up leg (its phone answered
 * once, parked between calls); nailed_uuid is set when the leg is originated (one process does
 * it), nailed_node once it answered: only then is the agent offered predictive calls, on that
 * node. message_at: when the information message of an abandoned call started.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('agents', (t) => {
    t.string('nailed_uuid', 36).nullable();
    t.string('nailed_node', 128).nullable();
    t.index(['nailed_uuid']);
  });
  await knex.schema.alterTable('attempts', (t) => {
    t.datetime('message_at', { precision: 3 }).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('attempts', (t) => {
    t.dropColumn('message_at');
  });
  await knex.schema.alterTable('agents', (t) => {
    t.dropIndex(['nailed_uuid']);
    t.dropColumns('nailed_uuid', 'nailed_node');
  });
}
