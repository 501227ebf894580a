import type { Knex } from 'knex';

/*
 * Q2, P4: the campaign report counts abandoned calls (hangup_cause ABANDONED, P3), so
 * attempts_report (009, wrap_up_sec added by 013) is rebuilt with hangup_cause at its end: the
 * report still reads the index alone.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE attempts DROP INDEX attempts_report, ADD INDEX attempts_report
    (campaign_id, created_at, outcome, answered_at, agent_answered_at, ended_at, talk_sec, wrap_up_sec, hangup_cause)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE attempts DROP INDEX attempts_report, ADD INDEX attempts_report
    (campaign_id, created_at, outcome, answered_at, agent_answered_at, ended_at, talk_sec, wrap_up_sec)`);
}
