import { expect } from 'chai';
import type { Locator, Page } from 'playwright-core';
import { TEST_ADMIN, type TestApi } from '../helpers/http-api.js';
import { ensureWebBuild, launchBrowser, loginThroughForm, startWebApi, type TestBrowser, type WebApi } from '../helpers/web-browser.js';

/*
 * Supervisor tools of the web client in Chromium against the REST API (no engine): users,
 * members (add, edit, result status, delete), an agent's status and campaigns, deleting a
 * campaign, keyboard focus through live pushes, log out.
 */
const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
/** The message shown next to a field: waits for aria-invalid, then reads what aria-describedby names. */
async function errorNextTo(page: Page, field: Locator, hasText: string): Promise<string> {
  await field.and(page.locator('[aria-invalid="true"]')).waitFor();
  const ids = (await field.getAttribute('aria-describedby'))!.split(' ');
  const text = (await Promise.all(ids.map((id) => page.locator(`#${id}`).textContent()))).join(' ');
  expect(text).to.include(hasText);
  return text;
}
const focused = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent ?? '');

describe('web client in the browser: supervisor tools', function () {
  this.timeout(120_000);
  let w: WebApi;
  let api: TestApi;
  let b: TestBrowser;
  let campaignId = 0;
  let agentId = 0;

  before(async () => {
    ensureWebBuild();
    w = await startWebApi('web_manage');
    api = w.api;
    const cal = await api.call('POST', '/api/v2/calendars', { name: 'Always', timezone: 'UTC',
      windows: [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start: '00:00', end: '24:00' })) });
    const c = await api.call('POST', '/api/v2/dialer', { name: 'Autumn', calendar_id: cal.body.id, limit: 3 });
    campaignId = c.body.id;
    const a = await api.call('POST', '/api/v2/agents', { name: 'Petro', sip_user: '2001@pbx.example.com' });
    agentId = a.body.id;
    await api.call('POST', `/api/v2/dialer/${campaignId}/tiers`, { agent_id: agentId, level: 2 });
    b = await launchBrowser();
    b.page.on('dialog', (d) => void d.accept());
    await loginThroughForm(b.page, api.url, TEST_ADMIN.username, TEST_ADMIN.password);
  });
  afterEach(async function () {
    await b?.shotIfFailed(this.currentTest, 'failed-m');
  });
  after(async () => {
    await b?.close();
    await w?.close();
  });

  it('S1: an admin creates a user, changes its role, resets its password and deletes it on the Users page', async () => {
    const { page } = b;
    await nav(page, 'Users').click();
    await page.getByLabel('Username', { exact: true }).fill('olga');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Create user' }).click();
    const pass = page.getByLabel('Password', { exact: true });
    await errorNextTo(page, pass, '8 characters');
    await pass.fill('olga-password-1');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('rowheader', { name: 'olga' }).waitFor();
    await page.getByLabel('Role of olga').selectOption('admin');
    await page.getByRole('button', { name: 'Save role of olga' }).click();
    await page.getByRole('status').filter({ hasText: 'olga is now admin' }).waitFor();
    await page.getByLabel('New password for olga').fill('olga-password-2');
    await page.getByRole('button', { name: 'Set password of olga' }).click();
    await page.getByRole('status').filter({ hasText: 'Password of olga changed' }).waitFor();
    await b.shot('15-users');
    const users = await api.call('GET', '/api/v2/users');
    expect(users.body.find((u: any) => u.username === 'olga')).to.include({ role: 'admin' });
    expect((await api.call('POST', '/login', { username: 'olga', password: 'olga-password-2' }, null)).status).to.equal(200);
    await page.getByRole('button', { name: 'Delete olga' }).click();
    await page.getByRole('rowheader', { name: 'olga' }).waitFor({ state: 'detached' });
    expect((await api.call('GET', '/api/v2/users')).body.map((u: any) => u.username)).to.deep.equal([TEST_ADMIN.username]);
    // The last admin giving up its role: the API's refusal is shown next to that select.
    await page.getByLabel(`Role of ${TEST_ADMIN.username}`).selectOption('operator');
    await page.getByRole('button', { name: `Save role of ${TEST_ADMIN.username}` }).click();
    await errorNextTo(page, page.getByLabel(`Role of ${TEST_ADMIN.username}`), 'last admin');
  });

  it('W1: an admin creates a user of role agent acting as an agent; without one the refusal is shown next to the agent select', async () => {
    const { page } = b;
    await nav(page, 'Users').click();
    await page.getByLabel('Username', { exact: true }).fill('petro');
    await page.getByLabel('Password', { exact: true }).fill('petro-password-1');
    await page.getByLabel('Role', { exact: true }).selectOption('agent');
    await page.getByRole('button', { name: 'Create user' }).click();
    const agentField = page.getByLabel('Agent', { exact: true });
    await errorNextTo(page, agentField, 'needs the agent');
    await agentField.selectOption(String(agentId));
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('rowheader', { name: 'petro' }).waitFor();
    expect(await page.getByLabel('Agent of petro').inputValue()).to.equal(String(agentId));
    const users = await api.call('GET', '/api/v2/users');
    const petro = users.body.find((u: any) => u.username === 'petro');
    expect(petro).to.include({ role: 'agent', agent_id: agentId });
    // The agent stays free for the other tests: the user goes.
    expect((await api.call('DELETE', `/api/v2/users/${petro.id}`)).status).to.equal(204);
  });

  it('S1: Users is not in an operator\'s menu, and its page says why', async () => {
    await api.loginAs('operator'); // operator1 / operator-password-1
    const other = await launchBrowser();
    try {
      await loginThroughForm(other.page, api.url, 'operator1', 'operator-password-1');
      expect(await nav(other.page, 'Users').count()).to.equal(0);
      expect(await nav(other.page, 'Queues').count()).to.equal(0);
      await other.page.goto(`${api.url}/users`);
      await other.page.getByText('Users are managed by administrators.').waitFor();
    } finally {
      await other.close();
    }
  });

  it('A5, A1: the agent page sets the status and lists the campaigns the agent works', async () => {
    const { page } = b;
    await page.goto(`${api.url}/agents/${agentId}`);
    const table = page.locator('#agent-campaigns');
    await table.getByRole('link', { name: 'Autumn' }).waitFor();
    expect(await table.locator('tbody tr').first().textContent()).to.include('2');
    await page.getByLabel('Status', { exact: true }).selectOption('Available');
    await page.getByRole('button', { name: 'Set status' }).click();
    await page.locator('#agent-live', { hasText: 'Status Available' }).waitFor();
    await b.shot('16-agent');
    expect((await api.call('GET', `/api/v2/agents/${agentId}`)).body.status).to.equal('Available');
    // A change made elsewhere reaches the page by push.
    await api.call('PUT', `/api/v2/agents/${agentId}/status`, { status: 'On Break' });
    await page.locator('#agent-live', { hasText: 'Status On Break' }).waitFor();
  });

  it('A1: a tier level the API refuses is shown next to that level field', async () => {
    const { page } = b;
    await page.goto(`${api.url}/campaigns/${campaignId}`);
    const level = page.getByLabel('Level of Petro');
    await level.fill('0');
    await page.getByRole('button', { name: 'Save level of Petro' }).click();
    await errorNextTo(page, level, '1');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).to.equal('Level of Petro');
  });

  it('M1, M2: a member is added (a bad number is shown next to it first) and changed on the members page', async () => {
    const { page } = b;
    await page.goto(`${api.url}/campaigns/${campaignId}/members`);
    await page.getByRole('button', { name: 'Add a member' }).click();
    const add = page.getByRole('form', { name: 'New member' });
    await add.getByLabel('Name', { exact: true }).fill('Marta');
    const num1 = add.getByLabel('Number 1: number');
    await num1.fill('12x');
    await add.getByRole('button', { name: 'Add number' }).click();
    await add.getByLabel('Number 2: number').fill('+380671234568');
    await add.getByLabel('Number 2: priority').fill('3');
    await add.getByRole('button', { name: 'Add member' }).click();
    await errorNextTo(page, num1, '0-9');
    await b.shot('17-member-add-invalid');
    await num1.fill('+380671234567');
    await add.getByRole('button', { name: 'Add member' }).click();
    await page.getByRole('cell', { name: 'Marta', exact: true }).waitFor();
    const list = await api.call('GET', `/api/v2/dialer/${campaignId}/members`);
    const marta = list.body.items.find((m: any) => m.name === 'Marta');
    expect(marta.communications.map((c: any) => [c.number, c.priority])).to.have.deep.members([['+380671234567', 0], ['+380671234568', 3]]);

    await page.getByRole('button', { name: `Edit member ${marta.id}` }).click();
    const edit = page.getByRole('form', { name: `Change member ${marta.id}` });
    await edit.getByLabel('Name', { exact: true }).fill('Marta K.');
    await edit.getByLabel('Priority', { exact: true }).fill('7');
    await edit.getByRole('button', { name: 'Save member' }).click();
    await page.getByRole('cell', { name: 'Marta K.', exact: true }).waitFor();
    expect(await focused(page)).to.equal(`Edit member ${marta.id}`);
    const m = await api.call('GET', `/api/v2/dialer/${campaignId}/members/${marta.id}`);
    expect(m.body).to.include({ name: 'Marta K.', priority: 7 });
  });

  it('R1, R2: a result status is sent from the members page; a late one shows the 409 reason; the member is deleted', async () => {
    const { page } = b;
    const list = await api.call('GET', `/api/v2/dialer/${campaignId}/members`);
    const id = list.body.items[0].id;
    await page.getByRole('button', { name: `Result status of member ${id}` }).click();
    const form = page.getByRole('form', { name: `Result status of member ${id}` });
    await form.getByLabel('Success (the member is done)').check();
    await form.getByLabel('Comment').fill('sold');
    await form.getByRole('button', { name: 'Send result status' }).click();
    await page.locator(`#member-${id}`, { hasText: 'done' }).waitFor();
    expect((await api.call('GET', `/api/v2/dialer/${campaignId}/members/${id}`)).body).to.include({ state: 'done' });

    await page.getByRole('button', { name: `Result status of member ${id}` }).click();
    const late = page.getByRole('form', { name: `Result status of member ${id}` });
    await late.getByLabel('Next try after, seconds').fill('60');
    await late.getByRole('button', { name: 'Send result status' }).click();
    await late.getByRole('alert').filter({ hasText: 'finished' }).waitFor();
    await b.shot('18-member-status-late');

    await page.getByRole('button', { name: `Delete member ${id}` }).click();
    await page.locator(`#member-${id}`).waitFor({ state: 'detached' });
    expect((await api.call('GET', `/api/v2/dialer/${campaignId}/members/${id}`)).status).to.equal(404);
  });

  it('a11y: keyboard focus stays on Run/Stop while pushes update the campaigns list and the campaign page', async () => {
    const { page } = b;
    await nav(page, 'Campaigns').click();
    const run = page.getByRole('button', { name: 'Run campaign Autumn' });
    await run.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Stop campaign Autumn' }).waitFor();
    for (const n of [1, 2]) {
      await api.call('POST', `/api/v2/dialer/${campaignId}/members`, { name: `p${n}`, communications: [{ number: `+38050700000${n}` }] });
      await page.getByRole('row', { name: /Autumn/ }).getByRole('cell', { name: `${n} of ${n}` }).waitFor();
      expect(await focused(page), `after push ${n}`).to.equal('Stop campaign Autumn');
    }
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Run campaign Autumn' }).waitFor();
    expect(await focused(page)).to.equal('Run campaign Autumn');

    await page.getByRole('link', { name: 'Autumn' }).click();
    await page.getByRole('button', { name: 'Run campaign Autumn' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Stop campaign Autumn' }).waitFor();
    await api.call('POST', `/api/v2/dialer/${campaignId}/members`, { name: 'p3', communications: [{ number: '+380507000003' }] });
    await page.locator('.campaign-state', { hasText: 'remaining 3 of 3' }).waitFor();
    expect(await focused(page)).to.equal('Stop campaign Autumn');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Run campaign Autumn' }).waitFor();
  });

  it('C1: a campaign is deleted from the list after a confirmation', async () => {
    const { page } = b;
    const cal = await api.call('GET', '/api/v2/calendars');
    expect((await api.call('POST', '/api/v2/dialer', { name: 'Throwaway', calendar_id: cal.body[0].id, limit: 1 })).status).to.equal(201);
    await nav(page, 'Campaigns').click();
    await page.getByRole('button', { name: 'Delete campaign Throwaway' }).click();
    await page.getByRole('link', { name: 'Throwaway' }).waitFor({ state: 'detached' });
    expect((await api.call('GET', '/api/v2/dialer')).body.map((c: any) => c.name)).to.deep.equal(['Autumn']);
  });

  it('S1: after Log out a reload shows the login form, and the old session cookie opens nothing', async () => {
    const { page } = b;
    const before = (await b.context.cookies(api.url)).find((c) => c.name === 'dialer_session');
    expect(before).to.not.equal(undefined);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    expect((await b.context.cookies(api.url)).find((c) => c.name === 'dialer_session')).to.equal(undefined);
    const replay = await fetch(`${api.url}/api/v2/session/resume`, { method: 'POST', headers: { cookie: `dialer_session=${before!.value}` } });
    expect(replay.status).to.equal(401);
  });
});
