/**
 * Dialling while a member import runs (SPEC S5): agent ready → originate sent, p50/p99, while a
 * CSV import of N rows (1M by default) runs in the same process, beside the same figure with no
 * import, measured in the same run (before and after the import). The engine and the import
 * share the process and its database pool, as the engine and the REST API do in `npm start`.
 * A third figure runs the same import with a store that answers at once (no database writes):
 * what the parsing and checking of rows alone cost the engine's event loop.
 *
 *   npm run bench:import-latency [-- --rows 1000000 --samples 300 --no-write]
 */
import { createReadStream } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Knex } from 'knex';
import { beginMemberImport } from '../src/adapters/mysql/member-import-session.js';
import { parseColumns } from '../src/app/members/csv-columns.js';
import { importMembersCsv, type CsvImportDeps } from '../src/app/members/csv-import.js';
import type { Engine } from '../src/app/engine/engine.js';
import { agents, campaign, members, quantile, scratchDb } from './engine-setup.js';
import { COLUMNS, generate } from './import-data.js';
import { probeEngine, readyToOriginate, waitAgentIdle, type OriginateProbe } from './originate-probe.js';
import { writeSection } from './write-section.js';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    samples: { type: 'string', default: '300' },
    'no-write': { type: 'boolean', default: false },
  },
});
const ROWS = Number(args.rows);
const SAMPLES = Number(args.samples);
const out: string[] = [];
const say = (line: string) => { console.log(line); out.push(line); };

interface Phase {
  samples: number[];
  /** Event-loop delay of the phase, ms: p99 and max. */
  loopP99: number;
  loopMax: number;
}

/** Samples ready → originate until `more()` says stop; the event loop's delay is watched meanwhile. */
async function sample(db: Knex, engine: Engine, probe: OriginateProbe, agentId: number, more: (n: number) => boolean): Promise<Phase> {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const samples: number[] = [];
  while (more(samples.length)) {
    await waitAgentIdle(db, agentId);
    const dt = await readyToOriginate(db, engine, probe, agentId);
    if (dt !== null) samples.push(dt);
  }
  loop.disable();
  return { samples, loopP99: loop.percentile(99) / 1e6, loopMax: loop.max / 1e6 };
}

async function main(): Promise<void> {
  if (!Number.isInteger(ROWS) || ROWS <= 0) throw new Error('--rows must be a positive integer');
  say(`\`npm run bench:import-latency\` — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${process.version}.`);
  say(`Load average at start: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (the machine is shared; other work runs beside the bench).\n`);
  const file = await generate(ROWS);
  const cols = parseColumns(COLUMNS.split(','));
  if (cols.kind !== 'ok') throw new Error(cols.message);
  const scratch = await scratchDb('import_latency');
  const { db } = scratch;
  try {
    const dialled = await campaign(db, { state: 'running' });
    await members(db, dialled, 1000);
    const target = await campaign(db);
    const [agent] = await agents(db, 4000, 1, [dialled], 'bench');
    await db('agents').where('id', agent!.id).update({ status: 'On Break' });
    const { engine, probe, close } = await probeEngine(db, 'bench-import-latency');
    try {
      // Warm-up, then the baseline's first half.
      await sample(db, engine, probe, agent!.id, (n) => n < 20);
      const before = await sample(db, engine, probe, agent!.id, (n) => n < SAMPLES / 2);

      const whileImporting = async (begin: CsvImportDeps['begin']) => {
        let finished = false;
        const t0 = performance.now();
        const importing = importMembersCsv(createReadStream(file), { charset: 'utf-8', separator: ',', skipHeader: false, columns: cols.columns }, { begin })
          .finally(() => { finished = true; });
        const phase = await sample(db, engine, probe, agent!.id, () => !finished);
        const imported = await importing;
        if (imported.kind !== 'done') throw new Error(`import did not finish: ${JSON.stringify(imported).slice(0, 300)}`);
        const sec = (performance.now() - t0) / 1000;
        return { ...phase, label: `${sec.toFixed(1)} s, ${Math.round(imported.report.inserted / sec).toLocaleString('en')} rows/s` };
      };
      const during = await whileImporting(() => beginMemberImport(db, target, new Date()));
      const parseOnly = await whileImporting(async () => ({
        kind: 'begun',
        session: { insertBatch: async (rows) => ({ inserted: rows.length, rejected: [] }), commit: async () => 'committed', rollback: async () => undefined },
      }));

      const after = await sample(db, engine, probe, agent!.id, (n) => n < SAMPLES / 2);
      const none = [...before.samples, ...after.samples];
      const row = (label: string, xs: number[], loopP99: number, loopMax: number) =>
        say(`| ${label} | ${xs.length} | ${quantile(xs, 0.5).toFixed(1)} | ${quantile(xs, 0.99).toFixed(1)} | ${Math.max(...xs).toFixed(1)} | ${loopP99.toFixed(0)} / ${loopMax.toFixed(0)} |`);
      say(`### Agent ready → originate sent while a ${ROWS.toLocaleString('en')}-row CSV import runs in the same process, ms\n`);
      say('| | samples | p50 | p99 | max | event-loop delay p99 / max |');
      say('|---|---|---|---|---|---|');
      row('no import (baseline: half before, half after)', none, Math.max(before.loopP99, after.loopP99), Math.max(before.loopMax, after.loopMax));
      row(`during the import (${during.label})`, during.samples, during.loopP99, during.loopMax);
      row(`during the same import with a store that answers at once, no database writes (${parseOnly.label})`,
        parseOnly.samples, parseOnly.loopP99, parseOnly.loopMax);
      say(`\np99 ratio during / without the import: **${(quantile(during.samples, 0.99) / quantile(none, 0.99)).toFixed(2)}**.\n`);
    } finally {
      await close();
    }
  } finally {
    await scratch.drop().catch(() => undefined);
  }
  if (!args['no-write']) writeSection('Dialling during an import', out.join('\n'));
}

await main();
process.exit(0);
