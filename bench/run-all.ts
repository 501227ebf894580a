/**
 * `npm run bench`: every bench in turn, each in its own process (each prints its figures beside a
 * baseline measured in the same run; timers, engine, import-latency, export and pacing write their own section of BENCHMARKS.md).
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';

const benches = ['bench/timers.ts', 'bench/engine.ts', 'bench/import.ts', 'bench/import-latency.ts', 'bench/agent-socket.ts', 'bench/export.ts', 'bench/pacing/run.ts'];
let failed = 0;
for (const b of benches) {
  console.log(`\n=== ${b} (load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}) ===\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', b], { stdio: 'inherit', cwd: new URL('..', import.meta.url).pathname });
  if (r.status !== 0) {
    failed++;
    console.error(`${b} failed (exit ${r.status ?? r.signal})`);
  }
}
process.exit(failed ? 1 : 0);
