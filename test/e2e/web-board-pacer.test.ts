import { expect } from 'chai';
import { addMembers, createAgents, createCampaign, number, run } from '../helpers/e2e-fixtures.js';
import { startStack, STACK_ADMIN, until, type Stack } from '../helpers/stack.js';
import { ensureWebBuild, launchBrowser, loginThroughForm, type TestBrowser } from '../helpers/web-browser.js';

/*
 * Issue 18: "live boards show dial level, lines in flight": a predictive campaign's row on the live
 * board shows its pacer's last decision — dial level, lines in flight and new, the mode and why —
 * as the process holding the pacer wrote it (pacer_states).
 */
describe('the live board shows the pacer\'s decision (P3, P4, issue 18)', function () {
  this.timeout(120_000);
  let s: Stack;
  let b: TestBrowser;

  before(async () => {
    ensureWebBuild();
    s = await startStack('web_pacer');
    b = await launchBrowser();
  });
  afterEach(async function () {
    await b?.shotIfFailed(this.currentTest, 'failed-pacer');
  });
  after(async () => {
    await b?.close();
    await s?.close();
  });

  it('P3, P4: a fresh predictive campaign\'s pacer dials one line per idle agent (fewer than 100 answers known); the board says so with its dial level and lines in flight', async () => {
    const c = await createCampaign(s, { type: 'predictive', info_message: 'dialer/abandon-info.wav', max_tries: 1 });
    await createAgents(s, 1, [c]);
    const n = number();
    // the subscriber rings long: the decision that dialled it is the one on the board
    s.sim.setSubscriber(n, { outcome: 'answer', afterMs: 20_000, talkMs: 1_000 });
    await addMembers(s, c, [{ name: 'Ann', communications: [{ number: n }] }]);
    const { page } = b;
    await loginThroughForm(page, s.url, STACK_ADMIN.username, STACK_ADMIN.password);
    const row = page.locator(`#campaign-${c}`);
    await row.waitFor();
    await run(s, c);
    const kept = await until('the pacer decided with the agent on line', async () =>
      (await s.tdb.db('pacer_states').where('campaign_id', c).where('working_agents', 1).first('mode', 'reason')) ?? null, 30_000);
    expect(kept).to.deep.equal({ mode: 'progressive', reason: 'few-answers' });
    const pacer = row.locator('[data-k="pacer"]');
    await pacer.waitFor({ timeout: 20_000 });
    await until('the board shows the decision with the agent on line', async () =>
      ((await pacer.textContent()) ?? '').includes('1 agent(s)') || null, 20_000);
    const text = (await pacer.textContent()) ?? '';
    expect(text).to.match(/^pacer: dial level \d+\.\d\d \(\d+ line\(s\) in flight \+ \d+ new, 1 agent\(s\)\) · progressive, one line per idle agent: fewer than 100 answers known · at \d\d:\d\d:\d\d$/);
    await b.shot('pacer-01-board-decision');
  });
});
