import type { Knex } from 'knex';

/*
 * Q1, Q2: attempts by creation time. A campaign's report and export read the range of one
 * campaign (campaign_id, created_at); the all-campaigns export reads a range of every campaign
 * (created_at). Both give the rows in creation order, so an export streams without a sort.
 * created_at never changes after the insert, so an attempt's later updates write neither index.
 * Plans and figures: BENCHMARKS.md, "Attempt export and reports".
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX attempts_campaign_created ON attempts (campaign_id, created_at)');
  await knex.raw('CREATE INDEX attempts_created ON attempts (created_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX attempts_created ON attempts');
  await knex.raw('DROP INDEX attempts_campaign_created ON attempts');
}
