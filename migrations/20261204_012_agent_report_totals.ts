import type { Knex } from 'knex';

/*
 * Q2: running totals for the agent report, so a report reads one row per agent and bucket bound
 * instead of every status change of its range (a year: 19 s for 100 agents before; BENCHMARKS.md,
 * "Agent report (Q2) over a year").
 *
 * agent_time_marks: one row per agent_status_history row (same agent, instant and id): the
 * agent's time per category before this change, and the category the change starts (as
 * src/domain/agent-times.ts categoryOf says; 0: none, Logged Out).
 * agent_slot_totals: per agent and UTC quarter hour, from the one after its first change to the
 * one of its last, every one (dense, so a bound is an equality lookup): the time per category
 * before the quarter hour starts, the category then, and the calls (agent leg answered) and
 * no-answers (A3: agent_failed with a no-answer cause) of the attempts created before it.
 * agent_call_counts: per agent and quarter hour of the attempts' creation, its own calls and
 * no-answers; what agent_slot_totals adds up, and what comes after the agent's last change.
 *
 * All are written by triggers inside the statement that changes the history or the attempt, as
 * the history is (migration 010): no writer can forget them, and they commit or roll back with it.
 * A change written out of order (an instant before the agent's last one: two clocks, or a
 * correction by hand) is placed where it belongs and what follows it is corrected; in order,
 * that correction finds no row. An attempt's counts follow its updates (its agent too); a deleted
 * member's or campaign's attempts go by a foreign key cascade, which fires no trigger: the agent's
 * calls stay counted, as they were made. Size: a row per agent and quarter hour of its working
 * life (about 35,000 a year, ~60 bytes each).
 *
 * The category and the no-answer rule are repeated here in SQL; test/integration/agent-report-
 * totals.test.ts compares the report read from these tables with the domain's reading of the raw rows.
 */

/** src/domain/agent-times.ts categoryOf as a number: 0 none (Logged Out), then CATEGORIES' order. */
const category = (status: string, state: string) => `CASE WHEN ${state} = 'In a queue call' THEN 3 WHEN ${state} = 'Wrap up' THEN 4
  WHEN ${status} = 'Logged Out' THEN 0 WHEN ${status} = 'On Break' THEN 5 WHEN ${state} = 'Waiting' THEN 1 ELSE 2 END`;

/** src/domain/agent-state.ts classifyAgentFailure: every cause not listed there is a no-answer. */
const NOT_NO_ANSWER = ['USER_BUSY', 'NORMAL_CIRCUIT_CONGESTION', 'CALL_REJECTED', 'USER_NOT_REGISTERED', 'SUBSCRIBER_ABSENT', 'NODE_DOWN', 'UNKNOWN'];
const noAnswer = (a: string) => `(${a}.agent_id IS NOT NULL AND ${a}.outcome <=> 'agent_failed' AND ${a}.agent_cause IS NOT NULL
  AND UPPER(${a}.agent_cause) NOT IN (${NOT_NO_ANSWER.map((c) => `'${c}'`).join(', ')}))`;
const called = (a: string) => `(${a}.agent_id IS NOT NULL AND ${a}.agent_answered_at IS NOT NULL)`;

