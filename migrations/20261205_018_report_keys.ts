import type { Knex } from 'knex';

/*
 * Q2: what the two reports read, keyed for their reads (figures: BENCHMARKS.md).
 *
 * 1. Q2, P4: the campaign report over 1M attempts compared two strings per row (the outcome, and
 * the cause against ABANDONED, migration 017) and read an index holding both: 1.4-4.5 s on the
 * bench machine. `report_class` is the same facts as one small number, worked out by MariaDB
 * when a row is written (a VIRTUAL column: nothing to add to the engine's statements, no table
 * rebuild) and kept only in attempts_report, which no longer holds the strings:
 *   report_class = outcome class * 4 + answered * 2 + abandoned
 *   outcome class: 0 while live (outcome NULL), 1 an outcome not in the list below, else 2 + its
 *     place in it (report-store.ts decodes with the same list, in the same order);
 *   answered: answered_at set; abandoned: answered and hangup_cause ABANDONED (P3).
 * A new outcome needs a migration that redefines the column, else it counts as `other`.
 * answered_at leaves the index too (the answered bit stands for it). Figures: BENCHMARKS.md,
 * "Attempt export and reports".
 *
 * 2. Q2: the agent report reads agent_slot_totals (012) at every bucket bound of every agent: a
 * year by day is 366 lookups per agent. Keyed (agent_id, slot), each agent's year is ~200 pages
 * and 366 day bounds touch nearly all of them: 100 agents read the whole table (300 MB for a
 * year, more than a shared buffer pool holds), 2-3.6 s. Keyed (slot, agent_id), the agents' rows
 * of one bound are neighbours: the year touches ~370 pages. The triggers' reads by agent (the
 * agent's last row, its rows after an instant) go through a secondary index (agent_id, slot).
 */
const OUTCOMES = ['success', 'retry', 'error', 'minus', 'waiting_result', 'agent_failed', 'expired', 'skipped'];
const CLASS = `IF(outcome IS NULL, 0, 1 + FIELD(outcome, ${OUTCOMES.map((o) => `'${o}'`).join(', ')})) * 4
  + (answered_at IS NOT NULL) * 2 + (answered_at IS NOT NULL AND hangup_cause <=> 'ABANDONED')`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE attempts ADD COLUMN report_class TINYINT UNSIGNED AS (${CLASS}) VIRTUAL`);
  await knex.raw(`ALTER TABLE attempts DROP INDEX attempts_report, ADD INDEX attempts_report
    (campaign_id, created_at, report_class, agent_answered_at, ended_at, talk_sec, wrap_up_sec)`);
  await knex.raw(`ALTER TABLE agent_slot_totals DROP PRIMARY KEY, ADD PRIMARY KEY (slot, agent_id),
    ADD INDEX agent_slot_totals_agent (agent_id, slot)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE agent_slot_totals DROP PRIMARY KEY, ADD PRIMARY KEY (agent_id, slot), DROP INDEX agent_slot_totals_agent');
  await knex.raw(`ALTER TABLE attempts DROP INDEX attempts_report, ADD INDEX attempts_report
    (campaign_id, created_at, outcome, answered_at, agent_answered_at, ended_at, talk_sec, wrap_up_sec, hangup_cause)`);
  await knex.raw('ALTER TABLE attempts DROP COLUMN report_class');
}
