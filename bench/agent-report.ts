import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { Knex } from 'knex';
import { migrationSource } from '../migrations/index.js';
import { agentReportRows } from '../src/adapters/mysql/agent-report-store.js';
import { dropDatabase, openMigratedDatabase, parseDbUrl } from '../src/adapters/mysql/database.js';
import { loadConfig } from '../src/config.js';
import { addAgentTimes, type AgentSlot, type StatusChange } from '../src/domain/agent-times.js';
import type { Interval } from '../src/domain/interval-buckets.js';
import { writeSection } from './write-section.js';

/*
 * `npm run bench:agent-report [-- --agents 100 --changes 40000 --attempts 1000000] [--keep] [--reuse DB] [--skip-before-012] [--no-write]`:
 * SPEC Q2's agent report over a year of status history (default: 100 agents, 40,000 changes
 * each spread over 2026, 1M attempts of those agents), on a fresh scratch database.
 *
 * The history and attempts are filled by INSERT … SELECT with migrations 018 and 012 rolled back,
 * then both are applied again: 012's backfill builds the running totals, 018 keys them by slot
 * first (both timed). --reuse DB takes a database a run with --keep left (migrated to the latest)
 * instead: the fill and backfill take 15 minutes on a loaded machine. Then per range, alternated:
 *   report:   agentReportRows (the store half of GET /api/v2/agents/reports) for a day in 15 min,
 *             a month and a quarter in hours, a year in days (Europe/Kyiv buckets), 3 runs
 *   012 key:  the same on a copy of agent_slot_totals keyed (agent_id, slot) as 012 made it,
 *             swapped in by RENAME TABLE, 3 runs
 *   baseline: what the report did before 012 for the same range: every status change of the range
 *             (and the one before it) read and cut per quarter hour (agent-times.ts), once each
 *             (left out with --skip-before-012)
 * And the write cost: an attempt's four agent status changes, 2,000 times, by a stored procedure,
 * with 012's trigger on the history and 018's key, with 012's key, and without the trigger (alternated, 3 triples).
 */

const YEAR_START = Date.UTC(2026, 0, 1);
const YEAR_MS = 365 * 86_400_000;

async function fill(db: Knex, agents: number, changes: number, attempts: number): Promise<void> {
  await db.migrate.down({ migrationSource, name: '20261204_012_agent_report_totals' });
  const [calendarId] = await db('calendars').insert({ name: 'bench', timezone: 'Europe/Kyiv', windows: '[]', holidays: '[]' });
  const [campaignId] = await db('campaigns').insert({ name: 'bench', calendar_id: calendarId, call_limit: 10,
    retry_wait_sec: 60, max_tries: 3, min_success_sec: 5, wrapup_sec: 0, variables: '{}', causes: '{}' });
  const [memberId] = await db('members').insert({ campaign_id: campaignId, name: 'm', variables: '{}', state: 'done', ready_at: new Date(), tries: 3 });
  await db.raw(`INSERT INTO agents (name, sip_user, call_timeout, wrapup_sec, max_no_answer, busy_delay_sec, reject_delay_sec, no_answer_delay_sec)
    SELECT CONCAT('a', seq), CONCAT('10', seq, '@bench'), 20, 10, 3, 5, 5, 5 FROM seq_1_to_${agents}`);
  const [[first]] = await db.raw('SELECT MIN(id) AS id FROM agents');
  await db('agent_status_history').del();
  const rows = agents * changes;
  const stepMs = Math.floor(YEAR_MS / changes);
  const chunk = 500_000;
  // A day's pattern: Waiting, Reserved, In a queue call, Wrap up, …; a break every 40th change, logged out every 100th.
  for (let from = 0; from < rows; from += chunk) {
    const to = Math.min(rows, from + chunk) - 1;
    await db.raw(`INSERT INTO agent_status_history (agent_id, at, status, state)
      SELECT ? + seq % ${agents}, TIMESTAMPADD(MICROSECOND, ((seq DIV ${agents}) * ${stepMs} + (seq * 7919) % ${stepMs}) * 1000, ?),
        CASE WHEN (seq DIV ${agents}) % 100 = 99 THEN 'Logged Out' WHEN (seq DIV ${agents}) % 40 = 39 THEN 'On Break' ELSE 'Available' END,
        ELT((seq DIV ${agents}) % 4 + 1, 'Waiting', 'Reserved', 'In a queue call', 'Wrap up')
      FROM seq_${from}_to_${to}`, [first.id, new Date(YEAR_START)]);
  }
  const attemptStep = Math.floor(YEAR_MS / attempts);
  for (let from = 0; from < attempts; from += chunk) {
    const to = Math.min(attempts, from + chunk) - 1;
    await db.raw(`INSERT INTO attempts (campaign_id, member_id, communication_id, number, agent_id, state, created_at,
        agent_answered_at, outcome, agent_cause)
      SELECT ?, ?, 1, '100', ? + seq % ${agents}, 'done', TIMESTAMPADD(MICROSECOND, seq * ${attemptStep} * 1000, ?),
        IF(seq % 10 = 0, NULL, TIMESTAMPADD(MICROSECOND, (seq * ${attemptStep} + 3000) * 1000, ?)),
        IF(seq % 10 = 0, 'agent_failed', 'success'), IF(seq % 10 = 0, IF(seq % 20 = 0, 'NO_ANSWER', 'USER_BUSY'), NULL)
      FROM seq_${from}_to_${to}`, [campaignId, memberId, first.id, new Date(YEAR_START), new Date(YEAR_START)]);
  }
}

