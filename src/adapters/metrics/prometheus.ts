import type { Knex } from 'knex';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
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
    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'dialer_process_' });
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
          .groupBy('live_campaign').select({ k: 'live_campaign' }).count({ n: '*' });
        for (const r of rows) this.set({ campaign: String(r.k) }, Number(r.n));
      },
    });
    new Gauge({
      name: 'dialer_agents', help: 'Agents by status and state', labelNames: ['status', 'state'], registers: [this.registry],
      async collect() {
        this.reset();
        const rows: { status: string; state: string; n: number }[] = await db('agents').groupBy('status', 'state')
          .select('status', 'state').count({ n: '*' });
        for (const r of rows) this.set({ status: r.status, state: r.state }, Number(r.n));
      },
    });
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
