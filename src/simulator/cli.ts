// `npm run simulator`: a standalone simulated FreeSWITCH, scripted by a scenario file and driven
// by commands on stdin (console-commands.ts). See USAGE.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { ConfigError, loadSimulatorConfig } from '../config.js';
import { CONSOLE_HELP, runConsoleCommand, type ConsoleReply } from './console-commands.js';
import { checkScenario } from './scenario-schema.js';
import { Simulator } from './simulator.js';
import type { Scenario } from './types.js';

const USAGE = `usage: npm run simulator -- [--scenario file.json] [--port 8021] [--host 127.0.0.1]
                            [--password ClueCon] [--agent-socket 127.0.0.1:8084] [--route-timeout 60]

A simulated FreeSWITCH 1.10: the inbound event socket on --host:--port (0: a free port), and
the outbound socket it opens to --agent-socket when a scripted agent answers (the dialer's
DIALER_OUTBOUND_LISTEN). --route-timeout is the call_timeout of the simulated outbound route,
seconds. --scenario scripts the phones (src/simulator/scenarios/example.json, README.md beside
this file); without it every user is a registered phone that answers, every number answers.

${CONSOLE_HELP}
Logs are JSON lines on stdout (LOG_LEVEL, default info); command replies are plain lines on
stdout, errors on stderr. Exit code 2: bad options or scenario; 1: the simulator failed.
`;

const EXIT_USAGE = 2;

class UsageError extends Error {
  override name = 'UsageError';
}

interface CliOptions {
  scenario: Scenario;
  host: string;
  port: number;
  password: string;
  agentSocket: string;
  routeTimeoutSec: number;
}

function parseOptions(argv: string[]): CliOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        scenario: { type: 'string' },
        port: { type: 'string', default: '8021' },
        host: { type: 'string', default: '127.0.0.1' },
        password: { type: 'string', default: 'ClueCon' },
        'agent-socket': { type: 'string', default: '127.0.0.1:8084' },
        'route-timeout': { type: 'string', default: '60' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    // ERR_PARSE_ARGS_UNKNOWN_OPTION and friends: their message names the option
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) return 'help';
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65535) throw new UsageError(`--port: "${values.port}" is not a port (0-65535)`);
  const routeTimeoutSec = Number(values['route-timeout']);
  if (!Number.isFinite(routeTimeoutSec) || routeTimeoutSec <= 0) throw new UsageError(`--route-timeout: "${values['route-timeout']}" is not a positive number of seconds`);
  const m = /^(.+):(\d+)$/.exec(values['agent-socket']);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new UsageError(`--agent-socket: "${values['agent-socket']}" is not host:port`);
  if (values.host.trim() === '') throw new UsageError('--host: empty');
  return {
    scenario: values.scenario ? loadScenario(values.scenario) : {},
    host: values.host, port, password: values.password, agentSocket: values['agent-socket'], routeTimeoutSec,
  };
}

function loadScenario(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--scenario: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--scenario ${file}: not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const c = checkScenario(json);
  if (c.kind === 'bad') throw new UsageError(c.problems.map((p) => `--scenario ${file}: ${p}`).join('\n'));
  return c.value;
}

async function run(argv: string[]): Promise<void> {
  const opts = parseOptions(argv);
  if (opts === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const log = pino({ level: loadSimulatorConfig().logLevel, base: { svc: 'fs-simulator' } });
  const sim = new Simulator({
    host: opts.host, port: opts.port, password: opts.password, scenario: opts.scenario, log,
    agentContextSocket: opts.agentSocket, routeCallTimeoutSec: opts.routeTimeoutSec,
  });
  sim.on('originate', (o: unknown) => log.info({ originate: o }, 'originate'));
  sim.on('channel-hangup', (uuid: string, cause: string) => log.info({ uuid, cause }, 'channel ended'));
  const addr = await sim.start();
  log.info(addr, 'FreeSWITCH simulator ready');

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  // One command at a time, in the order typed; the end of stdin leaves the simulator running.
  const lines = createInterface({ input: process.stdin, terminal: false });
  let queue = Promise.resolve();
  lines.on('line', (line) => {
    queue = queue.then(async () => {
      if (stopping) return;
      const reply = await runConsoleCommand(sim, line).catch((err: unknown) => ({ kind: 'error' as const, text: `failed: ${err instanceof Error ? err.message : String(err)}` }));
      if (reply !== null) print(reply, stop);
    });
  });
}

function print(reply: ConsoleReply, stop: () => void): void {
  if (reply.kind === 'quit') return stop();
  if (reply.kind === 'error') {
    process.stderr.write(`${reply.text}\n`);
    return;
  }
  process.stdout.write(`${reply.text}\n`);
  void reply.later?.then((r) => print(r, stop), (err: unknown) => process.stderr.write(`failed: ${err instanceof Error ? err.message : String(err)}\n`));
}

run(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError) {
    process.stderr.write(`${err.message}\n\nnpm run simulator -- --help shows the options\n`);
    process.exit(EXIT_USAGE);
  }
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(EXIT_USAGE);
  }
  process.stderr.write(`simulator failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
