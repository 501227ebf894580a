import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { seriousAxeFindings } from '../helpers/axe.js';
import { TEST_ADMIN, type TestApi } from '../helpers/http-api.js';
import { seeder } from '../helpers/seed.js';
import { ensureWebBuild, launchBrowser, loginThroughForm, startWebApi, type TestBrowser, type WebApi } from '../helpers/web-browser.js';

/** A chart's table as rows of cell texts: the row's heading, then its figures. */
async function tableRows(page: Page, id: string): Promise<string[][]> {
  return page.locator(`#${id} tbody tr`).evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')));
}

const wall = (local: string) => local.replace('T', ' ').replace(/[+-]\d\d:\d\d$/, '');
const pct = (r: number | null) => (r === null ? '–' : (Math.round(r * 1000) / 10).toFixed(1));

/*
 * Q4: the reports page in Chromium against the REST API (no engine): the charts show what
 * GET …/reports and GET /agents/reports answered for the chosen days in the campaign's zone,
 * the CSV is the export's, the chart library is loaded with this page only, axe finds nothing serious.
 */
describe('web client in the browser: report charts (Q4)', function () {
  this.timeout(120_000);
  let w: WebApi;
  let api: TestApi;
  let b: TestBrowser;
  let campaignId = 0;
  let calendarId = 0;

  before(async () => {
    ensureWebBuild();
    w = await startWebApi('web_reports');
    api = w.api;
    const cal = await api.call('POST', '/api/v2/calendars', { name: 'Kyiv', timezone: 'Europe/Kyiv',
      windows: [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start: '00:00', end: '24:00' })) });
    const c = await api.call('POST', '/api/v2/dialer', { name: 'Осінь; "Autumn"', calendar_id: cal.body.id, limit: 3 });
    campaignId = c.body.id;
    calendarId = cal.body.id;
    const db = api.tdb.db;
    const [member] = await seeder(db).members(campaignId, 1);
    const [agent] = await seeder(db).agents(1, [campaignId]);
    // Europe/Kyiv falls back at 01:00 UTC on 2026-10-25 (04:00 EEST → 03:00 EET).
    const at = (iso: string, o: Record<string, unknown>) => ({ campaign_id: campaignId, member_id: member, communication_id: 1,
      number: '380501234567', state: 'done', agent_id: agent, created_at: new Date(iso), ...o });
    const answered = (iso: string, talk: number, outcome: string) => at(iso, { agent_answered_at: new Date(Date.parse(iso) + 2000),
      answered_at: new Date(Date.parse(iso) + 5000), ended_at: new Date(Date.parse(iso) + 5000 + talk * 1000), talk_sec: talk, outcome });
    await db('attempts').insert([
      answered('2026-10-24T06:10:00Z', 60, 'success'),
      answered('2026-10-24T06:20:00Z', 30, 'retry'),
      at('2026-10-24T06:40:00Z', { ended_at: new Date('2026-10-24T06:40:30Z'), talk_sec: 0, outcome: 'retry', hangup_cause: 'NO_ANSWER' }),
      answered('2026-10-25T00:30:00Z', 45, 'success'),
      answered('2026-10-25T01:30:00Z', 20, 'success'),
      at('2026-10-25T09:00:00Z', { ended_at: new Date('2026-10-25T09:00:20Z'), talk_sec: 0, outcome: 'retry', hangup_cause: 'USER_BUSY' }),
    ]);
    const status = (iso: string, state: string, s = 'Available') => db('agents').where('id', agent).update({ status: s, state, updated_at: new Date(iso) });
    await status('2026-10-24T05:50:00Z', 'Waiting', 'Logged Out');
    await status('2026-10-24T06:00:00Z', 'Waiting');
    await status('2026-10-24T06:10:00Z', 'In a queue call');
    await status('2026-10-24T06:25:00Z', 'Wrap up');
    await status('2026-10-24T06:30:00Z', 'Waiting');
    await status('2026-10-24T07:00:00Z', 'Waiting', 'On Break');
    await status('2026-10-24T07:30:00Z', 'Waiting', 'Logged Out');
    b = await launchBrowser();
    await loginThroughForm(b.page, api.url, TEST_ADMIN.username, TEST_ADMIN.password);
  });
  afterEach(async function () {
    await b?.shotIfFailed(this.currentTest, 'failed-reports');
  });
  after(async () => {
    await b?.close();
    await w?.close();
  });

  it('Q4, Q2, K2: the charts\' tables show the figures the API gives for the chosen days in the campaign\'s zone, across a DST change', async () => {
    const { page } = b;
    const loaded = () => page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => /\/assets\/reports-/.test(n)));
    expect(await loaded(), 'the chart library is not loaded with the other pages').to.deep.equal([]);
    await page.getByRole('link', { name: 'Campaigns', exact: true }).click();
    await page.locator(`a[href="/campaigns/${campaignId}/reports"]`).click();
    await page.getByRole('heading', { name: 'Reports: Осінь; "Autumn"' }).waitFor();
    expect((await loaded()).length, 'the reports page brings its chunk').to.be.greaterThan(0);
    await page.getByText('Europe/Kyiv (its calendar\'s)').waitFor();

    await page.getByLabel('From (first day)').fill('2026-10-24');
    await page.getByLabel('To (last day, included)').fill('2026-10-25');
    await page.getByLabel('Interval').selectOption('hour');
    await page.getByRole('button', { name: 'Show' }).click();
    // Midnight of 24 October in Kyiv (+03:00) to midnight after the 25th (+02:00 by then): 49 hours.
    const q = `interval=hour&from=2026-10-23T21:00:00.000Z&to=2026-10-25T22:00:00.000Z`;
    const first = page.locator('#report-attempts tbody tr').first();
    await first.getByText('2026-10-24 00:00').waitFor();

    const rep = (await api.call('GET', `/api/v2/dialer/${campaignId}/reports?${q}`)).body;
    expect(rep.buckets).to.have.length(49);
    const attempts = await tableRows(page, 'report-attempts');
    expect(attempts).to.deep.equal(rep.buckets.map((x: any) => [wall(x.local), String(x.attempts), String(x.answered), String(x.successful)]));
    // The fall-back repeats 03:00: two rows, as the API has two buckets.
    expect(attempts.filter((r) => r[0] === '2026-10-25 03:00')).to.have.length(2);
    expect(attempts.reduce((n, r) => n + Number(r[1]), 0)).to.equal(6);
    const rates = await tableRows(page, 'report-rates');
    expect(rates).to.deep.equal(rep.buckets.map((x: any) => [wall(x.local), pct(x.success_rate), pct(x.contact_rate)]));
    expect(await page.locator('p.totals').textContent()).to.contain('6 attempts, 4 answered');

    const ag = (await api.call('GET', `/api/v2/agents/reports?${q}&zone=Europe%2FKyiv`)).body;
    const occ = await tableRows(page, 'report-occupancy');
    expect(occ).to.have.length(49);
    const want = ag.agents[0].buckets.map((x: any, i: number) => {
      const work = ag.agents.reduce((n: number, a: any) => n + a.buckets[i].talking_sec + a.buckets[i].wrap_up_sec, 0);
      const workable = ag.agents.reduce((n: number, a: any) => n + a.buckets[i].logged_in_sec - a.buckets[i].break_sec, 0);
      return [wall(x.local), workable > 0 ? (Math.round((work / workable) * 1000) / 10).toFixed(1) : '–'];
    });
    expect(occ).to.deep.equal(want);
    // 09:00–10:00 local: 10 min available, 15 talking, 5 wrap-up, 30 available: 20 of 60 minutes.
    expect(occ.find((r) => r[0] === '2026-10-24 09:00')).to.deep.equal(['2026-10-24 09:00', '33.3']);

    // The charts are drawn (uPlot canvases), labelled with units, and a text alternative points to the tables.
    for (const id of ['report-attempts', 'report-rates', 'report-occupancy']) {
      const fig = page.locator('figure.chart', { has: page.locator(`#${id}`) });
      expect(await fig.locator('canvas').count(), id).to.be.greaterThan(0);
      expect(await fig.locator('[role="img"]').getAttribute('aria-label'), id).to.contain('the table below has the figures');
    }
    expect(await page.locator('figure.chart', { has: page.locator('#report-attempts') }).locator('.u-legend').textContent())
      .to.contain('Successful (attempts)');
    expect(await page.locator('#report-forecast').textContent()).to.contain('No forecast');
    const axe = await seriousAxeFindings(page);
    expect(axe, JSON.stringify(axe, null, 1)).to.deep.equal([]);
    await b.shot('reports-01-charts');
  });

  it('Q4, Q1: the CSV download is the export of the chosen days; a bad range is named at its field', async () => {
    const { page } = b;
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the attempts (CSV)' }).click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    const direct = await fetch(`${api.url}/api/v2/dialer/${campaignId}/attempts/export?format=csv&from=2026-10-23T21:00:00.000Z&to=2026-10-25T22:00:00.000Z`,
      { headers: { 'X-Key': api.admin.key, 'X-Access-Token': api.admin.token } });
    expect(csv).to.equal(await direct.text());
    expect(csv.trim().split('\r\n')).to.have.length(7);
    expect(csv).to.contain('"Осінь; ""Autumn"""');

    await page.getByLabel('To (last day, included)').fill('2026-10-20');
    await page.getByRole('button', { name: 'Show' }).click();
    const to = page.getByLabel('To (last day, included)');
    await page.locator('[aria-invalid="true"]').first().waitFor();
    expect(await to.getAttribute('aria-invalid')).to.equal('true');
    await page.getByLabel('To (last day, included)').fill('2026-12-31');
    await page.getByLabel('Interval').selectOption('15min');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator('.form-errors').getByText('problem').waitFor();
    expect(await to.getAttribute('aria-invalid')).to.equal('true');
  });

  it('Q4, Q2, P4: a predictive campaign\'s report shows its abandon rate per bucket and in the range beside its cap', async () => {
    const { page } = b;
    const c = await api.call('POST', '/api/v2/dialer', { name: 'Predictive', calendar_id: calendarId, limit: 3, type: 'predictive',
      abandon_cap_pct: 3, abandon_target_pct: 2.4, info_message: 'dialer/abandon-info.wav' });
    expect(c.status, JSON.stringify(c.body)).to.equal(201);
    const id = c.body.id as number;
    const db = api.tdb.db;
    const [member] = await seeder(db).members(id, 1);
    const answered = (iso: string, cause: string) => ({ campaign_id: id, member_id: member, communication_id: 1, number: '380501234567',
      state: 'done', created_at: new Date(iso), answered_at: new Date(Date.parse(iso) + 5000), ended_at: new Date(Date.parse(iso) + 20_000),
      message_at: cause === 'ABANDONED' ? new Date(Date.parse(iso) + 5500) : null, hangup_cause: cause, talk_sec: 0, outcome: 'retry' });
    // 10:00 local (07:00 UTC): 1 of 4 answered abandoned; 11:00: none of 2; the preview skipped at 12:00 stays its own class
    await db('attempts').insert([
      answered('2026-10-24T07:05:00Z', 'ABANDONED'), ...['07:10', '07:20', '07:30'].map((t) => answered(`2026-10-24T${t}:00Z`, 'NORMAL_CLEARING')),
      answered('2026-10-24T08:05:00Z', 'NORMAL_CLEARING'), answered('2026-10-24T08:10:00Z', 'NORMAL_CLEARING'),
      { campaign_id: id, member_id: member, communication_id: 1, number: '380501234567', state: 'done', created_at: new Date('2026-10-24T09:00:00Z'),
        ended_at: new Date('2026-10-24T09:00:10Z'), outcome: 'skipped' },
    ]);
    await page.goto(`${api.url}/campaigns/${id}/reports`);
    await page.getByRole('heading', { name: 'Reports: Predictive' }).waitFor();
    await page.getByLabel('From (first day)').fill('2026-10-24');
    await page.getByLabel('To (last day, included)').fill('2026-10-24');
    await page.getByLabel('Interval').selectOption('hour');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator('#report-abandon tbody tr').first().getByText('2026-10-24 00:00').waitFor();

    const rep = (await api.call('GET', `/api/v2/dialer/${id}/reports?interval=hour&from=2026-10-23T21:00:00.000Z&to=2026-10-24T21:00:00.000Z`)).body;
    expect(rep.totals).to.deep.include({ answered: 6, abandoned: 1, abandon_rate: 0.1667 });
    expect(rep.totals.outcomes).to.deep.equal({ retry: 6, skipped: 1 });
    const rows = await tableRows(page, 'report-abandon');
    expect(rows).to.deep.equal(rep.buckets.map((x: any) => [wall(x.local), pct(x.abandon_rate), '3.0']));
    expect(rows.find((r) => r[0] === '2026-10-24 10:00')).to.deep.equal(['2026-10-24 10:00', '25.0', '3.0']);
    expect(rows.find((r) => r[0] === '2026-10-24 11:00')).to.deep.equal(['2026-10-24 11:00', '0.0', '3.0']);
    const attempts = await tableRows(page, 'report-attempts');
    expect(attempts.find((r) => r[0] === '2026-10-24 10:00')).to.deep.equal(['2026-10-24 10:00', '4', '4', '0', '1']);
    const text = await page.locator('#report-abandons').textContent();
    expect(text).to.contain('Abandon rate in the range: 16.7 % (1 abandoned of 6 answered)');
    expect(text).to.contain('cap 3.0 %, target 2.4 %');
    const axe = await seriousAxeFindings(page);
    expect(axe, JSON.stringify(axe, null, 1)).to.deep.equal([]);
    await b.shot('reports-02-abandons');

    // a progressive campaign's report has no abandon chart
    await page.goto(`${api.url}/campaigns/${campaignId}/reports`);
    await page.locator('#report-attempts').waitFor();
    expect(await page.locator('#report-abandon').count()).to.equal(0);
    expect(await page.locator('#report-abandons').count()).to.equal(0);
  });
});
