/**
 * A separate engine process for the kill -9 timer tests (timers.test.ts): arms one timer,
 * reports on stdout, and with `hang` never finishes its handler, like a process frozen
 * mid-run. Args: redisUrl prefix delayMs hang|idle. Prints `scheduled <atMs>`, then `ran <job id>`.
 */
import { pino } from 'pino';
import { BullmqTimers } from '../../src/adapters/queue/bullmq-timers.js';

const [redisUrl, prefix, delay, mode] = process.argv.slice(2);
const timers = new BullmqTimers({ redisUrl: redisUrl!, prefix: prefix!, log: pino({ level: 'silent' }), leaseMs: 1_000 });
await timers.start(async (t) => {
  process.stdout.write(`ran ${t.kind}:${t.id}:${t.atMs}\n`);
  if (mode === 'hang') await new Promise(() => undefined);
});
const atMs = Date.now() + Number(delay);
await timers.schedule({ kind: 'agent-ready', id: 'crash', atMs });
process.stdout.write(`scheduled ${atMs}\n`);
