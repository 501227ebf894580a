import { expect } from 'chai';
import { addMembers, campaignState, createAgents, createCampaign } from '../helpers/e2e-fixtures.js';
import { startStack, STACK_ADMIN, until, type Stack } from '../helpers/stack.js';
import { ensureWebBuild, launchBrowser, loginThroughForm, type TestBrowser } from '../helpers/web-browser.js';

/*
 * The whole product (FreeSWITCH simulator, adapter, engine, REST API and the web client) in
 * Chromium: run a campaign from the live board, watch the agent and the progress change by
 * push, stop it from the board.
 */
describe('web client live boards against the simulator', function () {
  this.timeout(120_000);
  let s: Stack;
  let b: TestBrowser;

  before(async () => {
    ensureWebBuild();
    s = await startStack('web_live');
    b = await launchBrowser();
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await b?.shot('live-failed').catch(() => undefined);
  });
  after(async () => {
    await b?.close();
    await s?.close();
  });

  it('A5, C2, C10, M5: Run on the board dials; the agent board shows the call, progress counts up live with focus kept on Stop; Stop stops it; the history names agent and call ids', async () => {
    const c = await createCampaign(s, { name: 'Live board campaign', limit: 1, retry_wait_sec: 1, min_success_sec: 0 });
    const [agent] = await createAgents(s, 1, [c], { name: 'Taras', wrapup_sec: 1 });
    for (let i = 10; i < 24; i++) s.sim.setSubscriber(`5550${i}`, { outcome: 'answer', afterMs: 50, talkMs: 1500 });
    await addMembers(s, c, Array.from({ length: 14 }, (_v, i) => ({ name: `m${i}`, communications: [{ number: `5550${i + 10}` }] })));

    const { page } = b;
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await loginThroughForm(page, s.url, STACK_ADMIN.username, STACK_ADMIN.password);
    const campaignRow = page.locator(`#campaign-${c}`);
    const agentRow = page.locator(`#agent-${agent!.id}`);
    await campaignRow.waitFor();
    await agentRow.locator('td', { hasText: /^yes/ }).waitFor(); // registered on the simulator (A2)
    expect(await campaignRow.locator('[data-k="remaining"]').textContent()).to.equal('14');
    expect(await agentRow.locator('[data-k="state"]').textContent()).to.equal('Waiting');
    await b.shot('20-live-before-run');
    const loadsBefore = requests.filter((u) => new URL(u).pathname === '/').length;

    await campaignRow.getByRole('button', { name: 'Run campaign Live board campaign' }).click();
    // The agent's current call appears on the board by push.
    await agentRow.locator('[data-k="call"]', { hasText: /^5550\d\d · / }).waitFor({ timeout: 20_000 });
    await campaignRow.locator('span.state', { hasText: 'running' }).waitFor();
    await b.shot('21-live-calling');
    expect(await campaignRow.textContent()).to.match(/[01] \/ 1/);

    // Progress counts up without a reload.
    await until('two members succeeded on the board', async () =>
      Number(await campaignRow.locator('[data-k="succeeded"]').textContent()) >= 2, 40_000);
    const dialled = Number(await campaignRow.locator('[data-k="dialled"]').textContent());
    expect(dialled).to.be.at.least(2);
    expect(await campaignRow.textContent()).to.include('NORMAL_CLEARING');
    await b.shot('22-live-progress');

    // a11y: on the campaign page and the campaigns list, keyboard focus stays on Stop while pushes change them.
    const changes = async (selector: string, n: number) => {
      for (let i = 0; i < n; i++) {
        const was = await page.locator(selector).textContent();
        await page.waitForFunction(([sel, prev]) => document.querySelector(sel!)?.textContent !== prev, [selector, was], { timeout: 20_000 });
      }
    };
    const focusedLabel = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
    await campaignRow.getByRole('link', { name: 'Live board campaign' }).click();
    await page.getByRole('button', { name: 'Stop campaign Live board campaign' }).focus();
    await changes('.campaign-state', 2);
    expect(await focusedLabel()).to.equal('Stop campaign Live board campaign');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns', exact: true }).click();
    await page.getByRole('button', { name: 'Stop campaign Live board campaign' }).focus();
    await changes(`#campaign-row-${c}`, 1);
    expect(await focusedLabel()).to.equal('Stop campaign Live board campaign');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Live boards', exact: true }).click();

    await campaignRow.getByRole('button', { name: 'Stop campaign Live board campaign' }).click();
    await campaignState(s, c, 'stopped', 20_000);
    await campaignRow.locator('span.state', { hasText: /^stopped$/ }).waitFor();
    await agentRow.locator('[data-k="call"]', { hasText: '—' }).waitFor();
    // A3: wrap-up ends by the engine's timer, and the board hears of it.
    await agentRow.locator('[data-k="state"]', { hasText: /^Waiting$/ }).waitFor();
    const remaining = Number(await campaignRow.locator('[data-k="remaining"]').textContent());
    expect(remaining).to.be.greaterThan(0);
    const stats = await s.call('GET', `/api/v2/dialer/${c}/stats`);
    expect(stats.body.members.total - stats.body.members.done).to.equal(remaining);
    await b.shot('23-live-stopped');

    // M5: a dialled member's history names the agent and the call ids. The page's first list (no
    // filter) is held back until after the filtered one, as a loaded server may answer: arriving
    // late, it must not replace the list asked for last (and close the history opened in it).
    const unfiltered = (u: string) => /\/members\?/.test(u) && !new URL(u).searchParams.has('state');
    let heldBack = false;
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => { release = resolve; });
    await page.route(/\/api\/v2\/dialer\/\d+\/members\?/, async (route) => {
      if (!heldBack && unfiltered(route.request().url())) {
        heldBack = true;
        await released;
      }
      await route.continue();
    });
    const late = page.waitForResponse((r) => unfiltered(r.url()));
    await campaignRow.getByRole('link', { name: 'Live board campaign' }).click();
    await page.getByRole('link', { name: 'Members', exact: true }).first().click();
    await page.getByLabel('State').selectOption('done');
    await page.getByRole('button', { name: 'Filter' }).click();
    const list = page.locator('#member-list[aria-busy="false"]');
    await list.waitFor();
    release();
    await late;
    expect(heldBack, 'the first list was held back').to.equal(true);
    await page.unroute(/\/api\/v2\/dialer\/\d+\/members\?/);
    // Time for the late answer to be (wrongly) shown; what is checked is the list, not the time.
    await new Promise((r) => setTimeout(r, 500));
    await list.waitFor();
    const states = await list.locator(':scope > table > tbody > tr:not(.history) > td:nth-child(5)').allTextContents();
    expect(states).to.not.be.empty;
    expect(new Set(states), 'only the filtered members are listed').to.deep.equal(new Set(['done']));
    await page.getByRole('cell', { name: 'NORMAL_CLEARING' }).first().waitFor();
    await page.getByRole('button', { name: /^History of member/ }).first().click();
    const attempts = page.locator('table.inner tbody tr').first();
    await attempts.waitFor();
    const cells = await attempts.locator('td').allTextContents();
    expect(cells[2]).to.equal('Taras');
    expect(cells.join(' ')).to.match(/agent leg [0-9a-f-]{36}/).and.to.match(/subscriber leg [0-9a-f-]{36}/);
    expect(cells[3], 'agent answered').to.not.equal('');
    await b.shot('24-live-history');
    // Everything above arrived by push: the page was never reloaded.
    expect(requests.filter((u) => new URL(u).pathname === '/').length).to.equal(loadsBefore);
  });
});
