import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RedisNode } from '../../src/adapters/queue/redis-connection.js';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const MASTER_NAME = 'mymaster';

/** A redis-server (or sentinel) of the harness: killed with SIGKILL at will, or at close(). */
export class RedisProcess {
  readonly exited: Promise<void>;
  constructor(readonly port: number, readonly child: ChildProcess) {
    this.exited = new Promise((r) => child.once('exit', () => r()));
  }

  get node(): RedisNode {
    return { host: '127.0.0.1', port: this.port };
  }

  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** A port free now, below 55535 so a cluster bus port (port + 10000) exists, and that one free too. */
async function freeLowPort(): Promise<number> {
  for (;;) {
    const p = 20_000 + Math.floor(Math.random() * 30_000);
    if ((await isFree(p)) && (await isFree(p + 10_000))) return p;
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function cli(port: number, ...args: string[]): Promise<string> {
  return (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args])).stdout;
}

async function until(what: string, timeoutMs: number, ok: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`ha-redis: ${what} not reached within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Debian's redis-server, its data in temp dirs on 127.0.0.1: one node, or a group of them. */
class Harness {
  readonly procs: RedisProcess[] = [];
  #dir = '';

  async start(name: string, lines: string[], extraArgs: string[] = []): Promise<RedisProcess> {
    this.#dir ||= await mkdtemp(join(tmpdir(), 'dialer-ha-redis-'));
    const port = await freeLowPort();
    const dir = join(this.#dir, `${name}-${port}`);
    await run('mkdir', ['-p', dir]);
    const conf = join(dir, 'redis.conf');
    await writeFile(conf, [`port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, 'save ""', 'appendonly no', 'daemonize no', 'loglevel warning', ...lines].join('\n') + '\n');
    const child = spawn('redis-server', [conf, ...extraArgs], { stdio: 'ignore' });
    const p = new RedisProcess(port, child);
    this.procs.push(p);
    await until(`${name} on ${port} answering`, 10_000, async () => (await cli(port, 'PING')).trim() === 'PONG');
    return p;
  }

  async close(): Promise<void> {
    await Promise.all(this.procs.map((p) => p.kill()));
    if (this.#dir) await rm(this.#dir, { recursive: true, force: true });
  }
}

export interface SentinelGroup {
  master: RedisProcess;
  replicas: RedisProcess[];
  sentinels: RedisProcess[];
  /** What the dialer is given (DIALER_REDIS_SENTINELS). */
  sentinelNodes: RedisNode[];
  /** The master's port as the sentinels name it now. */
  masterPort(): Promise<number>;
  close(): Promise<void>;
}

