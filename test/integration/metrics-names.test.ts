import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { PrometheusMetrics } from '../../src/adapters/metrics/prometheus.js';
import { DependencyHealth } from '../../src/app/dependency-health.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';

/** `promtool check metrics` when installed (Debian package `prometheus`), else null. */
function promtool(text: string): string | null {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (r.error) return null;
  return `${r.stdout}${r.stderr}`.trim();
}

/** The naming rules promtool checks, and the ones it does not (one prefix, no doubled word). */
function lint(text: string): string[] {
  const problems: string[] = [];
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = m as unknown as [string, string, string];
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) problems.push(`${name}: not a valid name`);
    if (!name.startsWith('dialer_')) problems.push(`${name}: not under dialer_`);
    if (type === 'counter' && !name.endsWith('_total')) problems.push(`${name}: a counter must end in _total`);
    if (type !== 'counter' && name.endsWith('_total')) problems.push(`${name}: a ${type} must not end in _total`);
    const words = name.split('_');
    if (words.some((w, i) => i > 0 && w === words[i - 1])) problems.push(`${name}: a doubled word`);
  }
  return problems;
}

describe('issue 13 §1, §3: /metrics names and the dependency gauges', () => {
  let tdb: TestDatabase;
  before(async () => {
    tdb = await createTestDatabase('metrics_names');
  });
  after(async () => {
    await tdb?.drop();
  });

  it('every name passes the lint (and promtool check metrics when installed): no gauge named _total, no doubled prefix', async () => {
    const m = new PrometheusMetrics(tdb.db);
    m.watchHealth(new DependencyHealth({ database: async () => true, redis: () => true, nodes: () => [] }));
    const text = await m.registry.metrics();
    expect(text).to.include('dialer_process_cpu_seconds_total');
    expect(lint(text)).to.deep.equal([]);
    const checked = promtool(text);
    if (checked !== null) expect(checked).to.equal('');
  });

  it('dialer_database_up, dialer_redis_up and dialer_freeswitch_up{node} say what this process sees', async () => {
    const m = new PrometheusMetrics(tdb.db, { defaultMetrics: false });
    let dbUp = true;
    m.watchHealth(new DependencyHealth({
      database: async () => dbUp, redis: () => false,
      nodes: () => [{ node: '10.0.0.5:8021', up: false, since: null }, { node: '10.0.0.6:8021', up: true, since: null }],
    }));
    let text = await m.registry.metrics();
    expect(text).to.match(/^dialer_database_up 1$/m);
    expect(text).to.match(/^dialer_redis_up 0$/m);
    expect(text).to.match(/^dialer_freeswitch_up\{node="10\.0\.0\.5:8021"\} 0$/m);
    expect(text).to.match(/^dialer_freeswitch_up\{node="10\.0\.0\.6:8021"\} 1$/m);
    dbUp = false;
    text = await m.registry.metrics();
    expect(text).to.match(/^dialer_database_up 0$/m);
  });
});
