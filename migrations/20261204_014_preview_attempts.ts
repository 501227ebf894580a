import type { Knex } from 'knex';

/*
 * P2 (issue 18): a preview attempt. An attempt of a preview campaign is `previewing` from its
 * reservation until the agent accepts (then it rings as any attempt), skips, or the preview time
 * passes; the decision stays with the attempt for its history.
 */
const STATES = ['reserved', 'ringing_agent', 'bridging', 'talking', 'waiting_result', 'done'];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('attempts', (t) => {
    t.enu('state', [...STATES, 'previewing']).notNullable().defaultTo('reserved').alter();
    t.datetime('preview_deadline_at', { precision: 3 }).nullable();
    t.enu('preview_decision', ['accepted', 'skipped', 'timed_out']).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex('attempts').where('state', 'previewing').update({ state: 'done' });
  await knex.schema.alterTable('attempts', (t) => {
    t.dropColumns('preview_deadline_at', 'preview_decision');
    t.enu('state', STATES).notNullable().defaultTo('reserved').alter();
  });
}
