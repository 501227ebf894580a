import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { TEST_ADMIN, type TestApi } from '../helpers/http-api.js';
import { ensureWebBuild, launchBrowser, startWebApi, type TestBrowser, type WebApi } from '../helpers/web-browser.js';

/*
 * The operator web client in Chromium against the REST API (no engine here; the run against
 * the simulator is web-live.test.ts, supervisor tools are web-client-manage.test.ts). Each
 * page is kept as a screenshot under test/artifacts/.
 */
const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

describe('web client in the browser: log in, edit, upload, browse', function () {
  this.timeout(120_000);
  let w: WebApi;
  let api: TestApi;
  let b: TestBrowser;
  let campaignId = 0;
  let token = '';

  before(async () => {
    ensureWebBuild();
    w = await startWebApi('web_client');
    api = w.api;
    b = await launchBrowser();
  });
  afterEach(async function () {
    await b?.shotIfFailed(this.currentTest, 'failed');
  });
  after(async () => {
    await b?.close();
    await w?.close();
  });

  it('S1: the login form is keyboard-first; a wrong password is refused; the right one returns to the page asked for', async () => {
    const { page } = b;
    const urls: string[] = [];
    page.on('request', (r) => urls.push(r.url()));
    await page.goto(`${api.url}/campaigns`);
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    // Focus is in the username field on arrival: no click needed.
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.autocomplete)).to.equal('username');
    await page.keyboard.type(TEST_ADMIN.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type('wrong');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'wrong username or password' }).waitFor();
    await b.shot('01-login-refused');
    // The refused password is cleared and focused: type it again and press Enter.
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.autocomplete)).to.equal('current-password');
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/v2/session/login') && r.status() === 200);
    await page.keyboard.type(TEST_ADMIN.password);
    await page.keyboard.press('Enter');
    token = (await (await answer).json()).token;
    await page.getByRole('heading', { name: 'Campaigns' }).waitFor();
    expect(new URL(page.url()).pathname).to.equal('/campaigns');
    await page.locator('#live-status', { hasText: 'Live: live' }).waitFor();
    expect(token).to.be.a('string').and.not.equal('');
    expect(urls.filter((u) => u.includes(token) || u.includes(encodeURIComponent(token)))).to.deep.equal([]);
    expect(urls.some((u) => u.includes('/api/v2/live?ticket='))).to.equal(true);
  });

  it('S1: the token is in no Web Storage and no script-readable cookie; a reload resumes the login through the session cookie', async () => {
    const { page } = b;
    const stored = await page.evaluate(() => JSON.stringify([Object.entries(sessionStorage), Object.entries(localStorage), document.cookie]));
    expect(stored).to.not.include(token);
    expect(stored).to.not.include(token.split('.')[1]);
    const cookie = (await b.context.cookies(api.url)).find((c) => c.name === 'dialer_session')!;
    expect(cookie).to.include({ httpOnly: true, sameSite: 'Strict', path: '/', expires: -1 });
    await nav(page, 'Live boards').click();
    await page.reload();
    await page.getByRole('heading', { name: 'Live boards' }).waitFor();
    await page.locator('#live-status', { hasText: 'Live: live' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Log in' }).count()).to.equal(0);
    await b.shot('02-boards-empty');
  });

  it('a11y: "Skip to content" moves focus to the page\'s content without routing or a history entry', async () => {
    const { page } = b;
    await page.reload();
    await page.getByRole('heading', { name: 'Live boards' }).waitFor();
    const before = await page.evaluate(() => history.length);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).to.equal('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('main');
    expect(await page.evaluate(() => history.length)).to.equal(before);
    expect(page.url()).to.equal(`${api.url}/`);
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
    await page.getByLabel('Max uncounted attempts').fill('6');
    await page.getByLabel('Retry wait, seconds').fill('120');
    await page.getByLabel('Minimum success duration, seconds').fill('7');
    await page.getByLabel('Wait for a result status').check();
    await page.getByLabel('Wrap-up for the result, seconds').fill('30');
    await page.getByLabel('Agents may end their wrap-up early').check();
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
    expect(c.body).to.deep.include({ name: 'Spring debts', priority: 5, limit: 2, max_tries: 4, max_minus_attempts: 6, retry_wait_sec: 120, min_success_sec: 7,
      wait_result: true, wrapup_sec: 30, allow_end_wrap_up_early: true, state: 'idle' });
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

  it('A1, W2: an agent is created (offered calls only while a client is connected) and put on the campaign (tier)', async () => {
    const { page } = b;
    await nav(page, 'Agents').click();
    await page.getByRole('link', { name: 'New agent' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Olena');
    await page.getByLabel('SIP user').fill('1001@pbx.example.com');
    await page.getByLabel('Wrap-up, seconds').fill('5');
    await page.getByLabel('Calls only while a client is connected').check();
    await page.getByRole('button', { name: 'Create agent' }).click();
    await page.waitForURL(/\/agents\/\d+$/);
    const created = await api.call('GET', `/api/v2/agents/${page.url().split('/').pop()}`);
    expect(created.body).to.include({ name: 'Olena', requires_client: true });
    expect(await page.getByLabel('Calls only while a client is connected').isChecked()).to.equal(true);
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
    // M1: a number column may carry its own priority (sent as number:<p>).
    await page.getByLabel('Priority of the numbers in column "phone"').fill('5');
    expect(await page.getByLabel('Priority of the numbers in column "debt"').isHidden()).to.equal(true);
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
    expect(m.body.items.map((x: any) => [x.name, x.variables.debt, x.communications[0].priority])).to.deep.equal([['Anna', '100', 5], ['Cyril', '7', 5]]);
    expect(await page.locator('#upload-progress-text').textContent()).to.include('file sent');
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

  it('S1: Do not call: a number is added to the global list, with the date it was added', async () => {
    const { page } = b;
    await nav(page, 'Do not call').click();
    await page.getByLabel('Number').fill('+380509999999');
    await page.getByRole('button', { name: 'Add to list' }).click();
    await page.getByRole('cell', { name: '+380509999999', exact: true }).waitFor();
    // The date it was added, as a local date and time, not an ISO string.
    const added = await page.getByRole('row', { name: /\+380509999999/ }).getByRole('cell').nth(1).textContent();
    expect(added).to.not.match(/T\d{2}:\d{2}.*Z$/);
    expect(new Date(added!).getFullYear()).to.equal(new Date().getFullYear());
    await b.shot('13-dnc');
    const d = await api.call('GET', '/api/v2/dnc');
    expect(d.body.items.map((x: any) => x.number)).to.deep.equal(['+380509999999']);
  });

  it('S1: an admin opens the queue dashboard from the menu with the session cookie; no token or ticket in its URL', async () => {
    const { page } = b;
    await nav(page, 'Queues').click();
    await page.waitForURL(/\/admin\/queues/);
    await page.getByText('timers').first().waitFor();
    expect(page.url()).to.not.include('ticket=');
    expect(page.url()).to.not.include(token);
    await b.shot('14-queues');
  });
});
