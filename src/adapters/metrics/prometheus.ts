import type { Knex } from 'knex';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DependencyHealth, HealthView } from '../../app/dependency-health.js';
import type { EngineMetrics } from '../../app/engine/engine-metrics.js';

/**
 * /metrics (prom-client). Counters and histograms are fed by the engine as it works; the gauges
 * of live calls and agents are read from MySQL at scrape time, so they are right for every
 * engine process sharing the database.
 */
export class PrometheusMetrics implements EngineMetrics {
  readonly registry = new Registry();
  readonly #attempts: Counter<'outcome'>;
  readonly #originates: Counter;
  readonly #claim: Histogram;
  readonly #lateness: Histogram<'kind'>;

  constructor(db: Knex, opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics ?? true) {
      // prom-client's names already start with process_ / nodejs_: one prefix, not a second one.
      collectDefaultMetrics({ register: this.registry, prefix: 'dialer_' });
      // Gauges named _total (prom-client's sums of the by-type gauges beside them): a name ending
      // in _total is a counter's (promtool check metrics). The by-type gauges stay; sum() adds them.
      for (const name of ['dialer_nodejs_active_handles_total', 'dialer_nodejs_active_requests_total', 'dialer_nodejs_active_resources_total']) {
        this.registry.removeSingleMetric(name);
      }
    }
    this.#attempts = new Counter({
      name: 'dialer_attempts_total', help: 'Attempts settled, by outcome', labelNames: ['outcome'], registers: [this.registry],
    });
    this.#originates = new Counter({ name: 'dialer_originates_total', help: 'Agent legs originated', registers: [this.registry] });
    this.#claim = new Histogram({
      name: 'dialer_dispatch_claim_seconds', help: 'Time of one claim transaction (dispatch latency)',
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1], registers: [this.registry],
    });
    this.#lateness = new Histogram({
      name: 'dialer_timer_lateness_seconds', help: 'How late a wake-up fired after its time', labelNames: ['kind'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5], registers: [this.registry],
    });
    new Gauge({
      name: 'dialer_live_calls', help: 'Live calls by campaign', labelNames: ['campaign'], registers: [this.registry],
      async collect() {
        this.reset();
        const rows: { k: number; n: number }[] = await db('attempts').whereNotNull('live_campaign')
          .groupBy('live_campaign').select({ k: 'live_campaign' }).count({ n: '*' }).catch(() => []) as { k: number; n: number }[];
        for (const r of rows) this.set({ campaign: String(r.k) }, Number(r.n));
      },
    });
    new Gauge({
      name: 'dialer_call_limit', help: 'Limit of simultaneous calls (C2) of each running or stopping campaign', labelNames: ['campaign'],
      registers: [this.registry],
      async collect() {
        this.reset();
        // Beside dialer_live_calls, so a dashboard shows how full each campaign is.
        const rows = await db('campaigns').whereIn('state', ['running', 'stopping']).select('id', 'call_limit')
          .catch(() => []) as { id: number; call_limit: number }[];
        for (const r of rows) this.set({ campaign: String(r.id) }, Number(r.call_limit));
      },
    });
    new Gauge({
      name: 'dialer_agents', help: 'Agents by status and state', labelNames: ['status', 'state'], registers: [this.registry],
      async collect() {
        this.reset();
        // Without the database these are absent and dialer_database_up says why: the scrape still answers.
        const rows: { status: string; state: string; n: number }[] = await db('agents').groupBy('status', 'state')
          .select('status', 'state').count({ n: '*' }).catch(() => []) as { status: string; state: string; n: number }[];
        for (const r of rows) this.set({ status: r.status, state: r.state }, Number(r.n));
      },
    });
  }

  /** Issue 13 §1: up-style gauges of the dependencies, checked at each scrape. */
  watchHealth(health: DependencyHealth): void {
    const gauge = (name: string, help: string, labelNames: string[], set: (g: Gauge<string>, v: HealthView) => void) => new Gauge({
      name, help, labelNames, registers: [this.registry],
      async collect() {
        this.reset();
        set(this, await health.check());
      },
    });
    gauge('dialer_database_up', '1 when the database answers this process, else 0', [], (g, v) => g.set(v.database.up ? 1 : 0));
    gauge('dialer_redis_up', '1 when this process\'s Redis connection is up, else 0', [], (g, v) => g.set(v.redis.up ? 1 : 0));
    gauge('dialer_freeswitch_up', '1 when this process\'s engine can place calls on the FreeSWITCH node, else 0', ['node'],
      (g, v) => { for (const n of v.freeswitch ?? []) g.set({ node: n.node }, n.up ? 1 : 0); });
  }

  observeClaim = (seconds: number): void => this.#claim.observe(seconds);
  onOriginate = (): void => this.#originates.inc();
  onSettled: EngineMetrics['onSettled'] = (r) => {
    const d = r.decision;
    const outcome = !d ? 'none' : d.kind === 'end' ? (d.success ? 'success' : 'ended') : d.kind === 'retry' ? (d.counts === 'try' ? 'retry' : 'minus') : 'waiting_result';
    this.#attempts.inc({ outcome });
  };
  observeTimer(kind: string, latenessMs: number): void {
    this.#lateness.observe({ kind }, Math.max(0, latenessMs) / 1000);
  }
}
