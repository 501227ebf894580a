import type { Knex } from 'knex';

/*
 * C9 (issue 11, item 4): a `minus` cause does not use up a try, but a member gets at most
 * `max_minus_attempts` such attempts (default 10), counted in members.minus_tries; the one that
 * reaches the ceiling ends the member with its cause. Existing campaigns get the default.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('campaigns', (t) => {
    t.integer('max_minus_attempts').unsigned().notNullable().defaultTo(10);
  });
  await knex.schema.alterTable('members', (t) => {
    t.integer('minus_tries').unsigned().notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('members', (t) => t.dropColumn('minus_tries'));
  await knex.schema.alterTable('campaigns', (t) => t.dropColumn('max_minus_attempts'));
}
