import type { Logger } from 'pino';
import type { DeskState } from '../../contract/agent-desk-schemas.js';
import type { LiveFeed } from '../engine/live-feed.js';
import type { DeskEventLog, NumberedDeskEvent } from '../ports/desk-event-log.js';
import type { AgentDeskStore } from './agent-desk-store.js';
import { deriveDeskEvents } from './desk-events.js';

/** A client connection of an agent: gets every event of its agent, in sequence order. */
export type DeskWatcher = (e: NumberedDeskEvent) => void;

export interface DeskEventHubOptions {
  log: DeskEventLog;
  store: Pick<AgentDeskStore, 'state'>;
  /** The process's live feed: says which agents may have changed (every process's changes, relayed). */
  feed: LiveFeed;
  logger: Logger;
  now: () => Date;
  /** How long an agent's changes are gathered before one read, ms. @defaultValue 50 */
  coalesceMs?: number;
  /**
   * Each watched agent's entry is looked at this often, ms: a delay's end (no process is told of
   * it) is told no later, and the entry is marked as kept. @defaultValue 5000
   */
  sweepMs?: number;
  /** Each watched agent is read again at least this often, ms: a change whose relay message was lost. @defaultValue 60000 */
  rereadMs?: number;
}

/** Compare-and-set attempts of one read before giving up until the next change or sweep. */
const MAX_TRIES = 5;

/**
 * W3: the agent events of one process's client connections. When the feed names a watched agent
 * (or its sweep comes), its desk state is read and compared with the mark in the shared log; the
 * events of the difference are appended there, numbered, and come back to every process — this
 * one included — from the log's subscription, so every connection of an agent, on any process,
 * gets one sequence. Several processes may read the same change: the log's compare-and-set lets
 * one append, the others read again and find nothing left to tell.
 *
 * An agent nobody watched for a while (no process kept its mark fresh: older than three sweeps)
 * is marked again without events: its next client starts from a snapshot, not from old news.
 * Processes' clocks are assumed in step to well within a sweep (as for the leases).
 */
export class DeskEventHub {
  readonly #watchers = new Map<number, Set<DeskWatcher>>();
  readonly #due = new Set<number>();
  /** One read of an agent at a time in this process; a change meanwhile reads once more after it. */
  readonly #syncing = new Map<number, Promise<void>>();
  readonly #again = new Set<number>();
  /** When each watched agent's state was last read here, epoch ms. */
  readonly #readAt = new Map<number, number>();
  #timer: NodeJS.Timeout | undefined;
  #sweep: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(private readonly o: DeskEventHubOptions) {}

  get #sweepMs(): number {
    return this.o.sweepMs ?? 5_000;
  }

  async start(): Promise<void> {
    this.o.feed.on('agent', this.#onAgent);
    this.#sweep = setInterval(() => {
      for (const id of this.#watchers.keys()) void this.#look(id);
    }, this.#sweepMs);
    this.#sweep.unref();
    await this.o.log.listen((e) => {
      for (const w of this.#watchers.get(e.agent_id) ?? []) w(e);
    });
  }

  /** Starts handing `w` the agent's events; returns how to stop. */
  watch(agentId: number, w: DeskWatcher): () => void {
    let set = this.#watchers.get(agentId);
    if (!set) this.#watchers.set(agentId, (set = new Set()));
    set.add(w);
    return () => {
      set.delete(w);
      if (set.size === 0 && this.#watchers.get(agentId) === set) {
        this.#watchers.delete(agentId);
        this.#readAt.delete(agentId);
      }
    };
  }

  /**
   * What a connecting client gets first: the agent's state and the sequence number it is at.
   * The number is read after the log is brought up to date and before the state: an event after
   * it may repeat what the state already shows (harmless), none before it is missing from it.
   */
  async snapshot(agentId: number): Promise<{ seq: number; state: DeskState } | undefined> {
    await this.sync(agentId);
    const { seq } = await this.o.log.read(agentId);
    const state = await this.o.store.state(agentId);
    return state ? { seq, state } : undefined;
  }

  /** Brings the agent's log up to date with its state now; never throws (logged). */
  sync(agentId: number): Promise<void> {
    const running = this.#syncing.get(agentId);
    if (running) {
      this.#again.add(agentId);
      return running;
    }
    const p = this.#syncOnce(agentId)
      .catch((err) => this.o.logger.warn({ err, agentId }, 'agent events: could not read or append'))
      .finally(() => {
        this.#syncing.delete(agentId);
        if (this.#again.delete(agentId)) void this.sync(agentId);
      });
    this.#syncing.set(agentId, p);
    return p;
  }

  async #syncOnce(agentId: number): Promise<void> {
    for (let i = 0; i < MAX_TRIES && !this.#closed; i++) {
      const entry = await this.o.log.read(agentId);
      const state = await this.o.store.state(agentId);
      if (!state) return;
      const now = this.o.now().getTime();
      this.#readAt.set(agentId, now);
      const stale = entry.mark === null || now - entry.atMs > 3 * this.#sweepMs;
      const { events, mark } = deriveDeskEvents(stale ? null : entry.mark, state, new Date(now), stale);
      // Nothing to tell: no write (the sweep keeps a watched agent's entry marked as kept).
      if (!stale && events.length === 0) return;
      if ((await this.o.log.append(agentId, entry.version, mark, events, now)) !== null) return;
    }
  }

  /**
   * The sweep, per watched agent: one Redis read; the database only when a delay told is over or
   * the agent was not read for `rereadMs` (a thousand agents cost no thousand reads every sweep).
   */
  async #look(agentId: number): Promise<void> {
    try {
      const entry = await this.o.log.read(agentId);
      const now = this.o.now().getTime();
      const delayOver = entry.mark?.delay_until != null && Date.parse(entry.mark.delay_until) <= now;
      if (delayOver || now - (this.#readAt.get(agentId) ?? 0) >= (this.o.rereadMs ?? 60_000)) return void (await this.sync(agentId));
      if (now - entry.atMs >= this.#sweepMs) await this.o.log.touch(agentId, now);
    } catch (err) {
      this.o.logger.warn({ err, agentId }, 'agent events: sweep failed');
    }
  }

  readonly #onAgent = (agentId: number): void => {
    if (!this.#watchers.has(agentId) || this.#closed) return;
    this.#due.add(agentId);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      const due = [...this.#due];
      this.#due.clear();
      for (const id of due) void this.sync(id);
    }, this.o.coalesceMs ?? 50);
  };

  close(): void {
    this.#closed = true;
    this.o.feed.off('agent', this.#onAgent);
    clearTimeout(this.#timer);
    clearInterval(this.#sweep);
    this.#watchers.clear();
  }
}
