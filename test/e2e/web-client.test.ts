import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { webClient } from '../../src/adapters/http/web-routes.js';
import { LiveFeed } from '../../src/app/engine/live-feed.js';
import type { EngineSignals } from '../../src/app/ports/engine-signals.js';
import { startTestApi, TEST_ADMIN, type TestApi } from '../helpers/http-api.js';
import { ensureWebBuild, launchBrowser, type TestBrowser } from '../helpers/web-browser.js';

/*
 * The operator web client in Chromium against the REST API (no engine here; the run against
 * the simulator is web-live.test.ts). Each page is kept as a screenshot under test/artifacts/.
 */
const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

describe('web client in the browser: log in, edit, upload, browse', function () {
  this.timeout(120_000);
  let api: TestApi;
  let queue: Queue;
  let web: ReturnType<typeof webClient>;
  let b: TestBrowser;
  const feed = new LiveFeed();
  const signals: EngineSignals = {
    campaignChanged: (id) => feed.campaign(id),
    agentChanged: (id) => feed.agent(id),
    membersAdded: (id) => feed.campaign(id),
  };
  let campaignId = 0;

  before(async () => {
    ensureWebBuild();
    queue = new Queue('timers', { connection: { host: '127.0.0.1', port: 6379 }, prefix: `{web-t-${randomBytes(4).toString('hex')}}` });
    web = webClient({ feed, queues: [queue] });
    api = await startTestApi('web_client', { signals, extraRouters: web.routers });
    b = await launchBrowser();
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await b?.shot(`failed-${this.currentTest.title.slice(0, 20).replace(/\W+/g, '-')}`).catch(() => undefined);
  });
  after(async () => {
    await b?.close();
    web?.close();
    await api?.close();
    await queue?.close();
  });

  it('S1: a wrong password is refused on the form; the right one opens the live boards; no token in any URL', async () => {
    const { page } = b;
    const urls: string[] = [];
    page.on('request', (r) => urls.push(r.url()));
    await page.goto(`${api.url}/campaigns`);
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.getByLabel('Username').fill(TEST_ADMIN.username);
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'wrong username or password' }).waitFor();
    await b.shot('01-login-refused');
    // Keyboard only: focus is on the first invalid field or the form; Tab and Enter do the rest.
    await page.getByLabel('Username').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type(TEST_ADMIN.username);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Control+A');
    await page.keyboard.type(TEST_ADMIN.password);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Live boards' }).waitFor();
    await page.locator('#live-status', { hasText: 'Live: live' }).waitFor();
    await b.shot('02-boards-empty');
    const session = JSON.parse((await page.evaluate(() => sessionStorage.getItem('dialer.session')))!);
    expect(session.token).to.be.a('string');
    expect(urls.filter((u) => u.includes(session.token) || u.includes(encodeURIComponent(session.token)))).to.deep.equal([]);
    expect(urls.some((u) => u.includes('/api/v2/live?ticket='))).to.equal(true);
  });

  it('K1: a calendar with a bad window shows the API\'s message next to that field, then saves', async () => {
    const { page } = b;
    await nav(page, 'Calendars').click();
    await page.getByRole('link', { name: 'New calendar' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Office hours');
    await page.getByLabel('Time zone').fill('Europe/Kyiv');
    const end = page.getByLabel('Window 1: end');
    await end.fill('25:00');
    await page.getByRole('button', { name: 'Save calendar' }).click();
    await page.locator('[aria-invalid="true"]').first().waitFor();
    expect(await end.getAttribute('aria-invalid')).to.equal('true');
    const described = (await end.getAttribute('aria-describedby'))!.split(' ');
    const messages = await Promise.all(described.map((id) => page.locator(`#${id}`).textContent()));
    expect(messages.join(' ')).to.include('HH:MM');
    await b.shot('03-calendar-validation');
    await end.fill('18:00');
    await page.getByRole('button', { name: 'Add holiday' }).click();
    await page.getByLabel('Holiday 1: date').fill('2026-12-25');
    await page.getByLabel('Holiday 1: name').fill('Christmas');
    await page.getByLabel('Holiday 1: repeat yearly').check();
    await page.getByRole('button', { name: 'Save calendar' }).click();
    await page.waitForURL(/\/calendars\/\d+$/);
    await b.shot('04-calendar-saved');
    await nav(page, 'Calendars').click();
    await page.getByRole('link', { name: 'Office hours' }).waitFor();
    await b.shot('04b-calendars-list');
    const list = await api.call('GET', '/api/v2/calendars');
    expect(list.body[0]).to.deep.include({ name: 'Office hours', timezone: 'Europe/Kyiv' });
    expect(list.body[0].windows).to.have.length(5);
    expect(list.body[0].holidays).to.deep.equal([{ date: '2026-12-25', name: 'Christmas', repeat_yearly: true }]);
  });

  it('C3: a line group is created on its page', async () => {
    const { page } = b;
    await nav(page, 'Line groups').click();
    await page.getByLabel('Name', { exact: true }).fill('Trunk A');
    await page.getByLabel('Capacity (simultaneous calls)').fill('4');
    await page.getByRole('button', { name: 'Create line group' }).click();
    await page.getByRole('cell', { name: 'Trunk A', exact: true }).waitFor();
    await b.shot('05-line-groups');
    const g = await api.call('GET', '/api/v2/line-groups');
    expect(g.body.map((x: any) => [x.name, x.capacity])).to.deep.equal([['Trunk A', 4]]);
  });

  it('C1, C9: a campaign with every field and a remapped cause; a bad limit is shown next to Limit', async () => {
    const { page } = b;
    await nav(page, 'Campaigns').click();
    await page.getByRole('link', { name: 'New campaign' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Spring debts');
    await page.getByLabel('Outbound line group').selectOption({ label: 'Trunk A (4)' });
    await page.getByLabel('Priority').fill('5');
    const limit = page.getByLabel('Limit', { exact: true });
    await limit.fill('0');
    await page.getByLabel('Max tries').fill('4');
    await page.getByLabel('Retry wait, seconds').fill('120');
    await page.getByLabel('Minimum success duration, seconds').fill('7');
    await page.getByLabel('Wait for a result status').check();
    await page.getByLabel('Wrap-up for the result, seconds').fill('30');
    await page.getByLabel('Campaign variables (JSON object)').fill('{"queue": "debts"}');
    await page.getByLabel('USER_BUSY: minus').check();
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.locator('#' + (await limit.getAttribute('id')) + '-err').waitFor();
    expect(await limit.getAttribute('aria-invalid')).to.equal('true');
    expect(await page.locator('#' + (await limit.getAttribute('id')) + '-err').textContent()).to.match(/>=\s*1|at least 1|too small/i);
    await b.shot('06-campaign-validation');
    await limit.fill('2');
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.waitForURL(/\/campaigns\/\d+$/);
    campaignId = Number(new URL(page.url()).pathname.split('/').pop());
    const c = await api.call('GET', `/api/v2/dialer/${campaignId}`);
    expect(c.body).to.deep.include({ name: 'Spring debts', priority: 5, limit: 2, max_tries: 4, retry_wait_sec: 120, min_success_sec: 7,
      wait_result: true, wrapup_sec: 30, state: 'idle' });
    expect(c.body.variables).to.deep.equal({ queue: 'debts' });
    expect(c.body.causes.USER_BUSY).to.equal('minus');
    expect(c.body.causes.NO_ANSWER).to.equal('retry');
    // The grid shows the effective table again after a reload.
    await page.reload();
    expect(await page.getByLabel('USER_BUSY: minus').isChecked()).to.equal(true);
    await b.shot('07-campaign-saved');
    await nav(page, 'Campaigns').click();
    await page.getByRole('link', { name: 'Spring debts' }).waitFor();
    await b.shot('07b-campaigns-list');
  });

  it('A1: an agent is created and put on the campaign (tier)', async () => {
    const { page } = b;
    await nav(page, 'Agents').click();
    await page.getByRole('link', { name: 'New agent' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Olena');
    await page.getByLabel('SIP user').fill('1001@pbx.example.com');
    await page.getByLabel('Wrap-up, seconds').fill('5');
    await page.getByRole('button', { name: 'Create agent' }).click();
    await page.waitForURL(/\/agents\/\d+$/);
    await nav(page, 'Agents').click();
    await page.getByLabel('Status of Olena').waitFor();
    await b.shot('08a-agents-list');
    await page.goto(`${api.url}/campaigns/${campaignId}`);
    await page.getByRole('button', { name: 'Add agent to campaign' }).click();
    await page.getByRole('cell', { name: 'Olena', exact: true }).waitFor();
    await b.shot('08-campaign-tiers');
    const t = await api.call('GET', `/api/v2/dialer/${campaignId}/tiers`);
    expect(t.body.map((x: any) => x.agent_name)).to.deep.equal(['Olena']);
  });

  it('M6: the CSV wizard previews the columns, uploads with progress and lists the rejected line', async () => {
    const { page } = b;
    await page.goto(`${api.url}/campaigns/${campaignId}/import`);
    const csv = 'name;phone;debt\nAnna;+380501112233;100\nBad Bob;12x;5\nCyril;+380501112244;7\n';
    await page.getByLabel('Separator').selectOption(';');
    await page.getByLabel('First line is a header (skip it)').check();
    await page.getByLabel('CSV file').setInputFiles({ name: 'members.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('cell', { name: 'Bad Bob', exact: true }).waitFor();
    expect(await page.getByLabel('Column "name" is').inputValue()).to.equal('name');
    expect(await page.getByLabel('Column "phone" is').inputValue()).to.equal('number');
    expect(await page.getByLabel('Column "debt" is').inputValue()).to.equal('var');
    expect(await page.getByLabel('Variable name for column "debt"').inputValue()).to.equal('debt');
    await b.shot('09-import-preview');
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.locator('#import-summary').waitFor();
    expect(await page.locator('#import-summary').textContent()).to.equal('2 member(s) added, 1 line(s) rejected.');
    const rejected = await page.locator('#rejected-lines tbody tr').allTextContents();
    expect(rejected).to.have.length(1);
    expect(rejected[0]).to.match(/^3/);
    expect(rejected[0]).to.include('3..32');
    expect(await page.locator('#upload-progress').evaluate((p) => (p as HTMLProgressElement).value)).to.equal(100);
    await b.shot('10-import-result');
    const m = await api.call('GET', `/api/v2/dialer/${campaignId}/members`);
    expect(m.body.items.map((x: any) => [x.name, x.variables.debt])).to.deep.equal([['Anna', '100'], ['Cyril', '7']]);
  });

  it('M5: the member browser filters, pages by keyset and shows a member\'s attempt history', async () => {
    const { page } = b;
    await page.goto(`${api.url}/campaigns/${campaignId}/members`);
    await page.getByRole('cell', { name: 'Anna', exact: true }).waitFor();
    await page.getByLabel('Per page').selectOption('25');
    await page.getByLabel('Name starts with').fill('Cy');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('cell', { name: 'Anna', exact: true }).waitFor({ state: 'detached' });
    expect(await page.getByRole('cell', { name: 'Cyril', exact: true }).count()).to.equal(1);
    const history = page.getByRole('button', { name: /^History of member/ });
    await history.click();
    expect(await history.getAttribute('aria-expanded')).to.equal('true');
    await page.getByText('Not dialled yet.').waitFor();
    await b.shot('11-members');
  });

  it('C10, C2: the live board lists the campaign with its limit and remaining members, pushed on change', async () => {
    const { page } = b;
    await nav(page, 'Live boards').click();
    const row = page.locator(`#campaign-${campaignId}`);
    await row.waitFor();
    expect(await row.locator('[data-k="remaining"]').textContent()).to.equal('2');
    // A change made elsewhere arrives by push, not by reloading.
    await api.call('POST', `/api/v2/dialer/${campaignId}/members`, { name: 'Dana', communications: [{ number: '+380501112255' }] });
    await row.locator('[data-k="remaining"]', { hasText: '3' }).waitFor();
    expect(await row.textContent()).to.include('0 / 2');
    await b.shot('12-boards');
  });

  it('S1: Do not call: a number is added to the global list', async () => {
    const { page } = b;
    await nav(page, 'Do not call').click();
    await page.getByLabel('Number').fill('+380509999999');
    await page.getByRole('button', { name: 'Add to list' }).click();
    await page.getByRole('cell', { name: '+380509999999', exact: true }).waitFor();
    await b.shot('13-dnc');
    const d = await api.call('GET', '/api/v2/dnc');
    expect(d.body.items.map((x: any) => x.number)).to.deep.equal(['+380509999999']);
  });

  it('S1: an admin opens the queue dashboard from the menu; the access token stays out of its URL', async () => {
    const { page } = b;
    await nav(page, 'Queues').click();
    await page.waitForURL(/\/admin\/queues/);
    await page.getByText('timers').first().waitFor();
    const token = JSON.parse((await page.evaluate(() => sessionStorage.getItem('dialer.session')) ?? 'null') ?? 'null')?.token;
    expect(page.url()).to.not.include('ticket=');
    if (token) expect(page.url()).to.not.include(token);
    await b.shot('14-queues');
  });
});
