import { expect } from 'chai';
import { addMembers, campaignState, createAgents, createCampaign, stats } from '../helpers/e2e-fixtures.js';
import { startStack, STACK_ADMIN, until, type Stack } from '../helpers/stack.js';
import { ensureWebBuild, launchBrowser, loginThroughForm, type TestBrowser } from '../helpers/web-browser.js';

/*
 * Issue 13 §2: "Dialled" has one definition (src/domain/campaign-figures.ts). The live board in Chromium
 * and GET /stats give the same figures for a campaign, one of whose attempts ended at the
 * agent's leg (not a dial, A3) — the case where the definitions used to differ.
 */
describe('the live board\'s figures equal /stats (issue 13 §2)', function () {
  this.timeout(120_000);
  let s: Stack;
  let b: TestBrowser;

  before(async () => {
    ensureWebBuild();
    s = await startStack('web_figures');
    b = await launchBrowser();
  });
  afterEach(async function () {
    await b?.shotIfFailed(this.currentTest, 'failed-figures');
  });
  after(async () => {
    await b?.close();
    await s?.close();
  });

  it('issue 13 §2: Dialled, succeeded, failed, remaining, members and live calls on the board are those of /stats; an attempt that failed at the agent is not dialled', async () => {
    const c = await createCampaign(s, { name: 'Figures', limit: 1, retry_wait_sec: 1 });
    // The agent's phone is busy first: that attempt ends at the agent's leg.
    const [agent] = await createAgents(s, 1, [c], { name: 'Iryna', busy_delay_sec: 1 }, { answer: 'busy' });
    const numbers = ['5551001', '5551002', '5551003', '5551004', '5551005', '5551006'];
    for (const n of numbers) s.sim.setSubscriber(n, { outcome: n.endsWith('2') ? 'busy' : 'answer', afterMs: 50, talkMs: 300 });
    await addMembers(s, c, numbers.map((n, i) => ({ name: `m${i}`, communications: [{ number: n }] })));
    const { page } = b;
    await loginThroughForm(page, s.url, STACK_ADMIN.username, STACK_ADMIN.password);
    const row = page.locator(`#campaign-${c}`);
    await row.waitFor();
    expect((await s.call('POST', `/api/v2/dialer/${c}/run`)).status).to.equal(200);
    await until('an attempt failed at the agent', async () => (await stats(s, c)).attempts >= 1);
    s.sim.setAgent(agent!.sipUser, { answer: 'answer' });
    await until('three subscribers dialled', async () => (await stats(s, c)).dialled >= 3, 40_000);
    // Mid-campaign: stopped with members left, so the figures hold still while compared.
    expect((await s.call('POST', `/api/v2/dialer/${c}/stop`)).status).to.equal(200);
    await campaignState(s, c, 'stopped', 30_000);
    const st = await stats(s, c);
    expect(st.attempts).to.be.greaterThan(st.dialled);
    expect(st.members.done).to.be.lessThan(st.members.total);
    // The board counts members at most once a second (LiveBoards): compare once it has caught up.
    const cell = async (k: string) => (await row.locator(`[data-k="${k}"]`).textContent()) ?? '';
    const figures = async () => {
      const now = await stats(s, c);
      return {
        board: { dialled: Number(await cell('dialled')), succeeded: Number(await cell('succeeded')), failed: Number(await cell('failed')),
          remaining: Number(await cell('remaining')), live: (await cell('live')).split(' ')[0], members: await cell('members') },
        stats: { dialled: now.dialled, succeeded: now.succeeded, failed: now.failed, remaining: now.members.total - now.members.done, live: String(now.live_calls),
          members: `${now.members.ready} ready · ${now.members.dialing} in a call · ${now.members.waiting_result} waiting for a result · ${now.members.done} ended` },
      };
    };
    let last = await figures();
    await until('the board shows /stats\' figures', async () => {
      last = await figures();
      return JSON.stringify(last.board) === JSON.stringify(last.stats);
    }, 20_000).catch(() => undefined);
    expect(last.board).to.deep.equal(last.stats);
    expect(last.board.dialled).to.equal(st.dialled);
    // A busy subscriber's member is still to be tried, the answered ones succeeded.
    expect(last.stats.succeeded).to.be.greaterThan(0);
    await b.shot('figures-01-board-equals-stats');
  });
});
