import { expect } from 'chai';
import { pino } from 'pino';
import type { Page } from 'playwright-core';
import { FreeSwitchTelephony } from '../../src/adapters/freeswitch/telephony.js';
import { freePorts } from '../../src/adapters/free-port.js';
import type { Config } from '../../src/config.js';
import { startRuntime, type Runtime } from '../../src/runtime.js';
import { seriousAxeFindings } from '../helpers/axe.js';
import { addMembers, attempts, createAgents, createCampaign, hangUpSubscriber, member, number, run } from '../helpers/e2e-fixtures.js';
import { startStack, until, type Stack } from '../helpers/stack.js';
import { ensureWebBuild, launchBrowser, type TestBrowser } from '../helpers/web-browser.js';

/*
 * W5: the agent page in Chromium against the simulator. The page is served by a process that
 * does not dial (as in agent-socket.test.ts): the calls run on the stack's engine and reach the
 * page through Redis; that process can be stopped and started again on the same port to see the
 * page reconnect.
 */
describe('web agent page against the simulator (W5)', function () {
  this.timeout(180_000);
  let s: Stack;
  let b: TestBrowser;
  let apiOnly: Runtime | undefined;
  let cfg: Config;
  let url: string;

  const startApiOnly = async () => {
    const log = pino({ level: process.env.STACK_LOG ?? 'silent' });
    const telephony = new FreeSwitchTelephony({ nodes: cfg.freeswitch, outbound: cfg.outbound, sofiaProfile: cfg.sofiaProfile,
      routeContext: cfg.routeContext, log });
    apiOnly = await startRuntime({ cfg, log, telephony });
  };

  before(async () => {
    ensureWebBuild();
    s = await startStack('web_agent');
    const [port] = await freePorts(1);
    cfg = { ...s.cfg, engine: false, instanceId: `${s.cfg.instanceId}-web`, http: { ...s.cfg.http, port: port! } };
    await startApiOnly();
    url = `http://127.0.0.1:${port}`;
    b = await launchBrowser();
  });
  afterEach(async function () {
    await b?.shotIfFailed(this.currentTest, 'agent-page');
  });
  after(async () => {
    await b?.close();
    await apiOnly?.close();
    await s?.close();
  });

  /**
   * An agent user for a new agent in campaign `c`, logged in with the keyboard only; on its page,
   * online. Whatever login a test before left in the browser is dropped first.
   */
  async function agentAtDesk(page: Page, c: number, username: string, phone: Record<string, unknown> = {},
    agent: Record<string, unknown> = {}): Promise<number> {
    // W2: offered calls only while this page is connected.
    const [ag] = await createAgents(s, 1, [c], { name: `Olena ${username}`, wrapup_sec: 120, requires_client: true, ...agent }, phone);
    const u = await s.call('POST', '/api/v2/users', { username, password: `${username}-password`, role: 'agent', agent_id: ag!.id });
    expect(u.status, JSON.stringify(u.body)).to.equal(201);
    await b.context.clearCookies();
    await page.goto(`${url}/`);
    await page.getByLabel('Username').waitFor();
    await page.keyboard.type(username); // the log-in form focuses Username
    await page.keyboard.press('Tab');
    await page.keyboard.type(`${username}-password`);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: `Olena ${username}`, level: 1 }).waitFor();
    await page.locator('#connection.online', { hasText: 'Online' }).waitFor();
    return ag!.id;
  }

  it('W1, W5: an agent user lands on its page, sees no supervisor menu, and works a call from reservation to result with the keyboard only', async () => {
    const { page } = b;
    const c = await createCampaign(s, { name: 'Renewals', wait_result: true, wrapup_sec: 120, allow_end_wrap_up_early: true, max_tries: 3 });
    // The phone rings 3 s before it answers (within a ring time of 20 s): the card is on screen while it rings.
    const agentId = await agentAtDesk(page, c, 'desk-kbd', { afterMs: 3_000 }, { call_timeout: 20 });
    expect(new URL(page.url()).pathname).to.equal('/agent');
    expect(await page.getByRole('link', { name: 'Campaigns' }).count()).to.equal(0);
    // A supervisor's page typed in the address bar leads back to the agent's own.
    await page.goto(`${url}/campaigns`);
    await page.waitForURL(`${url}/agent`);
    await page.locator('#connection.online').waitFor();
    expect(await page.getByRole('button', { name: /^Available/ }).getAttribute('aria-pressed')).to.equal('true');

    // B: a break with the reason typed; A: available again.
    await page.keyboard.press('r');
    await page.keyboard.type('Coffee');
    await page.keyboard.press('Escape');
    await page.keyboard.press('b');
    await page.locator('#agent-state', { hasText: 'On Break (Coffee)' }).waitFor();
    expect(await page.getByRole('button', { name: /^On Break/ }).getAttribute('aria-pressed')).to.equal('true');
    await page.keyboard.press('a');
    await page.locator('#agent-state', { hasText: 'Waiting for a call' }).waitFor();

    const n = number();
    const other = number();
    // The subscriber stays on the line until the test has seen the call up, then hangs up.
    s.sim.setSubscriber(n, { outcome: 'answer', afterMs: 20, talkMs: 600_000 });
    const [m] = await addMembers(s, c, [{ name: 'Ada Lovelace', priority: 7, variables: { crm_id: 'C-42' },
      communications: [{ number: n }, { number: other }] }]);
    await run(s, c);

    // The card comes with the reservation, before the phone is answered.
    await page.locator('#progress', { hasText: /Reserved|ringing/ }).waitFor({ timeout: 40_000 });
    expect(await page.locator('#member-name').textContent()).to.equal('Ada Lovelace');
    const cardText = await page.locator('#call-card').textContent();
    expect(cardText).to.include(n).and.to.include('Renewals').and.to.include('crm_id').and.to.include('C-42');
    expect(cardText).to.include('None: this is the first call.');
    await b.shot('40-agent-card-ringing');

    await page.locator('#progress', { hasText: 'Talking' }).waitFor();
    await page.locator('#talk-timer', { hasText: /^0:0\d$/ }).waitFor();
    await b.shot('41-agent-talking');
    expect(await seriousAxeFindings(page), 'axe on the agent page during a call').to.deep.equal([]);

    await hangUpSubscriber(s, n);
    await page.locator('#progress', { hasText: /^Subscriber hung up · NORMAL_CLEARING · talked \d+:\d\d$/ }).waitFor();
    await page.locator('#countdown', { hasText: /left$/ }).waitFor();
    await page.getByRole('button', { name: /^End wrap-up/ }).waitFor();

    // Failure with a call-back in 30 minutes on the other number, the number called stopped, a comment.
    await page.keyboard.press('t');
    await page.keyboard.type('30');
    await page.keyboard.press('Escape');
    await page.keyboard.press('n');
    await page.keyboard.type(other);
    await page.keyboard.press('Escape');
    await page.keyboard.press('x');
    await page.keyboard.press('c');
    await page.keyboard.type('asked for a call back after lunch; s and f typed here send nothing');
    await page.keyboard.press('Escape');
    await b.shot('42-agent-result-filled');
    await page.keyboard.press('f');
    await page.locator('#result-state', { hasText: 'Result accepted' }).waitFor();
    const [attempt] = await attempts(s, c, m!);
    expect(attempt).to.include({ agent_id: agentId, comment: 'asked for a call back after lunch; s and f typed here send nothing' });
    expect(attempt.result_status).to.deep.include({ success: false, next_after_sec: 1800, next_communication: other, stop_communications: [n] });
    const after = await member(s, c, m!);
    expect(after.state).to.not.equal('done');
    expect(after.communications.find((x: any) => x.number === n).state).to.equal('stopped');

    // E: the campaign allows ending the wrap-up early.
    await page.keyboard.press('e');
    await page.locator('#agent-state', { hasText: 'Waiting for a call' }).waitFor();
    await b.shot('43-agent-after-result');
  });

  it('W5: a reload mid-call keeps the card and the call\'s progress; H hangs up; S sends success', async () => {
    const { page } = b;
    const c = await createCampaign(s, { name: 'Reload', wait_result: true, wrapup_sec: 120, max_tries: 3 });
    await agentAtDesk(page, c, 'desk-reload');
    const n = number();
    s.sim.setSubscriber(n, { outcome: 'answer', afterMs: 20, talkMs: 120_000 });
    const [m] = await addMembers(s, c, [{ name: 'Grace Hopper', communications: [{ number: n }] }]);
    await run(s, c);
    // Within the dispatch latency; generous on a loaded machine.
    await page.locator('#progress', { hasText: 'Talking' }).waitFor({ timeout: 40_000 });

    await page.reload();
    await page.locator('#connection.online').waitFor();
    await page.locator('#progress', { hasText: 'Talking' }).waitFor();
    expect(await page.locator('#member-name').textContent()).to.equal('Grace Hopper');
    expect(await page.locator('#call-card').textContent()).to.include(n);
    await b.shot('44-agent-reloaded-mid-call');

    await page.keyboard.press('h');
    await page.locator('#progress', { hasText: /^You hung up · / }).waitFor();
    expect(await page.getByRole('button', { name: /^Hang up/ }).isVisible()).to.equal(false);
    await page.keyboard.press('s');
    await page.locator('#result-state', { hasText: 'Result accepted: success' }).waitFor();
    expect((await member(s, c, m!)).state).to.equal('done');
  });

  it('W2, W5: the connection state says reconnecting when the server goes, offline after the grace, and online again when it is back', async () => {
    const { page } = b;
    await page.locator('#connection.online').waitFor();
    // The server closes the sockets (1001) first, then finishes its own shutdown.
    const closing = apiOnly!.close();
    apiOnly = undefined;
    await page.locator('#connection.reconnecting', { hasText: 'Reconnecting' }).waitFor();
    await b.shot('45-agent-reconnecting');
    await closing;
    await page.locator('#connection.offline', { hasText: 'Offline — no calls are offered' }).waitFor({ timeout: 30_000 });
    expect(await page.locator('#connection-why').textContent()).to.match(/; trying again$/);
    expect(await page.getByRole('button', { name: /^Available/ }).isDisabled()).to.equal(true);
    await startApiOnly();
    await page.locator('#connection.online', { hasText: 'Online' }).waitFor({ timeout: 30_000 });
    expect(await page.locator('#connection-why').textContent()).to.equal('');
    expect(await page.getByRole('button', { name: /^Available/ }).isDisabled()).to.equal(false);
    await until('the page still shows the last call', async () => (await page.locator('#member-name').textContent()) === 'Grace Hopper');
  });
});
