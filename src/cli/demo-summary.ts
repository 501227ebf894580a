import type { Knex } from 'knex';

/** The end-of-demo table: how each campaign ended, read from MySQL (the truth). */
export async function printSummary(db: Knex, campaigns: { id: number; name: string }[], elapsedSec: number): Promise<void> {
  const out = process.stdout;
  out.write(`\nFinished in ${elapsedSec.toFixed(0)} s.\n\n`);
  const results = new Map<string, Map<number, number>>();
  for (const c of campaigns) {
    const rows: { result: string; n: number }[] = await db('members').where({ campaign_id: c.id }).groupBy('result')
      .select('result').count({ n: '*' });
    for (const r of rows) {
      const key = r.result ?? '(not done)';
      if (!results.has(key)) results.set(key, new Map());
      results.get(key)!.set(c.id, Number(r.n));
    }
  }
  const width = 22;
  const header = `${'result'.padEnd(width)}${campaigns.map((c) => c.name.padStart(12)).join('')}`;
  out.write(`${header}\n${'-'.repeat(header.length)}\n`);
  for (const [result, byCampaign] of [...results].sort((a, b) => a[0].localeCompare(b[0]))) {
    out.write(`${result.padEnd(width)}${campaigns.map((c) => String(byCampaign.get(c.id) ?? 0).padStart(12)).join('')}\n`);
  }
  const attempts: { campaign_id: number; outcome: string; n: number }[] = await db('attempts')
    .whereIn('campaign_id', campaigns.map((c) => c.id)).groupBy('campaign_id', 'outcome').select('campaign_id', 'outcome').count({ n: '*' });
  out.write(`\n${'attempt outcome'.padEnd(width)}${campaigns.map((c) => c.name.padStart(12)).join('')}\n${'-'.repeat(header.length)}\n`);
  for (const outcome of [...new Set(attempts.map((a) => a.outcome))].sort()) {
    out.write(`${String(outcome).padEnd(width)}${campaigns.map((c) =>
      String(attempts.find((a) => a.campaign_id === c.id && a.outcome === outcome)?.n ?? 0).padStart(12)).join('')}\n`);
  }
  const agents: { name: string; status: string; calls: number }[] = await db('agents as a')
    .leftJoin('attempts as t', 't.agent_id', 'a.id').groupBy('a.id', 'a.name', 'a.status').orderBy('a.id')
    .select('a.name', 'a.status').count({ calls: 't.id' });
  out.write(`\nagents: ${agents.map((a) => `${a.name} ${a.calls}${a.status === 'Available' ? '' : ` (${a.status})`}`).join(', ')}\n`);
}
