import type { Knex } from 'knex';

/*
 * P3, P4 (issue 18): what a predictive campaign's pacer keeps between passes, written by the
 * process that holds it. The controller's state (rho and its step bookkeeping) lets a process that
 * takes the pacer over (its holder died) go on from the measured rates instead of restarting rho;
 * the last decision (mode, why, dial level, lines in flight, lines dialled) is what the live
 * boards show, whichever process serves them.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('pacer_states', (t) => {
    t.integer('campaign_id').unsigned().notNullable().primary().references('campaigns.id').onDelete('CASCADE');
    t.double('rho').notNullable();
    t.datetime('step_at', { precision: 3 }).nullable();
    t.integer('answers_at_step').unsigned().notNullable().defaultTo(0);
    t.integer('paced_since_answers').unsigned().nullable();
    t.string('held_by', 128).notNullable();
    t.datetime('decided_at', { precision: 3 }).notNullable();
    t.string('mode', 16).notNullable();
    t.string('reason', 32).notNullable();
    t.integer('lines').unsigned().notNullable();
    t.integer('lines_in_flight').unsigned().notNullable();
    t.integer('working_agents').unsigned().notNullable();
    t.double('dial_level').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('pacer_states');
}
