import type { Knex } from 'knex';

/*
 * Q1, Q2: the wrap-up that followed an attempt, in seconds, on the attempt (`wrap_up_sec`), for
 * the export and the handle time of the campaign report. Written by triggers on `agents`, as the
 * status history (010) and state_since (011) are, so every way a wrap-up ends (its wake-up, the
 * agent ending it early, a status set by REST or the desk, the upkeep's catch-up) records it:
 *   entering `Wrap up`: the attempt the agent was on (attempt_id, which the call's end clears in
 *     the same statement) is kept in agents.wrap_up_attempt_id, the instant in wrap_up_since;
 *   leaving it: that attempt gets the time from entering to leaving, rounded to a second, and the
 *     columns are cleared.
 * The instants are the writer's updated_at when it changed it, else the database's clock (as in
 * the status history, 010). Not state_since (011): a status set during the wrap-up (a break asked
 * for) moves it, while the wrap-up goes on.
 * NULL while the wrap-up runs, and for an attempt after which the agent had no wrap-up.
 * attempts_report (009) is rebuilt with wrap_up_sec at its end, so the report still reads the
 * index alone.
 */
const INSTANT = 'IF(NEW.updated_at <> OLD.updated_at, NEW.updated_at, NOW(3))';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('attempts', (t) => t.integer('wrap_up_sec').unsigned().nullable());
  await knex.schema.alterTable('agents', (t) => {
    t.bigInteger('wrap_up_attempt_id').unsigned().nullable();
    t.datetime('wrap_up_since', { precision: 3 }).nullable();
  });
  await knex.raw(`ALTER TABLE attempts DROP INDEX attempts_report, ADD INDEX attempts_report
    (campaign_id, created_at, outcome, answered_at, agent_answered_at, ended_at, talk_sec, wrap_up_sec)`);
  await knex.raw(`CREATE TRIGGER agents_wrap_up_attempt BEFORE UPDATE ON agents FOR EACH ROW
    IF NEW.state = 'Wrap up' AND NOT (OLD.state <=> 'Wrap up') THEN
      SET NEW.wrap_up_attempt_id = OLD.attempt_id, NEW.wrap_up_since = ${INSTANT};
    ELSEIF OLD.state = 'Wrap up' AND NOT (NEW.state <=> 'Wrap up') THEN
      SET NEW.wrap_up_attempt_id = NULL, NEW.wrap_up_since = NULL;
    END IF`);
  await knex.raw(`CREATE TRIGGER agents_wrap_up_sec AFTER UPDATE ON agents FOR EACH ROW
    IF OLD.state = 'Wrap up' AND NOT (NEW.state <=> 'Wrap up') AND OLD.wrap_up_attempt_id IS NOT NULL THEN
      UPDATE attempts SET wrap_up_sec = GREATEST(0, ROUND(TIMESTAMPDIFF(MICROSECOND, OLD.wrap_up_since, ${INSTANT}) / 1000000))
       WHERE id = OLD.wrap_up_attempt_id;
    END IF`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS agents_wrap_up_sec');
  await knex.raw('DROP TRIGGER IF EXISTS agents_wrap_up_attempt');
  await knex.raw(`ALTER TABLE attempts DROP INDEX attempts_report, ADD INDEX attempts_report
    (campaign_id, created_at, outcome, answered_at, agent_answered_at, ended_at, talk_sec)`);
  await knex.schema.alterTable('agents', (t) => {
    t.dropColumn('wrap_up_since');
    t.dropColumn('wrap_up_attempt_id');
  });
  await knex.schema.alterTable('attempts', (t) => t.dropColumn('wrap_up_sec'));
}