const ms = (t: string) => `(TIMESTAMPDIFF(MICROSECOND, '1970-01-01', ${t}) DIV 1000)`;
const slotOf = (t: string) => `(TIMESTAMPDIFF(MICROSECOND, '1970-01-01', ${t}) DIV 900000000)`;
const COLUMNS = ['available_ms', 'ringing_ms', 'talking_ms', 'wrap_up_ms', 'break_ms'] as const;
const SLOT_MS = 900_000;
/** Each column plus `add(k)` (k: 1-based category). */
const plus = (add: (k: number) => string) => COLUMNS.map((c, i) => `${c} = ${c} + ${add(i + 1)}`).join(', ');

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('agent_time_marks', (t) => {
    t.integer('agent_id').unsigned().notNullable();
    t.datetime('at', { precision: 3 }).notNullable();
    t.bigInteger('history_id').unsigned().notNullable();
    t.tinyint('category').unsigned().notNullable();
    for (const c of COLUMNS) t.bigInteger(c).notNullable();
    t.primary(['agent_id', 'at', 'history_id']);
  });
  await knex.schema.createTable('agent_slot_totals', (t) => {
    t.integer('agent_id').unsigned().notNullable();
    t.integer('slot').unsigned().notNullable();
    t.tinyint('category').unsigned().notNullable();
    for (const c of COLUMNS) t.bigInteger(c).notNullable();
    t.bigInteger('calls').notNullable();
    t.bigInteger('no_answers').notNullable();
    t.primary(['agent_id', 'slot']);
  });
  await knex.schema.createTable('agent_call_counts', (t) => {
    t.integer('agent_id').unsigned().notNullable();
    t.integer('slot').unsigned().notNullable();
    t.bigInteger('calls').notNullable();
    t.bigInteger('no_answers').notNullable();
    t.primary(['agent_id', 'slot']);
  });
  await backfill(knex);

  /*
   * Calls before quarter hour p_slot: the agent's last total row before it plus its own counts
   * since. Reads: one index dive and a short range of agent_call_counts.
   */
  await knex.raw(`CREATE PROCEDURE agent_calls_before(IN p_agent INT UNSIGNED, IN p_slot INT UNSIGNED, OUT o_calls BIGINT, OUT o_no BIGINT)
  BEGIN
    DECLARE l_slot INT UNSIGNED DEFAULT 0;
    DECLARE l_calls BIGINT DEFAULT 0;
    DECLARE l_no BIGINT DEFAULT 0;
    DECLARE CONTINUE HANDLER FOR NOT FOUND BEGIN END;
    SELECT slot, calls, no_answers INTO l_slot, l_calls, l_no FROM agent_slot_totals
     WHERE agent_id = p_agent AND slot < p_slot ORDER BY slot DESC LIMIT 1;
    SELECT l_calls + COALESCE(SUM(calls), 0), l_no + COALESCE(SUM(no_answers), 0) INTO o_calls, o_no
      FROM agent_call_counts WHERE agent_id = p_agent AND slot >= l_slot AND slot < p_slot;
  END`);

  /*
   * Totals rows for the quarter hours starting in (lo_ms, hi_ms], where the agent was in category
   * p_cat from p_ms on with the totals p_* at p_ms (none of those rows exists yet).
   */
  await knex.raw(`CREATE PROCEDURE agent_slot_totals_fill(IN p_agent INT UNSIGNED, IN lo_ms BIGINT, IN hi_ms BIGINT, IN p_ms BIGINT, IN p_cat TINYINT,
    ${COLUMNS.map((c) => `IN p_${c} BIGINT`).join(', ')})
  BEGIN
    DECLARE s BIGINT DEFAULT lo_ms DIV ${SLOT_MS} + 1;
    DECLARE c BIGINT DEFAULT 0;
    DECLARE n BIGINT DEFAULT 0;
    WHILE s * ${SLOT_MS} <= hi_ms DO
      CALL agent_calls_before(p_agent, s, c, n);
      INSERT INTO agent_slot_totals (agent_id, slot, category, ${COLUMNS.join(', ')}, calls, no_answers)
        VALUES (p_agent, s, p_cat, ${COLUMNS.map((c, i) => `p_${c} + IF(p_cat = ${i + 1}, s * ${SLOT_MS} - p_ms, 0)`).join(', ')}, c, n);
      SET s = s + 1;
    END WHILE;
  END`);

  /*
   * A change at NEW.at: its mark is the previous mark's totals plus the time since it in the
   * previous category. In order, the quarter hours that started since the previous change get
   * their rows. Out of order (a later mark exists): the time from NEW.at to the next mark moves
   * from the previous category to this one, in the marks and rows after it, and the quarter hours
   * starting in between take this category; before the agent's first change, they are made.
   * Reads: the mark at or before NEW.at and the first after it (index dives of the key).
   */
  await knex.raw(`CREATE TRIGGER agent_status_history_totals AFTER INSERT ON agent_status_history FOR EACH ROW
  BEGIN
    DECLARE cat TINYINT DEFAULT ${category('NEW.status', 'NEW.state')};
    DECLARE at_ms BIGINT DEFAULT ${ms('NEW.at')};
    DECLARE p_at DATETIME(3) DEFAULT NULL;
    DECLARE p_cat TINYINT DEFAULT 0;
    ${COLUMNS.map((c) => `DECLARE p_${c} BIGINT DEFAULT 0;`).join('\n    ')}
    DECLARE n_at DATETIME(3) DEFAULT NULL;
    DECLARE d BIGINT DEFAULT 0;
    DECLARE CONTINUE HANDLER FOR NOT FOUND BEGIN END;
    SELECT at, category, ${COLUMNS.join(', ')} INTO p_at, p_cat, ${COLUMNS.map((c) => `p_${c}`).join(', ')}
      FROM agent_time_marks WHERE agent_id = NEW.agent_id AND at <= NEW.at ORDER BY at DESC, history_id DESC LIMIT 1;
    IF p_at IS NOT NULL THEN SET d = at_ms - ${ms('p_at')}; END IF;
    INSERT INTO agent_time_marks (agent_id, at, history_id, category, ${COLUMNS.join(', ')})
      VALUES (NEW.agent_id, NEW.at, NEW.id, cat, ${COLUMNS.map((c, i) => `p_${c} + IF(p_cat = ${i + 1}, d, 0)`).join(', ')});
    SELECT MIN(at) INTO n_at FROM agent_time_marks WHERE agent_id = NEW.agent_id AND at > NEW.at;
    IF n_at IS NULL THEN
      IF p_at IS NOT NULL THEN
        CALL agent_slot_totals_fill(NEW.agent_id, ${ms('p_at')}, at_ms, ${ms('p_at')}, p_cat, ${COLUMNS.map((c) => `p_${c}`).join(', ')});
      END IF;
    ELSE
      SET d = ${ms('n_at')} - at_ms;
      UPDATE agent_time_marks SET ${plus((k) => `IF(cat = ${k}, d, 0) - IF(p_cat = ${k}, d, 0)`)}
       WHERE agent_id = NEW.agent_id AND at > NEW.at;
      UPDATE agent_slot_totals SET ${plus((k) => `IF(cat = ${k}, d, 0) - IF(p_cat = ${k}, d, 0)`)}
       WHERE agent_id = NEW.agent_id AND slot > ${ms('n_at')} DIV ${SLOT_MS};
      IF p_at IS NOT NULL THEN
        UPDATE agent_slot_totals SET category = cat,
               ${plus((k) => `IF(cat = ${k}, slot * ${SLOT_MS} - at_ms, 0) - IF(p_cat = ${k}, slot * ${SLOT_MS} - at_ms, 0)`)}
         WHERE agent_id = NEW.agent_id AND slot > at_ms DIV ${SLOT_MS} AND slot <= ${ms('n_at')} DIV ${SLOT_MS};
      ELSE
        CALL agent_slot_totals_fill(NEW.agent_id, at_ms, ${ms('n_at')}, at_ms, cat, ${COLUMNS.map(() => '0').join(', ')});
      END IF;
    END IF;
  END`);

  /* An attempt's calls and no-answers changed by d_*: its quarter hour's own counts, and every total row after it. */
  await knex.raw(`CREATE PROCEDURE agent_call_counts_add(IN p_agent INT UNSIGNED, IN p_slot INT UNSIGNED, IN d_calls BIGINT, IN d_no BIGINT)
  BEGIN
    INSERT INTO agent_call_counts (agent_id, slot, calls, no_answers) VALUES (p_agent, p_slot, d_calls, d_no)
      ON DUPLICATE KEY UPDATE calls = calls + d_calls, no_answers = no_answers + d_no;
    UPDATE agent_slot_totals SET calls = calls + d_calls, no_answers = no_answers + d_no WHERE agent_id = p_agent AND slot > p_slot;
  END`);
  await knex.raw(`CREATE TRIGGER attempts_call_counts_insert AFTER INSERT ON attempts FOR EACH ROW
    IF ${called('NEW')} OR ${noAnswer('NEW')} THEN
      CALL agent_call_counts_add(NEW.agent_id, ${slotOf('NEW.created_at')}, ${called('NEW')}, ${noAnswer('NEW')});
    END IF`);
  // Most updates of an attempt change neither count: a few comparisons and nothing written.
  await knex.raw(`CREATE TRIGGER attempts_call_counts_update AFTER UPDATE ON attempts FOR EACH ROW
  BEGIN
    DECLARE oc TINYINT DEFAULT ${called('OLD')};
    DECLARE onx TINYINT DEFAULT ${noAnswer('OLD')};
    DECLARE nc TINYINT DEFAULT ${called('NEW')};
    DECLARE nn TINYINT DEFAULT ${noAnswer('NEW')};
    IF OLD.agent_id <=> NEW.agent_id AND OLD.created_at = NEW.created_at THEN
      IF nc <> oc OR nn <> onx THEN CALL agent_call_counts_add(NEW.agent_id, ${slotOf('NEW.created_at')}, nc - oc, nn - onx); END IF;
    ELSE
      IF oc OR onx THEN CALL agent_call_counts_add(OLD.agent_id, ${slotOf('OLD.created_at')}, -oc, -onx); END IF;
      IF nc OR nn THEN CALL agent_call_counts_add(NEW.agent_id, ${slotOf('NEW.created_at')}, nc, nn); END IF;
    END IF;
  END`);
}

