import { expect } from 'chai';
import iconv from 'iconv-lite';
import type { Page } from 'playwright-core';
import { TEST_ADMIN, type TestApi } from '../helpers/http-api.js';
import { ensureWebBuild, launchBrowser, loginThroughForm, startWebApi, type TestBrowser, type WebApi } from '../helpers/web-browser.js';

/*
 * What a supervisor meets the first time through the web client (Chromium against the REST
 * API, no engine): empty lists that say what to do, the keyboard kept in place after an
 * action, the CSV wizard reading the file it is given, pages that keep loading however one
 * moves between them.
 */
const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
/** The focused element's accessible name, roughly: its aria-label, else its text. */
const focused = (page: Page) => page.evaluate(() => {
  const e = document.activeElement;
  return e === document.body ? '(page)' : (e?.getAttribute('aria-label') ?? e?.textContent ?? '').trim();
});

describe('web client in the browser: a supervisor\'s first use', function () {
  this.timeout(120_000);
  let w: WebApi;
  let api: TestApi;
  let b: TestBrowser;
  let campaignId = 0;

  before(async () => {
    ensureWebBuild();
    w = await startWebApi('web_first_use');
    api = w.api;
    b = await launchBrowser({ backForwardCache: true });
    await loginThroughForm(b.page, api.url, TEST_ADMIN.username, TEST_ADMIN.password);
  });
  afterEach(async function () {
    await b?.shotIfFailed(this.currentTest, 'failed-f');
  });
  after(async () => {
    await b?.close();
    await w?.close();
  });

  it('K1, C3, A1: empty lists of calendars, line groups and agents say there is none yet and what to do', async () => {
    const { page } = b;
    await nav(page, 'Calendars').click();
    await page.getByRole('cell', { name: /^No calendar yet\./ }).waitFor();
    await nav(page, 'Line groups').click();
    await page.getByRole('cell', { name: /^No line group yet\./ }).waitFor();
    await nav(page, 'Agents').click();
    await page.getByRole('cell', { name: /^No agent yet/ }).waitFor();
    await b.shot('f01-agents-empty');
  });

  describe('with a campaign, two agents and sixty members', () => {
    before(async () => {
      const cal = await api.call('POST', '/api/v2/calendars', { name: 'Weekdays', timezone: 'Europe/Kyiv',
        windows: [1, 2, 3, 4, 5].map((day) => ({ day, start: '09:00', end: '18:00' })) });
      const c = await api.call('POST', '/api/v2/dialer', { name: 'Winter', calendar_id: cal.body.id, limit: 2 });
      campaignId = c.body.id;
      for (const [name, sip] of [['Anna', '1001@pbx.example.com'], ['Bohdan', '1002@pbx.example.com']]) {
        expect((await api.call('POST', '/api/v2/agents', { name, sip_user: sip })).status).to.equal(201);
      }
      const members = Array.from({ length: 60 }, (_v, i) => ({ name: `m${i}`, communications: [{ number: `+3805011${String(i).padStart(5, '0')}` }] }));
      expect((await api.call('POST', `/api/v2/dialer/${campaignId}/members`, members)).status).to.equal(201);
    });

    it('a11y: a form saved with its button (which is disabled meanwhile) leaves keyboard focus on that button', async () => {
      const { page } = b;
      const cal = (await api.call('GET', '/api/v2/calendars')).body[0];
      await page.goto(`${api.url}/calendars/${cal.id}`);
      await page.getByRole('button', { name: 'Save calendar' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('status').filter({ hasText: 'Calendar "Weekdays" saved' }).waitFor();
      expect(await focused(page)).to.equal('Save calendar');
      // Again after a refusal: focus goes to the field the API named instead.
      await page.getByLabel('Window 1: end').fill('25:00');
      await page.getByRole('button', { name: 'Save calendar' }).focus();
      await page.keyboard.press('Enter');
      await page.getByLabel('Window 1: end').and(page.locator('[aria-invalid="true"]')).waitFor();
      expect(await focused(page)).to.equal('Window 1: end');
    });

    it('A1, a11y: adding an agent to a campaign keeps the keyboard in its agents section, on the next agent to add', async () => {
      const { page } = b;
      await page.goto(`${api.url}/campaigns/${campaignId}`);
      await page.getByRole('button', { name: 'Add agent to campaign' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('cell', { name: 'Anna', exact: true }).waitFor();
      expect(await focused(page)).to.match(/^Bohdan/);
      // From the agent to add: past its level, to the button.
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await page.getByRole('cell', { name: 'Bohdan', exact: true }).waitFor();
      // No agent is left to add: the section's heading holds focus.
      expect(await focused(page)).to.equal('Agents of this campaign');
      await page.getByRole('button', { name: 'Remove Anna' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('cell', { name: 'Anna', exact: true }).waitFor({ state: 'detached' });
      expect(await focused(page)).to.match(/^Anna/);
      const tiers = await api.call('GET', `/api/v2/dialer/${campaignId}/tiers`);
      expect(tiers.body.map((t: any) => t.agent_name)).to.deep.equal(['Bohdan']);
    });

    it('M5, a11y: paging through the members keeps the keyboard on the page button, or on the new page\'s caption', async () => {
      const { page } = b;
      await page.goto(`${api.url}/campaigns/${campaignId}/members`);
      await page.getByRole('cell', { name: 'm0', exact: true }).waitFor();
      await page.getByRole('button', { name: 'Next page' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('cell', { name: 'm25', exact: true }).waitFor();
      expect(await focused(page)).to.equal('Next page');
      await page.keyboard.press('Enter');
      await page.getByRole('cell', { name: 'm50', exact: true }).waitFor();
      // The last page has no Next page: its caption takes focus, Tab goes on from there.
      expect(await focused(page)).to.match(/^Members of Winter after #/);
      await page.getByRole('button', { name: 'Previous page' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('cell', { name: 'm25', exact: true }).waitFor();
      expect(await focused(page)).to.equal('Previous page');
    });

    it('A2, a11y: an arrow key on an agent\'s status in the agents list changes nothing until its Set status button', async () => {
      const { page } = b;
      const puts: string[] = [];
      page.on('request', (r) => { if (r.method() === 'PUT') puts.push(r.url()); });
      await nav(page, 'Agents').click();
      // Arrow keys change a closed select at once: passing through with the keyboard must not.
      await page.getByLabel('Status of Anna').focus();
      await page.keyboard.press('ArrowUp');
      await page.getByLabel('Status of Bohdan').selectOption('Available');
      await page.getByRole('button', { name: 'Set status of Bohdan' }).click();
      await page.getByRole('status').filter({ hasText: 'Bohdan is Available' }).waitFor();
      expect(puts.map((u) => new URL(u).pathname)).to.have.length(1).and.match(/\/agents\/\d+\/status$/);
      const agents = (await api.call('GET', '/api/v2/agents')).body;
      expect(agents.map((a: any) => [a.name, a.status])).to.deep.equal([['Anna', 'Logged Out'], ['Bohdan', 'Available']]);
    });

    it('M6: the wizard takes the separator from the file, says next to Character set when a file is not UTF-8, keeps focus on Upload, and a new file clears the last result', async () => {
      const { page } = b;
      await page.goto(`${api.url}/campaigns/${campaignId}/import`);
      await page.getByLabel('First line is a header (skip it)').check();
      // A file as Excel saves it for a Cyrillic locale: semicolons, windows-1251.
      const cp1251 = iconv.encode('name;phone\r\nТарас Бульба;+380991112201\r\nОстап Бульба;+380991112202\r\n', 'windows-1251');
      await page.getByLabel('CSV file').setInputFiles({ name: 'excel.csv', mimeType: 'text/csv', buffer: cp1251 });
      const charset = page.getByLabel('Character set');
      await charset.and(page.locator('[aria-invalid="true"]')).waitFor();
      expect(await page.getByLabel('Separator').inputValue()).to.equal(';');
      const described = (await charset.getAttribute('aria-describedby'))!.split(' ');
      expect((await Promise.all(described.map((id) => page.locator(`#${id}`).textContent()))).join(' ')).to.include('not UTF-8');
      await b.shot('f02-import-not-utf8');
      await charset.selectOption('windows-1251');
      await page.getByRole('cell', { name: 'Тарас Бульба', exact: true }).waitFor();
      expect(await charset.getAttribute('aria-invalid')).to.equal(null);
      expect(await page.getByLabel('Column "phone" is').inputValue()).to.equal('number');
      await page.getByRole('button', { name: 'Upload' }).focus();
      await page.keyboard.press('Enter');
      await page.locator('#import-summary', { hasText: '2 member(s) added, 0 line(s) rejected.' }).waitFor();
      expect(await focused(page)).to.equal('Upload');
      const found = await api.call('GET', `/api/v2/dialer/${campaignId}/members?name=${encodeURIComponent('Остап')}`);
      expect(found.body.items.map((m: any) => m.name)).to.deep.equal(['Остап Бульба']);

      // Another file: nothing of the last upload's result is left to be mistaken for this one's.
      await page.getByLabel('CSV file').setInputFiles({ name: 'more.csv', mimeType: 'text/csv', buffer: Buffer.from('name,phone\nIryna,+380991112203\n') });
      await page.getByRole('cell', { name: 'Iryna', exact: true }).waitFor();
      expect(await page.getByLabel('Separator').inputValue()).to.equal(',');
      expect(await page.locator('#import-result').textContent()).to.equal('');
      expect(await page.locator('#upload-progress').evaluate((p) => (p as HTMLProgressElement).value)).to.equal(0);
      expect(await page.locator('#upload-progress-text').textContent()).to.equal('');
    });

    it('a11y: pages opened one after another by their address keep loading (a page left closes its live stream)', async () => {
      const { page } = b;
      // Over HTTP/1.1 a browser opens six connections to a server; a page kept for Back held one.
      for (const [path, heading] of [['/', 'Live boards'], ['/campaigns', 'Campaigns'], ['/agents', 'Agents'], ['/calendars', 'Calendars'],
        ['/line-groups', 'Line groups'], ['/dnc', 'Do not call'], ['/users', 'Users'], [`/campaigns/${campaignId}`, 'Campaign: Winter'],
        ['/', 'Live boards']]) {
        await page.goto(`${api.url}${path}`);
        await page.getByRole('heading', { name: heading, exact: true }).waitFor();
        await page.locator('#live-status', { hasText: 'Live: live' }).waitFor();
      }
      // Back to a page kept by the browser: its board is live again.
      await page.goBack({ waitUntil: 'commit' });
      await page.getByRole('heading', { name: 'Campaign: Winter' }).waitFor();
      await page.locator('#live-status', { hasText: 'Live: live' }).waitFor();
      await api.call('PUT', `/api/v2/dialer/${campaignId}`, { limit: 5 });
      await page.locator('.campaign-state', { hasText: 'live calls 0 / 5' }).waitFor();
    });

    it('R1, C10: a success status for a member whose call had already settled (its wait for a result was over) is counted as succeeded on the board, not failed', async () => {
      const { page } = b;
      const db = api.tdb.db;
      const m = (await api.call('GET', `/api/v2/dialer/${campaignId}/members?name=m59`)).body.items[0];
      const comm = await db('communications').where('member_id', m.id).first('id', 'number');
      // The call as the engine leaves it when no status came within the wrap-up (C7): done, unsuccessful, one try.
      const ended = new Date(Date.now() - 10_000);
      await db('attempts').insert({ campaign_id: campaignId, member_id: m.id, communication_id: comm.id, number: comm.number, state: 'done',
        created_at: ended, agent_answered_at: ended, answered_at: ended, ended_at: ended, hangup_cause: 'NORMAL_CLEARING', talk_sec: 12, outcome: 'retry' });
      await db('members').where('id', m.id).update({ tries: 1 });
      await nav(page, 'Live boards').click();
      const row = page.locator(`#campaign-${campaignId}`);
      w.feed.campaign(campaignId);
      await row.locator('[data-k="dialled"]', { hasText: '1' }).waitFor();

      await page.goto(`${api.url}/campaigns/${campaignId}/members`);
      await page.getByLabel('Name starts with').fill('m59');
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.getByRole('cell', { name: 'm0', exact: true }).waitFor({ state: 'detached' });
      await page.getByRole('button', { name: `Result status of member ${m.id}` }).click();
      const form = page.getByRole('form', { name: `Result status of member ${m.id}` });
      await form.getByLabel('Success (the member is done)').check();
      await form.getByRole('button', { name: 'Send result status' }).click();
      await page.locator(`#member-${m.id}`, { hasText: 'NORMAL_CLEARING' }).waitFor();
      await page.getByRole('button', { name: `History of member ${m.id}` }).click();
      // Its Outcome column (the 10th) names the call a success too.
      await page.locator(`#attempts-${m.id}`).waitFor();
      expect(await page.locator(`#attempts-${m.id} tbody tr`).first().locator('td').nth(10).textContent()).to.equal('success');

      await nav(page, 'Live boards').click();
      w.feed.campaign(campaignId); // as the engine announces an applied status
      await row.getByText('NORMAL_CLEARING 1').waitFor();
      expect([await row.locator('[data-k="succeeded"]').textContent(), await row.locator('[data-k="failed"]').textContent()]).to.deep.equal(['1', '0']);
      await b.shot('f03-board-success-status');
    });

    it('S1: a refused log-in says the user is not logged in (not that something was not saved)', async () => {
      const { page } = b;
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByLabel('Username').fill(TEST_ADMIN.username);
      await page.getByLabel('Password').fill('not-the-password');
      await page.getByRole('button', { name: 'Log in' }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'wrong username or password' });
      await alert.waitFor();
      expect(await alert.textContent()).to.equal('Not logged in: wrong username or password');
    });
  });
});