/** The report's reading before migration 012: every change of the range and the one before it, cut per quarter hour. */
async function baseline(db: Knex, from: Date, end: Date): Promise<number> {
  const ids = (await db('agents').select('id')).map((a: { id: number }) => a.id);
  const [rows] = await db.raw(
    `SELECT h.id, h.agent_id, h.at, h.status, h.state FROM agent_status_history h
       JOIN (SELECT agent_id, MAX(at) AS at FROM agent_status_history WHERE agent_id IN (?) AND at < ? GROUP BY agent_id) l
         ON h.agent_id = l.agent_id AND h.at = l.at
     UNION ALL
     SELECT id, agent_id, at, status, state FROM agent_status_history WHERE agent_id IN (?) AND at >= ? AND at < ?
     ORDER BY agent_id, at, id`, [ids, from, ids, from, end]);
  const changes = new Map<number, StatusChange[]>();
  for (const r of rows as Array<{ agent_id: number; at: Date; status: string; state: string }>) {
    let list = changes.get(r.agent_id);
    if (!list) changes.set(r.agent_id, (list = []));
    list.push({ at: new Date(r.at).getTime(), status: r.status, state: r.state });
  }
  let slots = 0;
  for (const list of changes.values()) {
    const m = new Map<number, AgentSlot>();
    addAgentTimes(m, list, from.getTime(), end.getTime());
    slots += m.size;
  }
  await db.raw(`SELECT agent_id, TO_SECONDS(created_at) DIV 900 AS slot, COUNT(*) FROM attempts
    WHERE created_at >= ? AND created_at < ? AND agent_id IN (?) GROUP BY agent_id, slot ORDER BY NULL`, [from, end, ids]);
  return slots;
}

