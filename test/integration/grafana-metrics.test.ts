import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { PrometheusMetrics } from '../../src/adapters/metrics/prometheus.js';
import { DependencyHealth } from '../../src/app/dependency-health.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';

const ROOT = new URL('../../', import.meta.url);
const DASHBOARD = new URL('deploy/grafana/dialer-dashboard.json', ROOT);
const ALERTS = new URL('deploy/prometheus/alerts.yml', ROOT);

/** Every dialer_ series a PromQL text names. */
function seriesIn(text: string): Set<string> {
  return new Set([...text.matchAll(/\b(dialer_[a-z0-9_]+)\b/g)].map((m) => m[1]!));
}

/** Q4: the shipped Grafana dashboard and alert rules use only series the product exports. */
describe('Q4: Grafana dashboard and Prometheus alert rules', () => {
  let tdb: TestDatabase;
  let families: Map<string, string>;
  before(async () => {
    tdb = await createTestDatabase('grafana');
    const m = new PrometheusMetrics(tdb.db);
    m.watchHealth(new DependencyHealth({ database: async () => true, redis: () => true, nodes: () => [{ node: 'fs1:8021', up: true, since: null }] }));
    // The text /metrics answers (runtime.ts serves registry.metrics() as it is).
    const text = await m.registry.metrics();
    families = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((x) => [x[1]!, x[2]!]));
  });
  after(async () => { await tdb?.drop(); });

  /** A series name is a family of /metrics, or a histogram's _bucket / _sum / _count. */
  function missing(names: Set<string>): string[] {
    return [...names].filter((n) => {
      if (families.has(n)) return false;
      const base = n.replace(/_(bucket|sum|count)$/, '');
      return families.get(base) !== 'histogram';
    });
  }

  it('Q4: every series the dashboard queries is in a real /metrics answer', () => {
    const dash = JSON.parse(readFileSync(DASHBOARD, 'utf8'));
    const exprs: string[] = dash.panels.flatMap((p: { targets: Array<{ expr: string }> }) => p.targets.map((t) => t.expr));
    const names = seriesIn(exprs.join('\n'));
    for (const n of ['dialer_live_calls', 'dialer_call_limit', 'dialer_attempts_total', 'dialer_dispatch_claim_seconds_bucket',
      'dialer_timer_lateness_seconds_bucket', 'dialer_agents', 'dialer_freeswitch_up']) expect(names, n).to.include(n);
    expect(missing(names)).to.deep.equal([]);
    // Importable: one input for the data source, used by every panel and query.
    expect(dash.__inputs.map((i: { name: string }) => i.name)).to.deep.equal(['DS_PROMETHEUS']);
    for (const p of dash.panels) expect(p.datasource.uid, p.title).to.equal('${DS_PROMETHEUS}');
    expect(new Set(dash.panels.map((p: { id: number }) => p.id)).size).to.equal(dash.panels.length);
  });

  it('Q4: every series the alert rules use is in a real /metrics answer, and promtool accepts the rules', () => {
    const text = readFileSync(ALERTS, 'utf8');
    const names = seriesIn(text.split('\n').filter((l) => !l.trim().startsWith('#')).join('\n'));
    expect(names).to.include('dialer_freeswitch_up');
    expect(missing(names)).to.deep.equal([]);
    const r = spawnSync('promtool', ['check', 'rules', ALERTS.pathname], { encoding: 'utf8' });
    if (r.error) return; // promtool is not installed (Debian package `prometheus`)
    expect(r.status, `${r.stdout}${r.stderr}`).to.equal(0);
    expect(r.stdout).to.contain('SUCCESS: 6 rules found');
  });

  it('C2: dialer_call_limit gives the limit of each running campaign beside dialer_live_calls', async () => {
    const [cal] = await tdb.db('calendars').insert({ name: 'c', timezone: 'UTC', windows: '[]', holidays: '[]' });
    const row = { calendar_id: cal, retry_wait_sec: 1, max_tries: 1, min_success_sec: 0, wrapup_sec: 0, variables: '{}', causes: '{}' };
    const [running] = await tdb.db('campaigns').insert({ ...row, name: 'a', call_limit: 7, state: 'running' });
    await tdb.db('campaigns').insert({ ...row, name: 'b', call_limit: 3, state: 'idle' });
    const text = await new PrometheusMetrics(tdb.db, { defaultMetrics: false }).registry.metrics();
    expect(text.match(/^dialer_call_limit\{.*$/gm)).to.deep.equal([`dialer_call_limit{campaign="${running}"} 7`]);
  });
});
