import { expect } from 'chai';
import {
  agentsUnregistered, calendarClosed, callBackLater, limitReached, lineGroupFull, reasonOf,
} from '../helpers/reason-scenarios.js';
import { startStack, STACK_ADMIN, type Stack } from '../helpers/stack.js';
import { ensureWebBuild, launchBrowser, loginThroughForm, type TestBrowser } from '../helpers/web-browser.js';

/*
 * Issue 13 §1 in Chromium: the live board shows each running campaign's reason as text beside its
 * state, the campaign page too, and the dependencies' health; all by push.
 */
describe('web client: why a campaign is not dialling, on the board', function () {
  this.timeout(120_000);
  let s: Stack;
  let b: TestBrowser;

  before(async () => {
    ensureWebBuild();
    s = await startStack('web_reasons', { leaseSec: 6 });
    b = await launchBrowser();
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await b?.shot('reasons-failed').catch(() => undefined);
  });
  after(async () => {
    await b?.close();
    await s?.close();
  });

  it('A2, K2, C2, C3, M3, F3: unregistered agents, a closed calendar, the limit, a full line group, a call-back, a node down', async () => {
    const { page } = b;
    const cases: Array<[number, RegExp]> = [
      [await agentsUnregistered(s, 'Unregistered'), /^no agent ready: 2 Available but not registered$/],
      [await calendarClosed(s, 'Closed'), /^calendar closed until \w{3} 09:00 \(UTC\)$/],
      [await limitReached(s, 'Limited'), /^limit reached 1\/1$/],
      [await lineGroupFull(s, 'Second', 'First'), /^line group full 1\/1 \(shared with First\)$/],
      [await callBackLater(s, 'Call-back'), /^next member due at (\w{3} )?\d\d:\d\d$/],
    ];
    for (const [id, text] of cases) await reasonOf(s, id, text);

    await loginThroughForm(page, s.url, STACK_ADMIN.username, STACK_ADMIN.password);
    for (const [id, text] of cases) {
      const reason = page.locator(`#campaign-${id} [data-k="reason"]`);
      await reason.waitFor();
      expect((await reason.textContent())!.trim()).to.match(text);
    }
    const node = s.cfg.freeswitch[0]!.name;
    const health = page.locator('#board-health');
    await health.getByText(`FreeSWITCH ${node} up`).waitFor();
    expect(await health.textContent()).to.include('Database up').and.include('Redis up');
    await b.shot('30-reasons-board');

    // The campaign page says it beside the state.
    await page.locator(`#campaign-${cases[0]![0]}`).getByRole('link', { name: 'Unregistered' }).click();
    await page.locator('.campaign-state .reason', { hasText: 'no agent ready: 2 Available but not registered' }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Live boards', exact: true }).click();

    // FreeSWITCH goes away: the board says so, by push, for the campaign and in the health line.
    await s.sim.shutdown('now');
    await page.locator(`#campaign-${cases[0]![0]} [data-k="reason"]`, { hasText: new RegExp(`FreeSWITCH ${node.replace(/\./g, '\\.')} down since \\d\\d:\\d\\d`) })
      .waitFor({ timeout: 20_000 });
    await health.getByText(new RegExp(`FreeSWITCH ${node.replace(/\./g, '\\.')} down since`)).waitFor({ timeout: 20_000 });
    await b.shot('31-reasons-node-down');
  });
});
