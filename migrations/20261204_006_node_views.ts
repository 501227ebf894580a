import type { Knex } from 'knex';

/*
 * Issue 13 §1: each engine process's view of each FreeSWITCH node, so that every process decides
 * a campaign's reason from the same nodes (a node is down only when no live engine reaches it),
 * and the stored reason does not flip between processes whose connections differ.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('node_views', (t) => {
    t.string('instance_id', 128).notNullable();
    t.string('node', 255).notNullable();
    t.boolean('up').notNullable();
    t.datetime('since', { precision: 3 }).notNullable();
    t.datetime('seen_at', { precision: 3 }).notNullable();
    t.primary(['instance_id', 'node']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('node_views');
}
