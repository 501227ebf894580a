/**
 * `npm run bench:pacing` (issue 18, SPEC P3/P4/P5/P7, DESIGN §8): the real pacer driven through
 * the issue's scenarios in virtual time, each on paired seeds beside the progressive baseline,
 * and judged against the acceptance. Prints the table and writes the "Predictive pacing" section
 * of BENCHMARKS.md; exits 1 when a check fails.
 *
 *   npm run bench:pacing [-- --seeds 20 --hours 8 --month-hours 0.25 --jobs 1 --only <text> --no-write]
 */
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { writeSection } from '../write-section.js';
import { CAP, judge, stepProfile, TARGET, type ScenarioVerdict } from './acceptance.js';
import { LAWS, monthScenario, scenarios, type Scenario } from './scenario.js';
import { simulate } from './simulate.js';
import type { Tally } from './tally.js';

const { values: args } = parseArgs({
  options: {
    seeds: { type: 'string', default: '20' },
    // A working day: a fresh campaign's first 100 answers (P4: progressive) take about half an
    // hour at 10 agents, which a 3 h run weighed as a sixth of the day.
    hours: { type: 'string', default: '8' },
    'month-hours': { type: 'string', default: '0.25' },
    only: { type: 'string', default: '' },
    jobs: { type: 'string', default: '1' },
    part: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});
const SEEDS = Number(args.seeds);
const HOURS = Number(args.hours);
const started = new Date();
const load = loadavg();
const cpu0 = process.cpuUsage();

const pct = (x: number, d = 2) => `${(100 * x).toFixed(d)}`;
const maxRate = (sc: Scenario) => {
  let m = 0;
  for (let day = 0; day < sc.days; day++) {
    for (let t = 0; t <= sc.shiftSec; t += 60) m = Math.max(m, sc.humanRate(day * 86_400 + t));
  }
  return m;
};

interface Outcome {
  index: number;
  verdict: ScenarioVerdict;
  profile: string | null;
  cpuSec: number;
}

const list = [...scenarios(HOURS), monthScenario(Number(args['month-hours']))]
  .map((sc, index) => ({ sc, index }))
  .filter(({ sc }) => sc.name.includes(args.only));

function runScenario(sc: Scenario, index: number): Outcome {
  const c0 = process.cpuUsage();
  const pacer: Tally[] = [];
  const baseline: Tally[] = [];
  for (let seed = 1; seed <= SEEDS; seed++) {
    pacer.push(simulate(sc, 'pacer', seed));
    baseline.push(simulate(sc, 'progressive', seed));
  }
  const verdict = judge(pacer, baseline, { humanRateMax: maxRate(sc), stepAtSec: sc.stepAtSec, month: sc.days > 1 });
  const profile = sc.stepAtSec === undefined ? null
    : `- ${sc.name}: ${stepProfile(pacer, sc.stepAtSec - 600, 8).map((r) => pct(r)).join(', ')} (% abandoned, 5-minute blocks from 10 min before the step)`;
  const c = process.cpuUsage(c0);
  return { index, verdict, profile, cpuSec: (c.user + c.system) / 1e6 };
}

function report(o: Outcome): void {
  const v = o.verdict;
  const failed = Object.entries(v.checks).filter(([, ok]) => !ok).map(([k]) => k);
  console.log(`${v.name.padEnd(28)} answers ${String(v.answers).padStart(6)}  abandoned ${pct(v.rate)} % (≤ ${pct(v.rateUpper95)})  occupancy ${pct(v.occupancy, 1)} vs ${pct(v.baselineOccupancy, 1)}  ${failed.length ? `FAIL: ${failed.join(', ')}` : 'ok'}`);
}

/** `--jobs n`: scenarios shared round-robin among n child processes (`--part k/n`), results as JSON lines. */
async function inChildren(jobs: number): Promise<Outcome[]> {
  const self = new URL(import.meta.url).pathname;
  const pass = ['--seeds', String(SEEDS), '--hours', String(HOURS), '--month-hours', String(args['month-hours']), '--only', args.only];
  const parts = Array.from({ length: jobs }, (_, k) => new Promise<Outcome[]>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', self, ...pass, '--part', `${k}/${jobs}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    const outs: Outcome[] = [];
    child.stdout.on('data', (d: Buffer) => {
      text += d.toString();
      const lines = text.split('\n');
      text = lines.pop() ?? '';
      for (const line of lines.filter((l) => l.startsWith('{'))) {
        const o = JSON.parse(line) as Outcome;
        report(o);
        outs.push(o);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(outs) : reject(new Error(`part ${k}/${jobs} exited ${code}`))));
  }));
  return (await Promise.all(parts)).flat().sort((a, b) => a.index - b.index);
}

if (args.part) {
  const [k, n] = args.part.split('/').map(Number) as [number, number];
  for (const { sc, index } of list) if (index % n === k) console.log(JSON.stringify(runScenario(sc, index)));
  process.exit(0);
}
const jobs = Math.max(1, Number(args.jobs));
const outcomes = jobs > 1 ? await inChildren(jobs) : list.map(({ sc, index }) => {
  const o = runScenario(sc, index);
  report(o);
  return o;
});
const verdicts = outcomes.map((o) => o.verdict);
const profiles = outcomes.flatMap((o) => (o.profile ? [o.profile] : []));