/**
 * What is there already, before the triggers take over (migrations run before the engine starts):
 * the marks by a running sum over each agent's changes, the rows by joining each interval between
 * two changes with the quarter hours starting in it, and their calls by a running sum of the own
 * counts ordered before them.
 */
async function backfill(knex: Knex): Promise<void> {
  await knex.raw(`INSERT INTO agent_time_marks (agent_id, at, history_id, category, ${COLUMNS.join(', ')})
    SELECT agent_id, at, id, cat, ${COLUMNS.map((_c, i) => `COALESCE(SUM(IF(prev_cat = ${i + 1}, d, 0)) OVER w, 0)`).join(', ')}
      FROM (SELECT agent_id, at, id, ${category('status', 'state')} AS cat,
                   LAG(${category('status', 'state')}) OVER (PARTITION BY agent_id ORDER BY at, id) AS prev_cat,
                   ${ms('at')} - ${ms('LAG(at) OVER (PARTITION BY agent_id ORDER BY at, id)')} AS d
              FROM agent_status_history) x
    WINDOW w AS (PARTITION BY agent_id ORDER BY at, id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`);
  await knex.raw(`INSERT INTO agent_call_counts (agent_id, slot, calls, no_answers)
    SELECT a.agent_id, ${slotOf('a.created_at')} AS slot, SUM(${called('a')}) AS c, SUM(${noAnswer('a')}) AS n
      FROM attempts a WHERE a.agent_id IS NOT NULL GROUP BY a.agent_id, slot HAVING c > 0 OR n > 0`);
  const intervals = `SELECT agent_id, category, ${COLUMNS.join(', ')}, ${ms('at')} AS a_ms,
      LEAD(${ms('at')}) OVER (PARTITION BY agent_id ORDER BY at, history_id) AS b_ms FROM agent_time_marks`;
  const [[gap]] = await knex.raw(`SELECT COALESCE(MAX(b_ms DIV ${SLOT_MS} - a_ms DIV ${SLOT_MS}), 0) AS n FROM (${intervals}) i`);
  const longest = Number(gap.n);
  if (longest > 0) {
    await knex.raw(`INSERT INTO agent_slot_totals (agent_id, slot, category, ${COLUMNS.join(', ')}, calls, no_answers)
      SELECT i.agent_id, i.a_ms DIV ${SLOT_MS} + q.seq, i.category,
             ${COLUMNS.map((c, k) => `i.${c} + IF(i.category = ${k + 1}, (i.a_ms DIV ${SLOT_MS} + q.seq) * ${SLOT_MS} - i.a_ms, 0)`).join(', ')}, 0, 0
        FROM (${intervals}) i JOIN seq_1_to_${longest} q ON q.seq <= i.b_ms DIV ${SLOT_MS} - i.a_ms DIV ${SLOT_MS}
       WHERE i.b_ms IS NOT NULL`);
    // At one quarter hour a total row sorts before its own counts: those come after its start.
    await knex.raw(`UPDATE agent_slot_totals t JOIN (
        SELECT agent_id, slot, kind, SUM(c) OVER w AS calls, SUM(n) OVER w AS no_answers FROM (
          SELECT agent_id, slot, 0 AS kind, 0 AS c, 0 AS n FROM agent_slot_totals
          UNION ALL SELECT agent_id, slot, 1, calls, no_answers FROM agent_call_counts) u
        WINDOW w AS (PARTITION BY agent_id ORDER BY slot, kind ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) s
        ON s.agent_id = t.agent_id AND s.slot = t.slot AND s.kind = 0
      SET t.calls = s.calls, t.no_answers = s.no_answers`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['attempts_call_counts_update', 'attempts_call_counts_insert', 'agent_status_history_totals']) {
    await knex.raw(`DROP TRIGGER IF EXISTS ${t}`);
  }
  for (const p of ['agent_call_counts_add', 'agent_slot_totals_fill', 'agent_calls_before']) await knex.raw(`DROP PROCEDURE IF EXISTS ${p}`);
  for (const t of ['agent_call_counts', 'agent_slot_totals', 'agent_time_marks']) await knex.schema.dropTable(t);
}
