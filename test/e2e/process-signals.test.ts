/*
 * S3 (issue 11, production set-up): a process manager sends SIGTERM to the PID it started. Both
 * documented ways to run the server must then drain and exit 0 with nothing left serving:
 * `npm start` (npm hands the signal to its script; the script must exec node, or the shell that
 * npm signals dies and leaves node orphaned and serving) and the ExecStart of the shipped
 * systemd unit (deploy/fs-dialer.service, node itself, with the env file's variables).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { Simulator } from '../../src/simulator/index.js';
import { freePort } from '../../src/adapters/free-port.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const UNIT = readFileSync(`${ROOT}deploy/fs-dialer.service`, 'utf8');
const ENV_FILE = readFileSync(`${ROOT}deploy/fs-dialer.env`, 'utf8');
const START_SCRIPT = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> }).scripts['start']!;

/** `ExecStart=` of the unit, split on spaces (it has no quoting). */
function execStart(): string[] {
  const line = UNIT.split('\n').find((l) => l.startsWith('ExecStart='));
  if (!line) throw new Error('deploy/fs-dialer.service has no ExecStart');
  return line.slice('ExecStart='.length).trim().split(/\s+/);
}

/** KEY=VALUE lines of an EnvironmentFile (comments and blank lines skipped). */
function envFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of text.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(l.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

/** PIDs of live server processes (node running src/main.ts) with this instance id, wherever they ended up. */
function serversOf(instanceId: string): number[] {
  const pids: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const server = readFileSync(`/proc/${d}/cmdline`, 'latin1').split('\0').includes('src/main.ts');
      if (server && readFileSync(`/proc/${d}/environ`, 'latin1').split('\0').includes(`DIALER_INSTANCE_ID=${instanceId}`)) pids.push(Number(d));
    } catch { /* gone, or not ours to read */ }
  }
  return pids;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

interface Started {
  child: ChildProcess;
  port: number;
  out: string[];
  exited: Promise<number | null>;
}

async function startServer(cmd: string, args: string[], env: Record<string, string>): Promise<Started> {
  const child = spawn(cmd, args, { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let port = 0;
  child.stdout!.on('data', (d: Buffer) => {
    for (const line of d.toString().split('\n')) {
      out.push(line);
      const m = /"port":(\d+).*"msg":"REST API listening"/.exec(line);
      if (m) port = Number(m[1]);
    }
  });
  child.stderr!.on('data', (d: Buffer) => out.push(d.toString()));
  const deadline = Date.now() + 60_000;
  while (port === 0) {
    if (child.exitCode !== null) throw new Error(`exited at start:\n${out.join('\n')}`);
    if (Date.now() > deadline) throw new Error(`did not start:\n${out.join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, port, out, exited };
}

describe('S3: SIGTERM from a process manager stops the server (npm start, the systemd unit)', function () {
  this.timeout(120_000);
  let sim: Simulator;
  let db: TestDatabase;
  const instances: string[] = [];

  before(async () => {
    sim = new Simulator({ scenario: {} });
    await sim.start();
    db = await createTestDatabase('signals');
  });
  after(async () => {
    for (const id of instances) for (const pid of serversOf(id)) process.kill(pid, 'SIGKILL');
    await sim?.close();
    await db?.drop();
  });

  async function env(): Promise<Record<string, string>> {
    const instance = `signals-${randomBytes(4).toString('hex')}`;
    instances.push(instance);
    return {
      DIALER_DB_URL: db.url,
      DIALER_QUEUE_PREFIX: `{t-${instance}}`,
      DIALER_HTTP_PORT: '0',
      DIALER_HTTP_HOST: '127.0.0.1',
      DIALER_ADMIN_PASSWORD: 'signals-admin-password',
      DIALER_FREESWITCH: `127.0.0.1:${sim.port}:ClueCon`,
      DIALER_OUTBOUND_LISTEN: `127.0.0.1:${await freePort()}`,
      DIALER_INSTANCE_ID: instance,
      DIALER_DRAIN_SEC: '2',
    };
  }

  it('S3: SIGTERM to the `npm start` process drains the server, exits 0 and leaves nothing serving', async () => {
    const e = await env();
    const s = await startServer('npm', ['start', '--silent'], e);
    expect(serversOf(e.DIALER_INSTANCE_ID!)).to.have.length(1);
    s.child.kill('SIGTERM');
    expect(await s.exited, 'npm exit code').to.equal(0);
    // the server's own exit ends its side of the pipe: wait for the last line
    await new Promise((r) => setTimeout(r, 200));
    expect(s.out.join('\n')).to.match(/"msg":"stopped"/);
    expect(serversOf(e.DIALER_INSTANCE_ID!), 'server processes left').to.deep.equal([]);
    expect(await accepts(s.port), 'REST port still answering').to.equal(false);
  });

  it('S3: the systemd unit runs node itself with the flags of `npm start`; SIGTERM to that PID drains and exits 0', async () => {
    const [node, ...args] = execStart();
    expect(node).to.match(/^\//, 'ExecStart needs an absolute path');
    expect(`exec node ${args.join(' ')}`).to.equal(START_SCRIPT);
    expect(UNIT).to.match(/^KillSignal=SIGTERM$/m).and.match(/^EnvironmentFile=/m);
    const stopSec = Number(/^TimeoutStopSec=(\d+)$/m.exec(UNIT)?.[1]);
    expect(stopSec, 'TimeoutStopSec beyond the default drain (20 s) and close grace (10 s)').to.be.greaterThan(30);
    const fileEnv = envFile(ENV_FILE);
    expect(Object.keys(fileEnv)).to.include.members(['DIALER_DB_URL', 'DIALER_FREESWITCH', 'DIALER_INSTANCE_ID']);
    // the env file's values, with this test's database, ports and instance over them
    const e = { ...fileEnv, ...(await env()) };
    const s = await startServer(process.execPath, args, e);
    expect(s.child.pid).to.be.oneOf(serversOf(e.DIALER_INSTANCE_ID!));
    s.child.kill('SIGTERM');
    expect(await s.exited, 'exit code').to.equal(0);
    expect(s.out.join('\n')).to.match(/"signal":"SIGTERM","msg":"shutting down"/).and.match(/"msg":"stopped"/);
    expect(await accepts(s.port)).to.equal(false);
  });
});