// Same seed, same run: the first scenario's first seed again, compared dial instant by dial instant.
const firstScenario = list[0]?.sc;
const again = firstScenario ? [simulate(firstScenario, 'pacer', 1), simulate(firstScenario, 'pacer', 1)] : [];
const deterministic = again.length === 2 && again[0]!.digest === again[1]!.digest && again[0]!.dials === again[1]!.dials && again[0]!.abandons === again[1]!.abandons;
const cpu = process.cpuUsage(cpu0);
const cpuSec = jobs > 1 ? outcomes.reduce((t, o) => t + o.cpuSec, 0) : (cpu.user + cpu.system) / 1e6;

const out: string[] = [];
const say = (s = '') => out.push(s);
say(`\`npm run bench:pacing\` — ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${process.version}; load average at start ${load.map((l) => l.toFixed(1)).join(' ')}; ${cpuSec.toFixed(0)} CPU-seconds for the whole run.`);
say();
say(`The real pacer (\`src/domain/pacer.ts\`) in a seeded discrete-event simulation in virtual time (\`bench/pacing/\`), ${SEEDS} seeds per scenario, each a ${HOURS} h shift from a fresh campaign (the first 100 answers progressive, P4), beside the progressive baseline (one line per idle agent no call is heading for) on the same seeds: the k-th dial of either meets the same callee.`);
say(`Callees: human answer after a lognormal delay (mean ${LAWS.humanAnswerMeanSec} s, σ ${LAWS.humanAnswerSigma}), machine 15 % (mean ${LAWS.machineAnswerMeanSec} s; AMD on the switch ends it ${LAWS.amdSec} s later without an agent, except in "no AMD" where an agent takes it for ~${LAWS.machineTalkMeanSec} s), busy 10 % (network, ~${LAWS.busyMeanSec} s), the rest no answer, ended by the dialer at its ${LAWS.ringTimeoutSec} s ring timeout (minimum ring ${LAWS.minRingSec} s, P5). Agents: lognormal talk (mean ${LAWS.talkMeanSec} s, σ ${LAWS.talkSigma}), ${LAWS.wrapUpSec} s wrap-up.`);
say(`Call flow (P3): an answer is bridged to an agent free at once or within ${LAWS.connectLimitSec} s, else the information message starts at answer + ${LAWS.connectLimitSec} s and the call is abandoned. Both policies decide on a 1 s tick, when an agent becomes free and when a line fails while an agent is idle. Compliance window: the calendar day (each shift), and the rolling 30 days in the month run (${args['month-hours']} h a day for 30 days).`);
say();
say(`| scenario | answers | abandoned % | 95 % upper | buckets ≥ 300 (over cap) | worst bucket % | max answer → agent/message s | ended < min ring | occupancy pacer / baseline % | gain, points [95 % CI] | max lines/agent | recovery min | checks |`);
say(`|---|---|---|---|---|---|---|---|---|---|---|---|---|`);
for (const v of verdicts) {
  const failed = Object.entries(v.checks).filter(([, ok]) => !ok).map(([k]) => k);
  say(`| ${v.name} | ${v.answers} | ${pct(v.rate)} | ${pct(v.rateUpper95)} | ${v.buckets} (${v.bucketsOver}) | ${pct(v.worstBucketRate)} | ${v.maxConnectSec.toFixed(2)} | ${v.endedBeforeMinRing} of ${v.dialerEnded} | ${pct(v.occupancy, 1)} / ${pct(v.baselineOccupancy, 1)} | ${v.gainPts.toFixed(1)} [${v.gainLowPts.toFixed(1)}, ${v.gainHighPts.toFixed(1)}] | ${v.maxDialLevel.toFixed(2)} | ${v.recoveryMin ?? '–'} | ${failed.length ? `**fails: ${failed.join(', ')}**` : 'all met'} |`);
}
say();
say(`Cap ${pct(CAP, 0)} %, target ${pct(TARGET, 1)} % (80 %), P4 guard at 90 %. "95 % upper": Wilson bound of the pooled rate, judged where a scenario has ≥ 10,000 answers. Buckets: each seed's day (and the month run's 30-day total) with ≥ 300 answers. Gain: mean over seeds of (pacer − baseline) occupancy, occupancy = (talk + wrap-up) ÷ logged-in time; "+10 points" is judged for ≥ 10 agents at human-answer rates ≤ 0.35 on the CI's low end. Recovery: the end of the last 5-minute block (pooled over seeds), within 30 minutes after the step, whose Wilson lower bound is above the target.`);
const unmet = verdicts.flatMap((v) => Object.entries(v.checks).filter(([, ok]) => !ok).map(([k]) => `${v.name} (${k})`));
say(unmet.length ? `Not met: ${unmet.join('; ')}.` : 'Every check met in every scenario.');
say(`Same seed, same run: ${deterministic ? 'yes' : 'NO'} (the first scenario's seed 1 run twice: every dial instant hashed, dials and abandons equal).`);
say();
say('Abandon rate around the step changes (pooled over seeds):');
for (const p of profiles) say(p);
const text = out.join('\n');
console.log(`\n${text}`);
if (!args['no-write'] && !args.only) writeSection('Predictive pacing', text);
const allMet = deterministic && verdicts.every((v) => Object.values(v.checks).every(Boolean));
console.log(allMet ? '\nacceptance: all met' : '\nacceptance: NOT all met');
process.exit(allMet ? 0 : 1);
