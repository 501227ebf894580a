import { createConnection, type Connection, type ConnectionOptions } from 'mysql2/promise';
import type { Logger } from 'pino';

export interface DbHost {
  host: string;
  port: number;
}

export interface WriterHostsOptions {
  /** Tried in this order; every process of a deployment must list them in the same order. */
  hosts: DbHost[];
  /** User, password and database of the URL, for the health probe. */
  credentials: Pick<ConnectionOptions, 'user' | 'password'>;
  log?: Logger;
  /** How often the writer (and, after a move, the hosts before it) are probed, ms. */
  checkMs?: number;
  /** A probe that has not answered by then counts as a failure, ms. */
  probeTimeoutMs?: number;
}

const DEFAULT_CHECK_MS = 1000;
const DEFAULT_PROBE_TIMEOUT_MS = 2000;

/**
 * Single-writer over a list of database hosts (DESIGN §1a, a Galera cluster): the writer is
 * the first host of the list that answers and, on Galera, is Synced and ready
 * (wsrep_local_state 4, wsrep_ready ON). Every process applies the same rule, so all of them
 * write through one node; SKIP LOCKED, FOR UPDATE and GET_LOCK then keep their meaning, which
 * they would not across nodes (locks are local to a node, GET_LOCK is not replicated).
 *
 * The writer is probed every `checkMs`, and at once when a pooled connection reports an error.
 * On a move, `generation` grows: the pool's connections to the old writer are not handed out
 * again (database.ts), new ones go to the new writer. Before the move the new writer is made to
 * apply every write-set the cluster has ordered (one read under wsrep_sync_wait), so nothing
 * committed through the old writer is missing from what the dialer reads next.
 */
export class WriterHosts {
  readonly #o: WriterHostsOptions;
  #index = 0;
  #generation = 0;
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<void> | undefined;
  #again = false;
  #closed = false;

  constructor(o: WriterHostsOptions) {
    if (o.hosts.length === 0) throw new Error('writer hosts: at least one host is needed');
    this.#o = o;
  }

  get current(): DbHost {
    return this.#o.hosts[this.#index]!;
  }

  /** Grows by one at each move to another host. */
  get generation(): number {
    return this.#generation;
  }

  /** Picks the first ready host (waits up to `timeoutMs` for one), then keeps watching. */
  async start(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = await this.#firstReady(this.#o.hosts.length);
      if (i !== undefined) {
        this.#index = i;
        break;
      }
      if (Date.now() > deadline) throw new Error(`no database host ready among ${this.#o.hosts.map(label).join(', ')}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    this.#o.log?.info({ writer: label(this.current) }, 'database writer chosen');
    this.#schedule();
  }

  /** A pooled connection failed: look at the writer now rather than at the next tick. */
  suspect(): void {
    void this.check();
  }

  /** One look; concurrent calls share it (one more runs after it when asked meanwhile). */
  check(): Promise<void> {
    if (this.#checking) {
      this.#again = true;
      return this.#checking;
    }
    this.#checking = (async () => {
      try {
        do {
          this.#again = false;
          await this.#checkOnce();
        } while (this.#again && !this.#closed);
      } finally {
        this.#checking = undefined;
      }
    })();
    return this.#checking;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => {
      void this.check().finally(() => this.#schedule());
    }, this.#o.checkMs ?? DEFAULT_CHECK_MS);
    this.#timer.unref();
  }

  async #checkOnce(): Promise<void> {
    // A host before the writer that is ready again wins (the same rule in every process);
    // otherwise the writer stays while it is ready, and the first ready host after it replaces it.
    const before = await this.#firstReady(this.#index);
    if (before !== undefined) return this.#moveTo(before, 'an earlier host is ready again');
    if (await this.#ready(this.current)) return;
    const after = await this.#firstReady(this.#o.hosts.length, this.#index + 1);
    if (after !== undefined) return this.#moveTo(after, 'the writer is not ready');
    this.#o.log?.error({ writer: label(this.current) }, 'database writer not ready and no other host is');
  }

  async #moveTo(i: number, why: string): Promise<void> {
    if (this.#closed || i === this.#index) return;
    const from = this.current;
    await this.#catchUp(this.#o.hosts[i]!);
    this.#index = i;
    this.#generation++;
    this.#o.log?.warn({ from: label(from), to: label(this.current), why }, 'database writer moved');
  }

  async #firstReady(end: number, start = 0): Promise<number | undefined> {
    for (let i = start; i < end; i++) if (await this.#ready(this.#o.hosts[i]!)) return i;
    return undefined;
  }

  async #ready(h: DbHost): Promise<boolean> {
    return this.#withConnection(h, async (c) => {
      // A server that is not a Galera node (MySQL, or MariaDB with wsrep_on OFF) is ready when it answers.
      if (!(await this.#galera(c))) return true;
      const [rows] = await c.query({ sql: "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_ready', 'wsrep_local_state')", timeout: this.#timeout() });
      const v = new Map((rows as { Variable_name: string; Value: string }[]).map((r) => [r.Variable_name.toLowerCase(), r.Value]));
      return v.get('wsrep_ready') === 'ON' && v.get('wsrep_local_state') === '4';
    }).catch(() => false);
  }

  /** Waits until `h` has applied every write-set ordered before now (a no-op without Galera). */
  async #catchUp(h: DbHost): Promise<void> {
    await this.#withConnection(h, async (c) => {
      if (!(await this.#galera(c))) return;
      await c.query('SET SESSION wsrep_sync_wait = 1');
      await c.query({ sql: 'SELECT 1', timeout: 10_000 });
    }).catch((err: unknown) => this.#o.log?.warn({ err, host: label(h) }, 'new database writer: catching up failed'));
  }

  async #galera(c: Connection): Promise<boolean> {
    const [rows] = await c.query({ sql: "SHOW GLOBAL VARIABLES LIKE 'wsrep_on'", timeout: this.#timeout() });
    return (rows as { Value: string }[])[0]?.Value === 'ON';
  }

  async #withConnection<T>(h: DbHost, fn: (c: Connection) => Promise<T>): Promise<T> {
    const c = await createConnection({ ...this.#o.credentials, host: h.host, port: h.port, connectTimeout: this.#timeout() });
    try {
      return await fn(c);
    } finally {
      c.destroy();
    }
  }

  #timeout(): number {
    return this.#o.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  }
}

function label(h: DbHost): string {
  return `${h.host}:${h.port}`;
}
