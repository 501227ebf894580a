import { EventEmitter } from 'node:events';
import type { NodeFact } from '../domain/dial-reason.js';

/** One dependency's state as this process sees it, and since when (ISO). */
export interface UpState {
  up: boolean;
  since: string;
}

/** Issue 13 §1: the dependencies as this process sees them (live board, /metrics). */
export interface HealthView {
  database: UpState;
  redis: UpState;
  /** Each FreeSWITCH node as this process's engine uses it; null in a process without an engine. */
  freeswitch: Array<UpState & { node: string }> | null;
}

export interface HealthProbes {
  /** A round trip to the database; false when it fails or is late. */
  database(): Promise<boolean>;
  /** Whether this process's Redis connection is up now. */
  redis(): boolean;
  /** The engine's FreeSWITCH nodes; absent without an engine. */
  nodes?: () => NodeFact[];
}

/**
 * Checks the dependencies every `everyMs` (a `SELECT 1`; Redis and FreeSWITCH are read from the
 * connections this process keeps anyway) and says when something changed. `since` is when this
 * process first saw the present state.
 */
export class DependencyHealth extends EventEmitter<{ change: [HealthView] }> {
  #view: HealthView;
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<HealthView> | null = null;

  constructor(private readonly probes: HealthProbes, private readonly o: { everyMs?: number; now?: () => Date } = {}) {
    super();
    this.setMaxListeners(0);
    const since = this.#now();
    this.#view = { database: { up: true, since }, redis: { up: probes.redis(), since }, freeswitch: this.#nodes(null) };
  }

  get current(): HealthView {
    return this.#view;
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.check(), this.o.everyMs ?? 5_000);
    this.#timer.unref();
    void this.check();
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Checks now (one check at a time); emits `change` when anything changed. */
  check(): Promise<HealthView> {
    return (this.#checking ??= (async () => {
      try {
        const db = await this.probes.database().catch(() => false);
        const was = this.#view;
        const next: HealthView = {
          database: this.#state(was.database, db),
          redis: this.#state(was.redis, this.probes.redis()),
          freeswitch: this.#nodes(was.freeswitch),
        };
        this.#view = next;
        if (JSON.stringify(next) !== JSON.stringify(was)) this.emit('change', next);
        return next;
      } finally {
        this.#checking = null;
      }
    })());
  }

  #state(was: UpState, up: boolean): UpState {
    return was.up === up ? was : { up, since: this.#now() };
  }

  #nodes(was: HealthView['freeswitch']): HealthView['freeswitch'] {
    if (!this.probes.nodes) return null;
    return this.probes.nodes().map((n) => {
      const before = was?.find((w) => w.node === n.node);
      return { node: n.node, ...(before ? this.#state(before, n.up) : { up: n.up, since: (n.since ?? new Date()).toISOString() }) };
    });
  }

  #now(): string {
    return (this.o.now?.() ?? new Date()).toISOString();
  }
}
