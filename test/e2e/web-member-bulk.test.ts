import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { seriousAxeFindings } from '../helpers/axe.js';
import { TEST_ADMIN, type TestApi } from '../helpers/http-api.js';
import { ensureWebBuild, launchBrowser, loginThroughForm, startWebApi, type TestBrowser, type WebApi } from '../helpers/web-browser.js';

/*
 * Issue 13 §3: the members page resets tries, deletes and exports every member its filter
 * matches, each change after a confirmation that says how many members will change and how many
 * are skipped because they are in a call.
 */
describe('web client in the browser: bulk member actions by filter (issue 13 §3)', function () {
  this.timeout(120_000);
  let w: WebApi;
  let api: TestApi;
  let b: TestBrowser;

  before(async () => {
    ensureWebBuild();
    w = await startWebApi('web_member_bulk');
    api = w.api;
    b = await launchBrowser();
    await loginThroughForm(b.page, api.url, TEST_ADMIN.username, TEST_ADMIN.password);
  });
  afterEach(async function () {
    await b?.shotIfFailed(this.currentTest, 'failed-member-bulk');
  });
  after(async () => {
    await b?.close();
    await w?.close();
  });

  it('C5, C7, M5, issue 13 §3: reset tries and delete by the list\'s filter after a count, skipping the member in a call; export as CSV; Cancel changes nothing', async () => {
    const db = api.tdb.db;
    const cal = await api.call('POST', '/api/v2/calendars', { name: 'Always', timezone: 'UTC',
      windows: [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start: '00:00', end: '24:00' })) });
    const c = (await api.call('POST', '/api/v2/dialer', { name: 'Spring', calendar_id: cal.body.id, limit: 1, max_tries: 3 })).body.id as number;
    const ids = (await api.call('POST', `/api/v2/dialer/${c}/members`, Array.from({ length: 12 }, (_v, i) => ({
      name: i < 7 ? `Lost ${i}` : `Kept ${i}`, communications: [{ number: `38050700${String(i).padStart(4, '0')}` }] })))).body.ids as number[];
    const lost = ids.slice(0, 7);
    await db('members').whereIn('id', lost.slice(0, 6)).update({ state: 'done', result: 'MAX_TRY_COUNT', tries: 3, ended_at: new Date() });
    await db('members').where('id', lost[6]!).update({ state: 'dialing', tries: 1 });

    const { page } = b;
    await page.goto(`${api.url}/campaigns/${c}/members`);
    await page.getByRole('heading', { name: 'Members: Spring' }).waitFor();
    await page.getByLabel('Name starts with').fill('Lost');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await page.locator('tbody tr[id^="member-"]').nth(6).waitFor();
    // Typed but not applied: the bulk actions follow the list on screen, not the form.
    await page.getByLabel('Name starts with').fill('Kept');

    await page.getByRole('button', { name: 'Reset tries…' }).click();
    const question = page.locator('[data-k="bulk-question"]');
    await question.waitFor();
    expect(await question.textContent()).to.equal('Reset the tries of 6 members (filter: name starts with Lost)? 1 member in a call or waiting for a result will be skipped.');
    expect(await seriousAxeFindings(page)).to.deep.equal([]);
    await b.shot('80-member-bulk-confirm');
    await page.getByRole('button', { name: 'Reset the tries of 6 members' }).click();
    await page.locator('#notice', { hasText: 'Tries reset for 6 members; 1 skipped (in a call or waiting for a result).' }).waitFor();
    const after = await db('members').whereIn('id', lost).orderBy('id').select('state', 'tries', 'result');
    expect(after.slice(0, 6)).to.deep.equal(Array.from({ length: 6 }, () => ({ state: 'ready', tries: 0, result: null })));
    expect(after[6]).to.deep.equal({ state: 'dialing', tries: 1, result: null });

    // Export: the same members as CSV.
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(file.suggestedFilename()).to.equal(`members-${c}.csv`);
    const csv = (await readFile((await file.path())!, 'utf8')).trimEnd().split('\r\n');
    expect(csv).to.have.length(8);
    expect(csv.slice(1).map((l) => l.split(',')[1])).to.deep.equal(lost.map((_id, i) => `Lost ${i}`));

    // Cancel: nothing is deleted.
    await page.getByRole('button', { name: 'Delete…' }).click();
    expect(await question.textContent()).to.equal('Delete 6 members (filter: name starts with Lost), with their numbers and attempt history? 1 member in a call or waiting for a result will be skipped.');
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.locator('#bulk-confirm').isHidden()).to.equal(true);
    expect(await db('members').where('campaign_id', c).count({ n: '*' }).first()).to.deep.equal({ n: 12 });

    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('button', { name: 'Delete 6 members' }).click();
    await page.locator('#notice', { hasText: 'Deleted 6 members; 1 skipped (in a call or waiting for a result).' }).waitFor();
    expect((await db('members').where('campaign_id', c).orderBy('id').pluck('id')).map(Number)).to.deep.equal([lost[6], ...ids.slice(7)]);
    // The list shows what is left of the filter: the member in a call.
    await page.waitForFunction(() => document.querySelectorAll('tbody tr[id^="member-"]').length === 1);
    await b.shot('81-member-bulk-deleted');
  });
});