/** ms per attempt of four agent status changes (autocommit each), `n` attempts. */
async function writeCost(db: Knex, n: number): Promise<number> {
  const t0 = performance.now();
  await db.raw('CALL bench_agent_changes(?)', [n]);
  return (performance.now() - t0) / n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { agents: { type: 'string', default: '100' }, changes: { type: 'string', default: '40000' },
    attempts: { type: 'string', default: '1000000' }, keep: { type: 'boolean', default: false }, 'no-write': { type: 'boolean', default: false },
    reuse: { type: 'string' }, 'skip-before-012': { type: 'boolean', default: false } } });
  let agents = Number(values.agents);
  let changes = Number(values.changes);
  let attempts = Number(values.attempts);
  const { serverUrl } = parseDbUrl(loadConfig().dbUrl);
  const url = `${serverUrl.replace(/\/$/, '')}/${values.reuse ?? `dialer_bench_${randomBytes(3).toString('hex')}`}`;
  const o0 = performance.now();
  const db = await openMigratedDatabase(url, 4);
  const openSec = (performance.now() - o0) / 1000;
  try {
    let made: string;
    if (values.reuse) {
      const [[r]] = await db.raw(`SELECT (SELECT COUNT(*) FROM agents) AS agents, (SELECT COUNT(*) FROM agent_status_history) AS changes,
        (SELECT COUNT(*) FROM attempts) AS attempts`);
      [agents, changes, attempts] = [Number(r.agents), Math.round(Number(r.changes) / Number(r.agents)), Number(r.attempts)];
      made = `a kept database, migrated to the latest in ${openSec.toFixed(0)} s`;
    } else {
      await db.migrate.down({ migrationSource, name: '20261205_018_report_keys' });
      const f0 = performance.now();
      await fill(db, agents, changes, attempts);
      const fillSec = (performance.now() - f0) / 1000;
      const m0 = performance.now();
      await db.migrate.up({ migrationSource, name: '20261204_012_agent_report_totals' });
      const migrateSec = (performance.now() - m0) / 1000;
      const k0 = performance.now();
      await db.migrate.up({ migrationSource, name: '20261205_018_report_keys' });
      made = `filled in ${fillSec.toFixed(0)} s; migration 012's backfill ${migrateSec.toFixed(0)} s, 018 ${((performance.now() - k0) / 1000).toFixed(0)} s`;
    }
    process.stdout.write(`  ${made}\n`);

    // The totals as 012 keyed them, to swap in for the same-run comparison.
    await db.raw('DROP TABLE IF EXISTS bench_totals_012');
    await db.raw('CREATE TABLE bench_totals_012 LIKE agent_slot_totals');
    await db.raw('ALTER TABLE bench_totals_012 DROP PRIMARY KEY, ADD PRIMARY KEY (agent_id, slot), DROP INDEX agent_slot_totals_agent');
    await db.raw('INSERT INTO bench_totals_012 SELECT * FROM agent_slot_totals');
    // Fresh statistics, as a real table has: without them MariaDB joined every row of it with the agents' last slots.
    await db.raw('ANALYZE TABLE bench_totals_012');
    const swap = () => db.raw('RENAME TABLE agent_slot_totals TO bench_totals_swap, bench_totals_012 TO agent_slot_totals, bench_totals_swap TO bench_totals_012');

    const at = (d: number) => new Date(YEAR_START + d * 86_400_000);
    const cases: Array<{ name: string; interval: Interval; from: Date; to: Date }> = [
      { name: 'a day, 15 min', interval: '15min', from: at(150), to: at(151) },
      { name: 'a month, 15 min', interval: '15min', from: at(150), to: at(181) },
      { name: 'a month, hour', interval: 'hour', from: at(150), to: at(181) },
      { name: 'a quarter, hour', interval: 'hour', from: at(150), to: at(242) },
      { name: 'a year, day', interval: 'day', from: at(0), to: at(365) },
    ];
    const lines: string[] = [];
    const ms = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(' / ');
    for (const c of cases) {
      const runs: number[] = [];
      const runs012: number[] = [];
      const loads: number[] = [];
      let buckets = 0;
      for (let i = 0; i < 3; i++) {
        for (const key of i % 2 === 0 ? ['018', '012'] : ['012', '018']) {
          if (key === '012') await swap();
          const t0 = performance.now();
          const r = await agentReportRows(db, 'Europe/Kyiv', c.interval, c.from, c.to, c.to);
          (key === '018' ? runs : runs012).push(performance.now() - t0);
          if (key === '012') await swap();
          buckets = [...r.slots.values()].reduce((sum, m) => sum + m.size, 0);
        }
        loads.push(loadavg()[0]!);
      }
      let before = '';
      if (!values['skip-before-012']) {
        const b0 = performance.now();
        const slots = await baseline(db, c.from, c.to);
        before = ` · before 012: ${(performance.now() - b0).toFixed(0)} ms (${slots.toLocaleString('en-US')} agent quarter hours)`;
      }
      lines.push(`${c.name.padEnd(17)} ${ms(runs)} ms (${buckets.toLocaleString('en-US')} agent buckets; goal < 1000 ms) · 012's key: ${ms(runs012)} ms` +
        `${before} · load ${loads.map((l) => l.toFixed(1)).join(' / ')}`);
      process.stdout.write(`  ${lines[lines.length - 1]}\n`);
    }

    // The write side: an attempt moves its agent through four states (as in the 010 bench).
    // A fresh agent: the filled history runs to the end of 2026, so changes dated now would come out of order for the others.
    const [agentId] = await db('agents').insert({ name: 'w', sip_user: 'w@bench', call_timeout: 20, wrapup_sec: 0, max_no_answer: 3,
      busy_delay_sec: 5, reject_delay_sec: 5, no_answer_delay_sec: 5, status: 'Available' });
    const agent = { id: agentId! };
    await db.raw('DROP PROCEDURE IF EXISTS bench_agent_changes');
    await db.raw(`CREATE PROCEDURE bench_agent_changes(IN n INT) BEGIN
      DECLARE i INT DEFAULT 0;
      WHILE i < n DO
        UPDATE agents SET state = 'Reserved', updated_at = NOW(3) WHERE id = ${agent.id};
        UPDATE agents SET state = 'In a queue call', updated_at = NOW(3) WHERE id = ${agent.id};
        UPDATE agents SET state = 'Wrap up', updated_at = NOW(3) WHERE id = ${agent.id};
        UPDATE agents SET state = 'Waiting', updated_at = NOW(3) WHERE id = ${agent.id};
        SET i = i + 1;
      END WHILE;
    END`);
    const [[trigger]] = await db.raw(`SELECT ACTION_STATEMENT AS body FROM information_schema.TRIGGERS
      WHERE TRIGGER_SCHEMA = DATABASE() AND TRIGGER_NAME = 'agent_status_history_totals'`);
    const triples: Array<[number, number, number]> = [];
    for (let i = 0; i < 3; i++) {
      const withTrigger = await writeCost(db, 2000);
      await swap();
      const with012 = await writeCost(db, 2000);
      await swap();
      await db.raw('DROP TRIGGER agent_status_history_totals');
      const without = await writeCost(db, 2000);
      await db.raw(`CREATE TRIGGER agent_status_history_totals AFTER INSERT ON agent_status_history FOR EACH ROW ${trigger.body}`);
      triples.push([withTrigger, with012, without]);
    }
    await db.raw('DROP TABLE bench_totals_012');
    // The write side's agent goes, so a reused database holds the same agents next time.
    for (const t of ['agent_slot_totals', 'agent_time_marks', 'agent_call_counts', 'agent_status_history']) await db(t).where('agent_id', agent.id).del();
    await db('agents').where('id', agent.id).del();
    lines.push(`write, per attempt ${triples.map(([w, k, o]) => `${w.toFixed(2)} / ${k.toFixed(2)} / ${o.toFixed(2)}`).join(', ')} ms with 012's trigger and 018's key / with 012's key / without the trigger (4 status changes, autocommit, 3 alternated triples)`);
    const [[size]] = await db.raw(`SELECT SUM(IF(TABLE_NAME = 'agent_time_marks', DATA_LENGTH + INDEX_LENGTH, 0)) AS marks,
      SUM(IF(TABLE_NAME = 'agent_slot_totals', DATA_LENGTH + INDEX_LENGTH, 0)) AS totals,
      SUM(IF(TABLE_NAME = 'agent_call_counts', DATA_LENGTH + INDEX_LENGTH, 0)) AS counts,
      SUM(IF(TABLE_NAME = 'agent_status_history', DATA_LENGTH + INDEX_LENGTH, 0)) AS history
      FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()`);
    const mb = (b: unknown) => `${(Number(b) / 1e6).toFixed(0)} MB`;
    lines.push(`size               agent_time_marks ${mb(size.marks)}, agent_slot_totals ${mb(size.totals)}, agent_call_counts ${mb(size.counts)} (agent_status_history ${mb(size.history)})`);
    const [plan] = await db.raw(`EXPLAIN SELECT t.* FROM agents g JOIN JSON_TABLE('[1,2]', '$[*]' COLUMNS (s INT UNSIGNED PATH '$')) b
      JOIN agent_slot_totals t ON t.agent_id = g.id AND t.slot = b.s WHERE g.id IN (?)`, [[agent.id, agent.id + 1]]);
    lines.push(`bound lookup plan  ${plan.map((r: Record<string, unknown>) => `${r.table}: ${r.type}, key ${r.key}`).join('; ')}`);
    const [[ver]] = (await db.raw('SELECT VERSION() AS v')) as [[{ v: string }]];
    lines.unshift(`data               ${agents} agents × ${changes.toLocaleString('en-US')} status changes over 2026, ${attempts.toLocaleString('en-US')} attempts (${made})`);
    lines.push(`machine            ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}, node ${process.version}, ${ver.v}, ${new Date().toISOString()}`);
    process.stdout.write(`${lines.join('\n')}\n`);
    if (!values['no-write']) writeSection('Agent report (Q2) over a year', `\`npm run bench:agent-report\`\n\n\`\`\`\n${lines.join('\n')}\n\`\`\``);
  } finally {
    await db.destroy();
    if (!values.keep && !values.reuse) await dropDatabase(url);
    else process.stdout.write(`kept ${url}\n`);
  }
}

await main();
