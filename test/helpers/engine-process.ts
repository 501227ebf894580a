import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface EngineProcessOptions {
  dbUrl: string;
  /** The simulator's inbound ESL port. */
  simPort: number;
  /** Where this engine's outbound socket server listens (FreeSWITCH connects there). */
  outboundPort: number;
  queuePrefix: string;
  instanceId: string;
  /** @defaultValue 5 */
  leaseSec?: number;
  /** @defaultValue redis://127.0.0.1:6379 */
  redisUrl?: string;
  /** DIALER_DRAIN_SEC. @defaultValue the product's */
  drainSec?: number;
  /** How long start() waits for the REST API to listen, ms. @defaultValue 60000 */
  startTimeoutMs?: number;
  /** Node's flags; `npmStartFlags()` for the V8 memory flags of `npm start`. @defaultValue none */
  nodeFlags?: string[];
  /** More environment (DIALER_* variables). */
  env?: Record<string, string>;
}

/** The V8 memory flags `npm start` runs node with (package.json), e.g. `--max-old-space-size=256`. */
export function npmStartFlags(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  return pkg.scripts.start.split(/\s+/).filter((a) => /^--max-[a-z-]+=\d+$/.test(a));
}

/**
 * `npm start` (src/main.ts under tsx's loader) as a real child process, for the fault tests: it can be killed
 * with SIGKILL at any instant. Its log lines (JSON, level warn and up plus the listening line)
 * are kept for a failure message.
 */
export class EngineProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;
  #httpPort = 0;

  private constructor(readonly child: ChildProcess, readonly o: EngineProcessOptions) {
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  }

  static async start(o: EngineProcessOptions): Promise<EngineProcess> {
    // node itself with tsx's loader (not the tsx CLI, which runs the program in a grandchild
    // that a SIGKILL of the CLI would leave running).
    const child = spawn(process.execPath, [...(o.nodeFlags ?? []), '--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DIALER_DB_URL: o.dbUrl,
        DIALER_REDIS_URL: o.redisUrl ?? 'redis://127.0.0.1:6379',
        DIALER_QUEUE_PREFIX: o.queuePrefix,
        DIALER_HTTP_PORT: '0',
        DIALER_HTTP_HOST: '127.0.0.1',
        DIALER_TOKEN_SECRET: 'fault-secret-0123456789abcdef',
        DIALER_ADMIN_PASSWORD: 'fault-admin-password',
        DIALER_FREESWITCH: `127.0.0.1:${o.simPort}:ClueCon`,
        DIALER_OUTBOUND_LISTEN: `127.0.0.1:${o.outboundPort}`,
        DIALER_INSTANCE_ID: o.instanceId,
        DIALER_LEASE_SEC: String(o.leaseSec ?? 5),
        DIALER_ENGINE: 'true',
        DIALER_LOG_LEVEL: 'info',
        ...(o.drainSec !== undefined ? { DIALER_DRAIN_SEC: String(o.drainSec) } : {}),
        ...o.env,
      },
    });
    const p = new EngineProcess(child, o);
    let buf = '';
    const onData = (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        p.#onLine(line);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => p.#keep(`stderr: ${c.toString('utf8')}`));
    const deadline = Date.now() + (o.startTimeoutMs ?? 60_000);
    while (p.#httpPort === 0) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`engine exited at start:\n${p.tail()}`);
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`engine did not start in time:\n${p.tail()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return p;
  }

  get httpPort(): number {
    return this.#httpPort;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** kill -9: no shutdown code runs. */
  async killHard(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM and wait for the exit (bounded: then SIGKILL). */
  async stop(timeoutMs = 40_000): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(t);
    return code;
  }

  tail(n = 40): string {
    return this.lines.slice(-n).join('\n');
  }

  #onLine(line: string): void {
    try {
      const j = JSON.parse(line) as { level?: number; msg?: string; port?: number };
      if (j.msg === 'REST API listening' && typeof j.port === 'number') this.#httpPort = j.port;
      if ((j.level ?? 0) >= 40 || j.msg === 'REST API listening') this.#keep(line);
    } catch {
      this.#keep(line);
    }
  }

  #keep(line: string): void {
    this.lines.push(line);
    if (this.lines.length > 500) this.lines.splice(0, this.lines.length - 500);
  }
}
