import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { EXPORT_COLUMNS } from '../../src/app/reports/attempt-export.js';
import { startTestApi, type TestApi } from '../helpers/http-api.js';
import { seeder } from '../helpers/seed.js';

/** The tricky names of Q1: the separators, a quote, a line break, Cyrillic. */
const MEMBER_NAME = 'Іваненко; "Петро"\nкв. 5, під\'їзд 2';
const CAMPAIGN_NAME = 'Кампанія "Зима"; 2026';

describe('Q1: attempt export (REST)', function () {
  this.timeout(60_000);
  let api: TestApi;
  let campaignId: number;
  let otherId: number;

  before(async () => {
    api = await startTestApi('export');
    const db = api.tdb.db;
    const seed = seeder(db);
    campaignId = await seed.campaign();
    otherId = await seed.campaign();
    await db('campaigns').where('id', campaignId).update({ name: CAMPAIGN_NAME });
    const [agentId] = await seed.agents(1, [campaignId]);
    await db('agents').where('id', agentId).update({ name: 'Оля' });
    const [m1] = await seed.members(campaignId, 1);
    const [m2] = await seed.members(otherId, 1);
    await db('members').where('id', m1).update({ name: MEMBER_NAME, variables: JSON.stringify({ city: 'Київ', note: 'a;b "c"' }), result: 'SUCCESS' });
    const t = (s: string) => new Date(`2026-12-01T${s}Z`);
    await db('attempts').insert([
      { campaign_id: campaignId, member_id: m1, communication_id: 1, number: '0501112233', agent_id: agentId, state: 'done',
        created_at: t('09:00:00.000'), agent_answered_at: t('09:00:02.500'), answered_at: t('09:00:10.000'), ended_at: t('09:01:10.000'),
        hangup_cause: 'NORMAL_CLEARING', talk_sec: 60, outcome: 'success',
        result_status: JSON.stringify({ success: true, comment: 'Згоден; "так"' }), comment: 'Згоден; "так"\nпередзвонити' },
      { campaign_id: campaignId, member_id: m1, communication_id: 1, number: '0501112233', agent_id: agentId, state: 'done',
        created_at: t('08:00:00.000'), ended_at: t('08:00:30.000'), hangup_cause: 'NO_ANSWER', talk_sec: 0, outcome: 'retry' },
      { campaign_id: otherId, member_id: m2, communication_id: 2, number: '0670000000', state: 'done',
        created_at: t('10:00:00.000'), ended_at: t('10:00:05.000'), agent_cause: 'USER_BUSY', outcome: 'agent_failed' },
    ]);
  });
  after(async () => { await api?.close(); });

  const get = (path: string, headers: Record<string, string> = {}, auth = api.admin) =>
    fetch(api.url + path, { headers: { 'x-key': auth.key, 'x-access-token': auth.token, ...headers } });

  it('Q1: CSV with a header, in creation order, quoting ; " line breaks and Cyrillic so a CSV reader gets them back', async () => {
    const res = await get(`/api/v2/dialer/${campaignId}/attempts/export`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/csv; charset=utf-8/);
    const text = await res.text();
    const rows = parse(text, { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(rows[0]!)).to.deep.equal([...EXPORT_COLUMNS]);
    expect(rows.map((r) => r.outcome)).to.deep.equal(['retry', 'success']);
    const r = rows[1]!;
    expect(r.campaign).to.equal(CAMPAIGN_NAME);
    expect(r.member_name).to.equal(MEMBER_NAME);
    expect(r.agent).to.equal('Оля');
    expect(r.created_at).to.equal('2026-12-01T09:00:00.000Z');
    expect(r.agent_answered_at).to.equal('2026-12-01T09:00:02.500Z');
    expect(r.answered_at).to.equal('2026-12-01T09:00:10.000Z');
    expect(r.ended_at).to.equal('2026-12-01T09:01:10.000Z');
    expect(r.cause).to.equal('NORMAL_CLEARING');
    expect(r.talk_sec).to.equal('60');
    expect(r.result_success).to.equal('true');
    expect(r.comment).to.equal('Згоден; "так"\nпередзвонити');
    expect(r.member_result).to.equal('SUCCESS');
    expect(JSON.parse(r.variables!)).to.deep.equal({ city: 'Київ', note: 'a;b "c"' });
    expect(rows[0]!.agent_answered_at).to.equal('');
  });

  it('Q1: sep=; writes the `sep=;` line and separates with ;', async () => {
    const text = await (await get(`/api/v2/dialer/${campaignId}/attempts/export?sep=;`)).text();
    expect(text.startsWith('sep=;\r\nattempt_id;campaign_id;')).to.equal(true);
    const rows = parse(text.slice(text.indexOf('\n') + 1), { columns: true, delimiter: ';' }) as Array<Record<string, string>>;
    expect(rows[1]!.member_name).to.equal(MEMBER_NAME);
    expect(rows[1]!.campaign).to.equal(CAMPAIGN_NAME);
  });

  it('Q1: NDJSON by format=ndjson or by Accept, numbers as numbers and the JSON columns nested', async () => {
    for (const [path, headers] of [[`/api/v2/dialer/${campaignId}/attempts/export?format=ndjson`, {}],
      [`/api/v2/dialer/${campaignId}/attempts/export`, { accept: 'application/x-ndjson' }]] as const) {
      const res = await get(path, headers);
      expect(res.headers.get('content-type')).to.match(/^application\/x-ndjson/);
      const lines = (await res.text()).trimEnd().split('\n').map((l) => JSON.parse(l));
      expect(lines).to.have.length(2);
      expect(lines[1]).to.include({ member_name: MEMBER_NAME, talk_sec: 60, result_success: true, outcome: 'success' });
      expect(lines[1].variables).to.deep.equal({ city: 'Київ', note: 'a;b "c"' });
      expect(lines[1].result_status).to.deep.equal({ success: true, comment: 'Згоден; "так"' });
      expect(lines[0]).to.include({ result_success: null, result_status: null, agent_answered_at: null });
    }
  });

  it('Q1: from and to bound the attempts by creation; every campaign in the all-campaigns variant', async () => {
    let lines = (await (await get(`/api/v2/dialer/${campaignId}/attempts/export?format=ndjson&from=2026-12-01T08:30:00Z`)).text())
      .trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.outcome)).to.deep.equal(['success']);
    lines = (await (await get('/api/v2/attempts/export?format=ndjson&from=2026-12-01T08:30:00Z&to=2026-12-01T11:00:00Z')).text())
      .trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.campaign_id, l.outcome])).to.deep.equal([[campaignId, 'success'], [otherId, 'agent_failed']]);
    expect(lines[1].cause).to.equal('USER_BUSY');
  });

  it('S2: a bad format, separator or instant, or to before from, is a 400 naming the field', async () => {
    for (const [q, field] of [['format=xml', 'query.format'], ['sep=%7C', 'query.sep'], ['from=yesterday', 'query.from'],
      ['from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z', 'query.to']] as const) {
      const r = await api.call('GET', `/api/v2/dialer/${campaignId}/attempts/export?${q}`);
      expect(r.status, q).to.equal(400);
      expect(r.body.error.message, q).to.contain(field);
    }
    const all = await api.call('GET', '/api/v2/attempts/export?to=2026-12-02T00:00:00Z');
    expect(all.status).to.equal(400);
    expect(all.body.error.message).to.contain('query.from');
    expect((await api.call('GET', '/api/v2/dialer/999999/attempts/export')).status).to.equal(404);
  });

  it('S1, W1: the api role may export, the agent role may not', async () => {
    const apiUser = await api.loginAs('api');
    expect((await get(`/api/v2/dialer/${campaignId}/attempts/export`, {}, apiUser)).status).to.equal(200);
    const agent = await api.loginAs('agent');
    expect((await api.call('GET', `/api/v2/dialer/${campaignId}/attempts/export`, undefined, agent)).status).to.equal(403);
    expect((await api.call('GET', '/api/v2/attempts/export?from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z', undefined, agent)).status).to.equal(403);
  });

  it('Q1, Q2: the OpenAPI document declares the export and report routes with their roles, query and content types', async () => {
    const doc = (await api.call('GET', '/api/openapi.json', undefined, null)).body;
    const one = doc.paths['/api/v2/dialer/{id}/attempts/export'].get;
    expect(one['x-roles']).to.deep.equal(['admin', 'operator', 'api']);
    expect(Object.keys(one.responses['200'].content)).to.deep.equal(['text/csv', 'application/x-ndjson']);
    expect(one.parameters.map((p: { name: string }) => p.name)).to.include.members(['id', 'format', 'sep', 'from', 'to']);
    const all = doc.paths['/api/v2/attempts/export'].get;
    expect(all.parameters.filter((p: { required: boolean }) => p.required).map((p: { name: string }) => p.name)).to.have.members(['from', 'to']);
    const report = doc.paths['/api/v2/dialer/{id}/reports'].get;
    expect(report['x-roles']).to.deep.equal(['admin', 'operator']);
    expect(report.responses['200'].content['application/json'].schema.properties).to.include.keys('buckets', 'totals', 'timezone');
  });

  it('Q1: a client that goes away mid-export ends the query on the server, and its interruption is no error: nothing uncaught, nothing logged, the pool stays usable', async () => {
    const db = api.tdb.db;
    const m = await db('members').where('campaign_id', otherId).first('id');
    // Far more than the socket buffers hold, so the export is still running when the client leaves.
    await db.raw(`INSERT INTO attempts (campaign_id, member_id, communication_id, number, state, created_at, outcome, comment)
      SELECT ?, ?, 2, '0670000000', 'done', TIMESTAMPADD(SECOND, seq, '2026-11-01'), 'retry', REPEAT('x', 500) FROM seq_1_to_60000`, [otherId, m.id]);
    const running = async () => {
      const [rows] = await db.raw("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND INFO LIKE 'SELECT STRAIGHT_JOIN a.id%'");
      return Number(rows[0].n);
    };
    // The killed query's "interrupted" answer arrives late, at a moment that varies from run to run:
    // the scenario is repeated so that each of those moments is met, and what reaches the process
    // (an uncaught error, the pool's "Connection Error" line) is watched.
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => { uncaught.push(err); };
    const printed: string[] = [];
    const { log, warn, error } = console;
    const watch = (orig: (...a: unknown[]) => void) => (...a: unknown[]) => { printed.push(a.map(String).join(' ')); orig(...a); };
    process.prependListener('uncaughtException', onUncaught);
    console.log = watch(log); console.warn = watch(warn); console.error = watch(error);
    try {
      for (let round = 0; round < 6; round++) {
        const ac = new AbortController();
        const res = await fetch(`${api.url}/api/v2/dialer/${otherId}/attempts/export`,
          { headers: { 'x-key': api.admin.key, 'x-access-token': api.admin.token }, signal: ac.signal });
        try {
          await res.body!.getReader().read();
          expect(await running()).to.equal(1);
        } finally {
          ac.abort(); // also when an assertion fails, so the server can close
        }
        for (let i = 0; i < 200 && (await running()) > 0; i++) await new Promise((r) => setTimeout(r, 50));
        expect(await running()).to.equal(0);
        // The connections the export used are taken again: whole exports still come out right.
        const whole = await get(`/api/v2/dialer/${campaignId}/attempts/export?format=ndjson`);
        expect(whole.status).to.equal(200);
        expect((await whole.text()).trim().split('\n')).to.have.length(2);
      }
      await new Promise((r) => setTimeout(r, 300));
      const again = await get(`/api/v2/dialer/${campaignId}/attempts/export?format=ndjson`);
      expect((await again.text()).trim().split('\n')).to.have.length(2);
    } finally {
      process.removeListener('uncaughtException', onUncaught);
      console.log = log; console.warn = warn; console.error = error;
    }
    expect(uncaught.map(String)).to.deep.equal([]);
    expect(printed.filter((p) => /Connection Error|interrupted/i.test(p))).to.deep.equal([]);
  });
});
