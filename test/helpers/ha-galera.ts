import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { access, chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createConnection } from 'mysql2/promise';
import { freePorts } from '../../src/adapters/free-port.js';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PROVIDER = '/usr/lib/galera/libgalera_smm.so';

/** One mariadbd of the cluster: killed with SIGKILL at will (and started again), or at close(). */
export class GaleraNode {
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  constructor(readonly name: string, readonly port: number, readonly dir: string, readonly conf: string) {}

  /** Starts mariadbd on this node's data; `bootstrap` makes a new cluster of it. */
  start(bootstrap = false): void {
    const child = spawn('mariadbd', [`--defaults-file=${this.conf}`, ...(bootstrap ? ['--wsrep-new-cluster'] : [])], { stdio: 'ignore' });
    this.#child = child;
    this.#exited = new Promise((r) => child.once('exit', () => r()));
  }

  get alive(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** `host:port` as DIALER_DB_HOSTS lists it. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** The server URL (no database) of this node, as root. */
  get serverUrl(): string {
    return `mysql://root@127.0.0.1:${this.port}`;
  }

  async kill(): Promise<void> {
    if (this.alive) this.#child!.kill('SIGKILL');
    await this.#exited;
  }

  /** Started again after a kill: it joins the cluster by a state transfer; resolves once Synced. */
  async rejoin(timeoutMs = 90_000): Promise<void> {
    this.start();
    await this.synced(timeoutMs);
  }

  async synced(timeoutMs: number): Promise<void> {
    await until(`${this.name} synced`, timeoutMs, async () => {
      if (!this.alive) throw new Error('exited');
      return (await this.status()).wsrep_local_state_comment === 'Synced';
    }, () => this.errorLogTail());
  }

  /** wsrep status variables of this node (empty when it does not answer). */
  async status(): Promise<Record<string, string>> {
    return wsrepStatus(this.port);
  }

  async errorLogTail(lines = 20): Promise<string> {
    const text = await readFile(join(this.dir, 'error.log'), 'utf8').catch(() => '');
    return text.trim().split('\n').slice(-lines).join('\n');
  }
}

async function wsrepStatus(port: number): Promise<Record<string, string>> {
  const conn = await createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 1000 });
  try {
    const [rows] = await conn.query("SHOW GLOBAL STATUS LIKE 'wsrep_%'");
    return Object.fromEntries((rows as { Variable_name: string; Value: string }[]).map((r) => [r.Variable_name, r.Value]));
  } finally {
    conn.destroy();
  }
}

async function until(what: string, timeoutMs: number, ok: () => Promise<boolean>, why: () => Promise<string> = async () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`ha-galera: ${what} not reached within ${timeoutMs} ms\n${await why()}`);
    await sleep(200);
  }
}

export interface GaleraCluster {
  nodes: GaleraNode[];
  /** `host:port,…` of every node, in order (DIALER_DB_HOSTS). */
  hostList: string;
  /** Waits until every live node is Synced and sees `size` members. */
  settled(size: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A 3-node MariaDB Galera cluster from Debian's mariadb-server and galera-4, on 127.0.0.1, its
 * data in a temp dir: the first node bootstraps the cluster, the others join it one after the
 * other by a state transfer (rsync). Small on purpose (32 MB buffer pool, one applier thread):
 * the machine is shared. A dead peer is declared after about 3 s.
 */
export async function startGaleraCluster(size = 3): Promise<GaleraCluster> {
  const base = await mkdtemp(join(tmpdir(), 'dialer-ha-galera-'));
  const nodes: GaleraNode[] = [];
  const close = async () => {
    await Promise.all(nodes.map((n) => n.kill()));
    await rm(base, { recursive: true, force: true });
  };
  try {
    const ports = await freePorts(size * 4);
    const at = (i: number, k: number) => ports[i * 4 + k]!;
    const gcomm = Array.from({ length: size }, (_, i) => `127.0.0.1:${at(i, 1)}`).join(',');
    // The SST script's rsync daemon runs as mariadbd's user: as root, mariadbd would hand the
    // daemon's files to nobody and the transfer fails, so the whole cluster runs as nobody.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) await chmod(base, 0o755);
    const confs: string[] = [];
    for (let i = 0; i < size; i++) {
      const dir = join(base, `n${i + 1}`);
      await mkdir(join(dir, 'data'), { recursive: true });
      const conf = join(dir, 'my.cnf');
      await writeFile(conf, [
        '[mariadbd]',
        `datadir=${join(dir, 'data')}`, `socket=${join(dir, 'sock')}`, `pid-file=${join(dir, 'pid')}`, `log-error=${join(dir, 'error.log')}`,
        `port=${at(i, 0)}`, 'bind-address=127.0.0.1', 'skip-name-resolve',
        ...(asRoot ? ['user=nobody'] : []),
        'innodb_buffer_pool_size=32M', 'innodb_log_file_size=8M', 'innodb_flush_log_at_trx_commit=2',
        // Galera's requirements: row events, interleaved auto-increment locks, InnoDB.
        'binlog_format=ROW', 'innodb_autoinc_lock_mode=2', 'default_storage_engine=InnoDB', 'performance_schema=OFF',
        'max_connections=300',
        'wsrep_on=ON', `wsrep_provider=${PROVIDER}`, 'wsrep_cluster_name=dialer_test',
        `wsrep_cluster_address=gcomm://${gcomm}`, 'wsrep_node_address=127.0.0.1', `wsrep_node_name=n${i + 1}`,
        `wsrep_provider_options="gmcast.listen_addr=tcp://127.0.0.1:${at(i, 1)};ist.recv_addr=127.0.0.1:${at(i, 2)};gcache.size=32M;` +
          'evs.keepalive_period=PT0.5S;evs.suspect_timeout=PT3S;evs.inactive_timeout=PT5S;evs.install_timeout=PT5S"',
        `wsrep_sst_receive_address=127.0.0.1:${at(i, 3)}`, 'wsrep_sst_method=rsync', 'wsrep_slave_threads=1',
      ].join('\n') + '\n');
      if (asRoot) {
        const { stdout } = await run('id', ['-u', 'nobody']);
        await run('chown', ['-R', `${stdout.trim()}`, dir]);
      }
      confs.push(conf);
    }
    await run('mariadb-install-db', [`--defaults-file=${confs[0]}`, '--auth-root-authentication-method=normal', '--skip-test-db', '--wsrep_on=OFF'], { timeout: 60_000 });
    for (let i = 0; i < size; i++) {
      const node = new GaleraNode(`n${i + 1}`, at(i, 0), join(base, `n${i + 1}`), confs[i]!);
      nodes.push(node);
      node.start(i === 0);
      await node.synced(90_000);
    }
    const settled = async (n: number, timeoutMs = 60_000) => {
      for (const node of nodes.filter((x) => x.alive)) {
        await until(`${node.name} synced in a cluster of ${n}`, timeoutMs, async () => {
          const s = await node.status();
          return s.wsrep_local_state_comment === 'Synced' && Number(s.wsrep_cluster_size) === n && s.wsrep_ready === 'ON';
        }, () => node.errorLogTail());
      }
    };
    await settled(size);
    return { nodes, hostList: nodes.map((n) => n.address).join(','), settled, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Whether this machine has what the harness needs (Debian's mariadb-server and galera-4, rsync). */
export async function haGaleraAvailable(): Promise<boolean> {
  try {
    await access(PROVIDER);
    await run('sh', ['-c', 'command -v mariadbd && command -v mariadb-install-db && command -v rsync']);
    return true;
  } catch {
    return false;
  }
}
