import type { Knex } from 'knex';

/*
 * P1 (issue 18): the settings of preview and predictive campaigns. `type` exists since the first
 * migration; existing campaigns stay progressive and get the defaults of SPEC P.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('campaigns', (t) => {
    t.integer('preview_sec').unsigned().notNullable().defaultTo(30);
    t.enu('preview_timeout', ['dial', 'return']).notNullable().defaultTo('return');
    t.decimal('abandon_cap_pct', 5, 2).notNullable().defaultTo(3);
    t.decimal('abandon_target_pct', 5, 2).notNullable().defaultTo(2.4);
    t.enu('compliance_window', ['rolling-30-days', 'calendar-day']).notNullable().defaultTo('rolling-30-days');
    t.integer('min_ring_sec').unsigned().notNullable().defaultTo(15);
    t.string('info_message', 1024).nullable();
    t.string('dnc_opt_out_key', 1).nullable();
    t.boolean('amd').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('campaigns', (t) => {
    t.dropColumns('preview_sec', 'preview_timeout', 'abandon_cap_pct', 'abandon_target_pct', 'compliance_window',
      'min_ring_sec', 'info_message', 'dnc_opt_out_key', 'amd');
  });
}
