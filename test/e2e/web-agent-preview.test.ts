import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { addMembers, attempts, createAgents, createCampaign, member, memberDone, number, run } from '../helpers/e2e-fixtures.js';
import { startStack, until, type Stack } from '../helpers/stack.js';
import { ensureWebBuild, launchBrowser, type TestBrowser } from '../helpers/web-browser.js';

/* P2, W5: the preview on the agent page in Chromium against the simulator: accept and skip. */
describe('web agent page: preview (P2, W5)', function () {
  this.timeout(120_000);
  let s: Stack;
  let b: TestBrowser;

  before(async () => {
    ensureWebBuild();
    s = await startStack('web_agent_preview');
    b = await launchBrowser();
  });
  afterEach(async function () {
    await b?.shotIfFailed(this.currentTest, 'agent-preview');
  });
  after(async () => {
    await b?.close();
    await s?.close();
  });

  async function agentAtDesk(page: Page, c: number, username: string): Promise<number> {
    const [ag] = await createAgents(s, 1, [c], { name: `Taras ${username}`, requires_client: true });
    const u = await s.call('POST', '/api/v2/users', { username, password: `${username}-password`, role: 'agent', agent_id: ag!.id });
    expect(u.status, JSON.stringify(u.body)).to.equal(201);
    await page.goto(`${s.url}/`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(`${username}-password`);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: `Taras ${username}`, level: 1 }).waitFor();
    await page.locator('#connection.online').waitFor();
    return ag!.id;
  }

  it('P2, W5: the member card comes first with a countdown; a skip needs a reason and dials nothing; the next preview is accepted with Y and called', async () => {
    const { page } = b;
    const c = await createCampaign(s, { name: 'Preview sales', type: 'preview', preview_sec: 300, retry_wait_sec: 600 });
    const n1 = number();
    const n2 = number();
    s.sim.setSubscriber(n2, { outcome: 'answer', afterMs: 20, talkMs: 300 });
    const [m1, m2] = await addMembers(s, c, [
      { name: 'Skip Me', priority: 5, variables: { crm_id: 'S-1' }, communications: [{ number: n1 }] },
      { name: 'Call Me', priority: 1, communications: [{ number: n2 }] },
    ]);
    await run(s, c);
    await agentAtDesk(page, c, 'preview-desk');

    const panel = page.getByRole('group', { name: 'Preview' });
    await panel.waitFor();
    await page.locator('#member-name', { hasText: 'Skip Me' }).waitFor();
    await page.locator('#progress', { hasText: 'Preview — accept to call this member, or skip it' }).waitFor();
    const left = await page.locator('#preview-left').textContent();
    expect(left).to.match(/^[45]:\d\d$/);
    expect(await page.locator('#result').isHidden()).to.equal(true);
    await b.shot('agent-preview-01-card');

    // A skip without a reason is refused next to the field; with one, nothing is dialled.
    await panel.getByRole('button', { name: 'Skip' }).click();
    const reason = page.getByLabel('Reason to skip');
    await page.locator(`#${await reason.getAttribute('id')}-err`).waitFor();
    expect(await reason.getAttribute('aria-invalid')).to.equal('true');
    await reason.fill('Spoke to them recently');
    await panel.getByRole('button', { name: 'Skip' }).click();
    await page.locator('#member-name', { hasText: 'Call Me' }).waitFor();
    const [skipped] = await attempts(s, c, m1!);
    expect(skipped).to.deep.include({ outcome: 'skipped', comment: 'Spoke to them recently', agent_cause: 'PREVIEW_SKIPPED' });
    expect(await member(s, c, m1!)).to.deep.include({ state: 'ready', tries: 0 });
    expect(s.sim.channelLog().filter((ch) => ch.name.includes(`/${n1}@`))).to.deep.equal([]);
    await b.shot('agent-preview-02-next-card');

    // Y accepts: the phone rings (the simulator answers it), then the member is called.
    await page.locator('h1').focus();
    await page.keyboard.press('y');
    await until('the accepted member called', async () => (await member(s, c, m2!)).state !== 'dialing' || null);
    expect((await memberDone(s, c, m2!)).result).to.equal('NORMAL_CLEARING');
    await until('the panel gone', async () => (await panel.isHidden()) || null);
    const [called] = await attempts(s, c, m2!);
    expect(called).to.deep.include({ preview_decision: 'accepted', outcome: 'success' });
    await b.shot('agent-preview-03-called');
  });
});
