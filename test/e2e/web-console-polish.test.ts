import { expect } from 'chai';
import type { Page, Route } from 'playwright-core';
import { TEST_ADMIN, type TestApi } from '../helpers/http-api.js';
import { seriousAxeFindings } from '../helpers/axe.js';
import { ensureWebBuild, launchBrowser, loginThroughForm, startWebApi, type TestBrowser, type WebApi } from '../helpers/web-browser.js';

/*
 * Issue 13 §3, the supervisor console's rough edges, in Chromium against the REST API (no
 * engine): a late answer of a page left, notices across pages, the rows while the live feed
 * is down, and the words of hints and field errors.
 */
const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

describe('web client in the browser: issue 13 §3 rough edges', function () {
  this.timeout(120_000);
  let w: WebApi;
  let api: TestApi;
  let b: TestBrowser;
  let campaignId = 0;
  let calendarId = 0;

  before(async () => {
    ensureWebBuild();
    w = await startWebApi('web_polish');
    api = w.api;
    const cal = await api.call('POST', '/api/v2/calendars', { name: 'Always', timezone: 'UTC',
      windows: [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start: '00:00', end: '24:00' })) });
    calendarId = cal.body.id;
    const c = await api.call('POST', '/api/v2/dialer', { name: 'Autumn', calendar_id: calendarId, limit: 3 });
    campaignId = c.body.id;
    const a = await api.call('POST', '/api/v2/agents', { name: 'Petro', sip_user: '2001@pbx.example.com' });
    await api.call('POST', `/api/v2/dialer/${campaignId}/tiers`, { agent_id: a.body.id, level: 2 });
    b = await launchBrowser();
    b.page.on('dialog', (d) => void d.accept());
    await loginThroughForm(b.page, api.url, TEST_ADMIN.username, TEST_ADMIN.password);
  });
  afterEach(async function () {
    await b?.shotIfFailed(this.currentTest, 'failed-polish');
  });
  after(async () => {
    await b?.close();
    await w?.close();
  });

  it('issue 13 §3: a campaign\'s late "Agents of this campaign" answer never renders into the members page opened meanwhile', async () => {
    const { page } = b;
    // The campaign page's tiers answer is held until the members page is on screen.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let seen!: () => void;
    const asked = new Promise<void>((r) => (seen = r));
    const tiers = `**/api/v2/dialer/${campaignId}/tiers`;
    const hold = async (route: Route) => {
      seen();
      await held;
      await route.continue();
    };
    await page.route(tiers, hold);
    await nav(page, 'Campaigns').click();
    await page.getByRole('link', { name: 'Autumn', exact: true }).click();
    await asked;
    await page.getByRole('link', { name: 'Members', exact: true }).click();
    await page.getByRole('heading', { name: /Members/ }).first().waitFor();
    const late = page.waitForResponse((r) => r.url().endsWith(`/api/v2/dialer/${campaignId}/tiers`));
    release();
    await late;
    // Whatever the campaign page still does with its answer happens after it: let it run.
    await page.evaluate(() => new Promise((r) => setTimeout(r, 50)));
    await page.unroute(tiers, hold);
    expect(await page.getByRole('heading', { name: 'Agents of this campaign' }).count()).to.equal(0);
    expect(await page.locator('#main h1').allTextContents()).to.have.length(1);
    await b.shot('polish-01-late-answer');
  });

  it('issue 13 §3: a success notice does not follow to the next page nor stand beside a later inline error; a delete\'s notice reaches the list', async () => {
    const { page } = b;
    const notice = page.locator('#notice');
    await page.goto(`${api.url}/campaigns/${campaignId}`);
    await page.getByRole('button', { name: 'Save campaign' }).click();
    await notice.filter({ hasText: 'Campaign "Autumn" saved' }).waitFor();
    // The same form, now refused: the "saved" is withdrawn.
    await page.getByLabel('Limit', { exact: true }).fill('0');
    await page.getByRole('button', { name: 'Save campaign' }).click();
    await page.locator('[aria-invalid="true"]').first().waitFor();
    expect(await notice.textContent()).to.equal('');
    await page.getByLabel('Limit', { exact: true }).fill('3');
    await page.getByRole('button', { name: 'Save campaign' }).click();
    await notice.filter({ hasText: 'saved' }).waitFor();
    await nav(page, 'Agents').click();
    await page.getByRole('heading', { name: 'Agents', exact: true }).waitFor();
    expect(await notice.textContent()).to.equal('');
    // The action that leads to another page keeps its word there.
    const spare = await api.call('POST', '/api/v2/dialer', { name: 'Spare', calendar_id: calendarId, limit: 1 });
    expect(spare.status, JSON.stringify(spare.body)).to.equal(201);
    await page.goto(`${api.url}/campaigns/${spare.body.id}`);
    await page.getByRole('button', { name: 'Delete campaign Spare' }).click();
    await page.waitForURL(/\/campaigns$/);
    await notice.filter({ hasText: 'Campaign "Spare" deleted' }).waitFor();
  });

  it('issue 13 §3: field errors and hints speak the supervisor\'s words: the field\'s label, no rule codes, no validator wording', async () => {
    const { page } = b;
    await page.goto(`${api.url}/campaigns/${campaignId}`);
    const limit = page.getByLabel('Limit', { exact: true });
    await limit.fill('0');
    await page.getByLabel('Max tries').fill('');
    await page.getByRole('button', { name: 'Save campaign' }).click();
    const err = page.locator(`#${await limit.getAttribute('id')}-err`);
    await err.waitFor();
    expect(await err.textContent()).to.equal('Limit must be at least 1.');
    const form = (await page.locator('form').first().textContent())!;
    expect(form).to.not.match(/Too small|expected number|>=|Invalid input/);
    expect(form).to.not.match(/\([A-Z]\d+\)|\b[A-Z]\d+:/);
    await b.shot('polish-02-plain-words');
  });

  it('issue 13 §3: while the live feed is down, rows say their state is the last known one, not "running"', async () => {
    const { page } = b;
    await api.call('POST', `/api/v2/dialer/${campaignId}/run`);
    await nav(page, 'Live boards').click();
    const state = page.locator(`#campaign-${campaignId} .state`);
    await state.filter({ hasText: /^running$/ }).waitFor();
    // The stream closes as when the tab goes to the back/forward cache, and cannot come back.
    await page.route('**/api/v2/live/ticket', (r) => r.abort());
    await page.evaluate(() => window.dispatchEvent(new Event('pagehide')));
    await page.locator('#live-status', { hasText: 'Live: offline' }).waitFor();
    await state.filter({ hasText: 'running (last known)' }).waitFor();
    expect(await state.getAttribute('class')).to.equal('state unknown');
    await b.shot('polish-03-offline');
    await page.unroute('**/api/v2/live/ticket');
    await page.reload();
    await state.filter({ hasText: /^running$/ }).waitFor();
    await api.call('POST', `/api/v2/dialer/${campaignId}/stop`);
  });
  it('issue 13 §3, M6: the CSV wizard finds a Cyrillic header and maps from it; ticking "header" keeps the mapping; after the upload: Run campaign', async () => {
    const { page } = b;
    await page.goto(`${api.url}/campaigns/${campaignId}/import`);
    const csv = 'ФИО;Телефон;Город\nАнна Коваль;+380501112233;Київ\nБорис;+380501112244;Львів\n';
    await page.getByLabel('CSV file').setInputFiles({ name: 'клиенты.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('cell', { name: 'Борис', exact: true }).waitFor();
    const header = page.getByLabel('First line is a header (skip it)');
    expect(await header.isChecked()).to.equal(true);
    expect(await page.getByLabel('Column "ФИО" is').inputValue()).to.equal('name');
    expect(await page.getByLabel('Column "Телефон" is').inputValue()).to.equal('number');
    // Not a variable name the server takes: left for the user to map.
    expect(await page.getByLabel('Column "Город" is').inputValue()).to.equal('-');
    await page.getByLabel('Column "Город" is').selectOption('var');
    await page.getByLabel('Variable name for column "Город"').fill('city');
    // Unticked and ticked again: the rows change, the mapping made by hand does not.
    await header.uncheck();
    await page.getByRole('cell', { name: 'ФИО', exact: true }).waitFor();
    expect(await page.getByLabel('Column 1 is').inputValue()).to.equal('name');
    expect(await page.getByLabel('Column 2 is').inputValue()).to.equal('number');
    expect(await page.getByLabel('Variable name for column 3').inputValue()).to.equal('city');
    await header.check();
    await page.getByLabel('Column "ФИО" is').waitFor();
    expect(await page.getByLabel('Variable name for column "Город"').inputValue()).to.equal('city');
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.locator('#import-summary', { hasText: '2 member(s) added, 0 line(s) rejected.' }).waitFor();
    await page.locator('#import-next').getByRole('link', { name: 'Back to campaign' }).waitFor();
    await b.shot('polish-04-import-next');
    await page.locator('#import-next').getByRole('button', { name: 'Run campaign' }).click();
    await page.waitForURL(new RegExp(`/campaigns/${campaignId}$`));
    expect((await api.call('GET', `/api/v2/dialer/${campaignId}`)).body.state).to.equal('running');
    const m = await api.call('GET', `/api/v2/dialer/${campaignId}/members`);
    expect(m.body.items.map((x: any) => [x.name, x.variables.city])).to.deep.equal([['Анна Коваль', 'Київ'], ['Борис', 'Львів']]);
    await api.call('POST', `/api/v2/dialer/${campaignId}/stop`);
  });
  it('issue 13 §3: axe finds nothing serious or critical on the main pages (badges, action columns, forms)', async () => {
    const { page } = b;
    // Colours of every badge on the board: running and stopping campaigns, agents Available and On Break.
    const other = await api.call('POST', '/api/v2/dialer', { name: 'Winter', calendar_id: calendarId, limit: 2 });
    await api.call('POST', `/api/v2/dialer/${campaignId}/run`);
    const agents = (await api.call('GET', '/api/v2/agents')).body as Array<{ id: number }>;
    await api.call('PUT', `/api/v2/agents/${agents[0]!.id}/status`, { status: 'Available' });
    const b2 = await api.call('POST', '/api/v2/agents', { name: 'Olena', sip_user: '2002@pbx.example.com' });
    await api.call('PUT', `/api/v2/agents/${b2.body.id}/status`, { status: 'On Break' });
    const pages = ['/', '/campaigns', `/campaigns/${campaignId}`, `/campaigns/${campaignId}/members`, `/campaigns/${campaignId}/import`,
      '/calendars', `/calendars/${calendarId}`, '/line-groups', '/agents', `/agents/${b2.body.id}`, '/dnc', '/users'];
    const found: Record<string, unknown> = {};
    for (const path of pages) {
      await page.goto(`${api.url}${path}`);
      await page.locator('#main h1').first().waitFor();
      if (path === '/') await page.locator(`#campaign-${campaignId} .state`, { hasText: /^running$/ }).waitFor();
      const f: unknown[] = await seriousAxeFindings(page);
      // A header cell says what its column holds, to screen readers at least (axe's empty-table-header).
      const empty = await page.locator('th').evaluateAll((ths) => ths.filter((t) => !t.textContent?.trim()).length);
      if (empty) f.push(`${empty} empty table header(s)`);
      if (f.length) found[path] = f;
    }
    await api.call('POST', `/api/v2/dialer/${campaignId}/stop`);
    await api.call('DELETE', `/api/v2/dialer/${other.body.id}`);
    expect(found).to.deep.equal({});
  });
  it('issue 13 §3: the queue dashboard loads nothing from outside this server and offers no Clean all / Promote all; changes are refused', async () => {
    const { page } = b;
    await w.queue.add('wake', { campaign_id: campaignId }, { delay: 3_600_000, jobId: 'polish-wake' });
    const outside: string[] = [];
    const watch = (r: { url(): string }) => {
      if (!r.url().startsWith(api.url) && !r.url().startsWith('data:')) outside.push(r.url());
    };
    page.on('request', watch);
    await page.goto(`${api.url}/admin/queues/queue/${w.queue.name}?status=delayed`);
    await page.getByText('polish-wake').first().waitFor();
    await b.shot('polish-05-queues');
    page.off('request', watch);
    expect(outside).to.deep.equal([]);
    expect(await page.getByRole('button', { name: /clean all|promote all|retry all|delete/i }).count()).to.equal(0);
    const promote = await page.request.put(`${api.url}/admin/queues/api/queues/${w.queue.name}/promote`);
    expect(promote.status()).to.equal(405);
    expect(await w.queue.getJobState('polish-wake')).to.equal('delayed');
  });
  it('issue 13 §2: the main pages fit 1366×768 and a 390 px phone without horizontal scrolling', async () => {
    const { page } = b;
    // Rows on every page: a running campaign with a reason, members, agents.
    await api.call('POST', `/api/v2/dialer/${campaignId}/members`, [{ name: 'A rather long member name for a narrow screen', communications: [{ number: '+380501234567' }] }]);
    await api.call('POST', `/api/v2/dialer/${campaignId}/run`);
    const spill: Record<string, number> = {};
    for (const [width, height] of [[1366, 768], [390, 844]] as const) {
      await page.setViewportSize({ width, height });
      for (const path of ['/', '/wallboard', '/campaigns', `/campaigns/${campaignId}`, `/campaigns/${campaignId}/members`, `/campaigns/${campaignId}/import`, '/agents', '/calendars']) {
        await page.goto(`${api.url}${path}`);
        await page.locator('#main h1').first().waitFor({ state: 'attached' });
        if (path === '/' || path === '/wallboard') await page.locator('#live-status, #wallboard-stamp').filter({ hasText: /live/i }).first().waitFor({ state: 'attached' });
        const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        if (over > 0) spill[`${width} ${path}`] = over;
      }
      await b.shot(`polish-06-board-${width}`);
    }
    await page.setViewportSize({ width: 1360, height: 900 });
    await api.call('POST', `/api/v2/dialer/${campaignId}/stop`);
    expect(spill).to.deep.equal({});
  });

  it('issue 13 §2: the wallboard shows large live figures and no controls; Escape goes back to the boards', async () => {
    const { page } = b;
    await api.call('POST', `/api/v2/dialer/${campaignId}/run`);
    await page.goto(`${api.url}/`);
    await page.getByRole('link', { name: 'Wallboard (full screen)' }).click();
    const tile = page.locator(`#wall-campaign-${campaignId}`);
    await tile.locator('.state', { hasText: 'running' }).waitFor();
    expect(await page.getByRole('navigation').count()).to.equal(0);
    expect(await page.locator('#main').getByRole('button').count()).to.equal(0);
    expect(await page.locator('#main').getByRole('link').count()).to.equal(0);
    const size = await page.locator('#wallboard-kpis .kpi-value').first().evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
    expect(size).to.be.at.least(40);
    expect(await tile.locator('[data-kpi="remaining"] .kpi-value').textContent()).to.match(/^\d+$/);
    // Each figure says what it counts.
    const titles = await page.locator('.kpi').evaluateAll((ks) => ks.map((k) => k.getAttribute('title') ?? ''));
    expect(titles.every((t) => t.length > 12), JSON.stringify(titles)).to.equal(true);
    await b.shot('polish-07-wallboard');
    await page.keyboard.press('Escape');
    await page.getByRole('heading', { name: 'Live boards' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).to.equal(true);
    await api.call('POST', `/api/v2/dialer/${campaignId}/stop`);
  });

  it('issue 13 §2: agents sort naturally (Agent 2 before Agent 10), with counts by state on top and registration as yes/no', async () => {
    const { page } = b;
    for (const n of [10, 2, 1]) await api.call('POST', '/api/v2/agents', { name: `Agent ${n}`, sip_user: `30${n}@pbx.example.com` });
    await page.goto(`${api.url}/`);
    await page.locator('#agents-board th', { hasText: 'Agent 10' }).waitFor();
    const names = (await page.locator('#agents-board th a').allTextContents()).filter((t) => t.startsWith('Agent '));
    expect(names).to.deep.equal(['Agent 1', 'Agent 2', 'Agent 10']);
    expect(await page.locator('#agents-summary').textContent()).to.match(/In a call 0 · Waiting \d+ · Other state \d+ · On Break \d+ · Logged Out \d+/);
    expect(await page.locator('#agents-board [data-k="registered"]').allTextContents()).to.satisfy((x: string[]) => x.every((t) => t === 'no'));
    // An Available agent waiting for a call: for how long, ticking on the page.
    const petro = page.locator('#agents-board tr', { hasText: 'Petro' });
    await api.call('PUT', `/api/v2/agents/${(await api.call('GET', '/api/v2/agents')).body.find((a: any) => a.name === 'Petro').id}/status`, { status: 'Available' });
    await petro.locator('[data-k="in-state"]', { hasText: /^\d+:\d\d$/ }).waitFor();
    // No countdown on agents without a running delay.
    expect(await page.locator('#agents-board [data-k="ready-in"]').allTextContents()).to.satisfy((x: string[]) => x.every((t) => t === ''));
    // Every figure of the campaigns board has its definition.
    const heads = await page.locator('#campaigns-board').locator('xpath=..').locator('thead th').evaluateAll((ths) =>
      ths.map((t) => [t.textContent, t.querySelector('abbr')?.getAttribute('title') ?? null]));
    for (const [name, def] of heads.slice(1, -1)) expect(def, `definition of ${name}`).to.be.a('string').and.not.equal('');
  });
  it('issue 13 C: the members page shows each member\'s next try, and a call-backs view lists those waiting for a time a result status set', async () => {
    const { page } = b;
    const c = await api.call('POST', '/api/v2/dialer', { name: 'Callbacks', calendar_id: calendarId, limit: 1 });
    const ids: number[] = (await api.call('POST', `/api/v2/dialer/${c.body.id}/members`, [
      { name: 'Call me back', communications: [{ number: '+380501110001' }] },
      { name: 'Retry later', communications: [{ number: '+380501110002' }] },
      { name: 'Due now', communications: [{ number: '+380501110003' }] },
    ])).body.ids;
    const db = api.tdb.db;
    for (const mid of ids.slice(0, 2)) {
      const comm = await db('communications').where('member_id', mid).first();
      await db('attempts').insert({ campaign_id: c.body.id, member_id: mid, communication_id: comm.id, number: comm.number, state: 'done',
        created_at: new Date(), hangup_cause: 'NO_ANSWER', outcome: 'retry' });
    }
    // The first: the agent's result status asks for a call in an hour. The second: a plain retry wait.
    const st = await api.call('PUT', `/api/v2/dialer/${c.body.id}/members/${ids[0]}/status`, { success: false, next_after_sec: 3600 });
    expect(st.status, JSON.stringify(st.body)).to.equal(200);
    await db('members').where('id', ids[1]).update({ ready_at: new Date(Date.now() + 600_000) });
    await page.goto(`${api.url}/campaigns/${c.body.id}/members`);
    const next = (mid: number) => page.locator(`#member-${mid} [data-k="next-try"]`).textContent();
    await page.locator(`#member-${ids[2]}`).waitFor();
    expect(await next(ids[2]!)).to.equal('now');
    for (const mid of ids.slice(0, 2)) expect(await next(mid)).to.match(/\d/);
    await page.getByRole('button', { name: 'Show call-backs' }).click();
    await page.locator(`#member-${ids[1]}`).waitFor({ state: 'detached' });
    const shown = async () => (await page.locator('tbody tr[id^="member-"]').evaluateAll((rows) => rows.map((r) => r.id)));
    expect(await shown()).to.deep.equal([`member-${ids[0]}`]);
    await b.shot('polish-08-call-backs');
    await page.getByLabel('Waiting').selectOption('later');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.locator(`#member-${ids[1]}`).waitFor();
    expect(await shown()).to.deep.equal([`member-${ids[0]}`, `member-${ids[1]}`]);
  });
  it('issue 13 §2: the dial level shows the live calls against the limit, the line group\'s lines in use and the agents available', async () => {
    const { page } = b;
    const g = await api.call('POST', '/api/v2/line-groups', { name: 'Trunk K', capacity: 4 });
    const c = await api.call('POST', '/api/v2/dialer', { name: 'Levels', calendar_id: calendarId, limit: 2, line_group_id: g.body.id });
    const a = await api.call('POST', '/api/v2/agents', { name: 'Marta', sip_user: '4001@pbx.example.com' });
    await api.call('POST', `/api/v2/dialer/${c.body.id}/tiers`, { agent_id: a.body.id, level: 1 });
    await api.call('PUT', `/api/v2/agents/${a.body.id}/status`, { status: 'Available' });
    // Marta's phone registered on a node, as the FreeSWITCH adapter records it.
    await api.tdb.db('registrations').insert({ sip_user: '4001@pbx.example.com', node: 'fs1', contact: 'sip:4001@10.0.0.9' });
    await page.goto(`${api.url}/`);
    const level = page.locator(`#campaign-${c.body.id} [data-k="dial-level"]`);
    await level.waitFor();
    expect(await level.textContent()).to.equal('lines 0/4 in Trunk K · 1 agent(s) available');
    expect(await page.locator(`#campaign-${c.body.id} [data-k="live"]`).textContent()).to.match(/^0 \/ 2 /);
    // Registered: "yes" at a glance, the node and contact when opened.
    const reg = page.locator(`#agent-${a.body.id} [data-k="registered"]`);
    expect(await reg.locator('summary').textContent()).to.equal('yes');
    expect(await reg.getByText('sip:4001@10.0.0.9').isVisible()).to.equal(false);
    await reg.locator('summary').click();
    await reg.getByText('sip:4001@10.0.0.9').waitFor();
    expect(await reg.textContent()).to.include('on fs1');
    // Next due: none while the campaign has no ready member; then the earliest one's time.
    const due = page.locator(`#campaign-${c.body.id} [data-k="next-due"]`);
    expect(await due.textContent()).to.equal('—');
    const later = new Date(Date.now() + 3 * 3600_000);
    await api.call('POST', `/api/v2/dialer/${c.body.id}/members`, [{ name: 'Later', communications: [{ number: '+380501119999' }] }]);
    await api.tdb.db('members').where('campaign_id', c.body.id).update({ ready_at: later });
    await page.reload();
    const shown = later.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    await due.filter({ hasText: shown }).waitFor();
    await api.call('DELETE', `/api/v2/dialer/${c.body.id}`);
  });
});