/** 1 master, 2 replicas, 3 sentinels (quorum 2); a master silent for 1 s is failed over. */
export async function startSentinelGroup(): Promise<SentinelGroup> {
  const h = new Harness();
  try {
    const master = await h.start('master', []);
    const replicas = [
      await h.start('replica', [`replicaof 127.0.0.1 ${master.port}`]),
      await h.start('replica', [`replicaof 127.0.0.1 ${master.port}`]),
    ];
    const sentinels: RedisProcess[] = [];
    for (let i = 0; i < 3; i++) {
      sentinels.push(await h.start('sentinel', [
        `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${master.port} 2`,
        `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
        `sentinel failover-timeout ${MASTER_NAME} 5000`,
        `sentinel parallel-syncs ${MASTER_NAME} 2`,
      ], ['--sentinel']));
    }
    const masterPort = async () => Number((await cli(sentinels[0]!.port, 'SENTINEL', 'get-master-addr-by-name', MASTER_NAME)).trim().split('\n')[1]);
    // Ready when every sentinel sees both replicas and the other sentinels.
    await until('sentinels agree', 20_000, async () => {
      for (const s of sentinels) {
        const info = await cli(s.port, 'SENTINEL', 'master', MASTER_NAME);
        const v = (k: string) => Number(info.split('\n').map((l) => l.trim()).find((_, i, a) => a[i - 1] === k));
        if (v('num-slaves') < 2 || v('num-other-sentinels') < 2) return false;
      }
      return true;
    });
    return { master, replicas, sentinels, sentinelNodes: sentinels.map((s) => s.node), masterPort, close: () => h.close() };
  } catch (err) {
    await h.close();
    throw err;
  }
}

export interface RedisClusterGroup {
  masters: RedisProcess[];
  replicas: RedisProcess[];
  /** Seed nodes (DIALER_REDIS_CLUSTER). */
  nodes: RedisNode[];
  /** The node serving the slot of `key` now, as a surviving node sees it. */
  ownerOf(key: string): Promise<RedisProcess>;
  close(): Promise<void>;
}

/**
 * Three masters, the 16384 slots split among them; with `replicas: 1` each master has a replica
 * that takes over when the master is silent for 2 s.
 */
export async function startRedisCluster(o: { replicas?: 0 | 1 } = {}): Promise<RedisClusterGroup> {
  const h = new Harness();
  const replicas = o.replicas ?? 0;
  try {
    const all: RedisProcess[] = [];
    for (let i = 0; i < 3 * (1 + replicas); i++) {
      all.push(await h.start('cluster', ['cluster-enabled yes', 'cluster-config-file nodes.conf', 'cluster-node-timeout 2000']));
    }
    await run('redis-cli', ['--cluster', 'create', ...all.map((m) => `127.0.0.1:${m.port}`), '--cluster-replicas', String(replicas), '--cluster-yes']);
    const nodesSeen = async (from: RedisProcess) => (await cli(from.port, 'CLUSTER', 'NODES')).trim().split('\n').map((l) => l.split(' '));
    await until('cluster state ok, replicas in sync', 30_000, async () => {
      for (const m of all) if (!(await cli(m.port, 'CLUSTER', 'INFO')).includes('cluster_state:ok')) return false;
      const lines = await nodesSeen(all[0]!);
      const slaves = lines.filter((f) => f[2]!.includes('slave'));
      if (slaves.length !== 3 * replicas) return false;
      for (const f of slaves) {
        const port = Number(f[1]!.split(':')[1]!.split('@')[0]);
        if (!(await cli(port, 'INFO', 'replication')).includes('master_link_status:up')) return false;
      }
      return true;
    });
    const byPort = (port: number) => all.find((p) => p.port === port)!;
    const lines = await nodesSeen(all[0]!);
    const portOf = (f: string[]) => Number(f[1]!.split(':')[1]!.split('@')[0]);
    const masters = lines.filter((f) => f[2]!.includes('master')).map((f) => byPort(portOf(f)));
    const ownerOf = async (key: string): Promise<RedisProcess> => {
      const alive = all.find((p) => p.child.exitCode === null && p.child.signalCode === null)!;
      const slot = Number((await cli(alive.port, 'CLUSTER', 'KEYSLOT', key)).trim());
      for (const f of await nodesSeen(alive)) {
        if (!f[2]!.includes('master') || f[2]!.includes('fail')) continue;
        for (const r of f.slice(8)) {
          const [a, b] = r.split('-').map(Number);
          if (slot >= a! && slot <= (b ?? a)!) return byPort(portOf(f));
        }
      }
      throw new Error(`ha-redis: no live master holds slot ${slot}`);
    };
    return {
      masters, replicas: all.filter((p) => !masters.includes(p)), nodes: masters.map((m) => m.node), ownerOf, close: () => h.close(),
    };
  } catch (err) {
    await h.close();
    throw err;
  }
}

/** Whether this machine has what the harness needs (Debian's redis-server and redis-cli). */
export async function haRedisAvailable(): Promise<boolean> {
  try {
    await run('redis-server', ['--version']);
    await run('redis-cli', ['--version']);
    return true;
  } catch {
    return false;
  }
}
