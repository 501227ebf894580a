import { expect } from 'chai';
import { TEST_ADMIN, type TestApi } from '../helpers/http-api.js';
import { ensureWebBuild, launchBrowser, loginThroughForm, startWebApi, type TestBrowser, type WebApi } from '../helpers/web-browser.js';

/*
 * Issue 13 §2: every agent shows its time in state, and a talking agent its call timer, counted
 * from the server's instants and clock (agents.state_since, migration 011), not from the browser's:
 * the browser's clock here runs three hours behind the server's.
 */
describe('web client in the browser: time in state and call timer (issue 13 §2)', function () {
  this.timeout(120_000);
  let w: WebApi;
  let api: TestApi;
  let b: TestBrowser;

  before(async () => {
    ensureWebBuild();
    w = await startWebApi('web_in_state');
    api = w.api;
    b = await launchBrowser();
  });
  afterEach(async function () {
    await b?.shotIfFailed(this.currentTest, 'failed-in-state');
  });
  after(async () => {
    await b?.close();
    await w?.close();
  });

  it('A1, A5, issue 13 §2: the state change itself sets state_since; the board shows it for every state, On Break for hours and In a queue call with a talk timer, on the server\'s clock', async () => {
    const { db } = api.tdb;
    const cal = await api.call('POST', '/api/v2/calendars', { name: 'Always', timezone: 'UTC',
      windows: [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start: '00:00', end: '24:00' })) });
    const c = (await api.call('POST', '/api/v2/dialer', { name: 'Timers', calendar_id: cal.body.id, limit: 3 })).body.id as number;
    const [member] = (await api.call('POST', `/api/v2/dialer/${c}/members`, [{ name: 'Olena', communications: [{ number: '+380501234567' }] }])).body.ids as number[];
    const resting = (await api.call('POST', '/api/v2/agents', { name: 'Resting', sip_user: '4001@pbx.example.com' })).body.id as number;
    const talking = (await api.call('POST', '/api/v2/agents', { name: 'Talking', sip_user: '4002@pbx.example.com' })).body.id as number;
    const sinceOf = async (id: number) => new Date((await db('agents').where('id', id).first('state_since')).state_since).getTime();

    // The status change writes state_since in its own statement; a write that changes neither keeps it.
    const before = await sinceOf(resting);
    expect((await api.call('PUT', `/api/v2/agents/${resting}/status`, { status: 'On Break' })).status).to.equal(200);
    const onBreak = await sinceOf(resting);
    expect(onBreak).to.be.at.least(before);
    await db('agents').where('id', resting).update({ no_answer_count: 2 });
    expect(await sinceOf(resting)).to.equal(onBreak);

    // Server-side figures: On Break for 2 h 3 min, talking for 75 s after 80 s in the state.
    const { now } = ((await db.raw('SELECT NOW(3) AS now'))[0] as Array<{ now: Date }>)[0]!;
    const ago = (sec: number) => new Date(new Date(now).getTime() - sec * 1000);
    await db('agents').where('id', resting).update({ state_since: ago(2 * 3600 + 3 * 60) });
    const [attempt] = await db('attempts').insert({ campaign_id: c, member_id: member, communication_id: 0, number: '+380501234567',
      agent_id: talking, state: 'talking', created_at: ago(90), answered_at: ago(75) });
    await db('agents').where('id', talking).update({ status: 'Available', state: 'In a queue call', attempt_id: attempt });
    await db('agents').where('id', talking).update({ state_since: ago(80) });

    const { page } = b;
    // Three hours behind: a board that counted from this browser's clock would show 0:00 everywhere.
    await page.clock.setSystemTime(Date.now() - 3 * 3600_000);
    await loginThroughForm(page, api.url, TEST_ADMIN.username, TEST_ADMIN.password);
    w.feed.agent(resting);
    w.feed.agent(talking);
    const restingRow = page.locator(`#agent-${resting}`);
    const talkingRow = page.locator(`#agent-${talking}`);
    await restingRow.locator('[data-k="in-state"]', { hasText: /^2:0[34]:\d\d$/ }).waitFor({ timeout: 20_000 });
    await talkingRow.locator('[data-k="in-state"]', { hasText: /^1:[2-5]\d$/ }).waitFor({ timeout: 20_000 });
    expect(await talkingRow.locator('[data-k="call"]').textContent()).to.match(/^\+380501234567 · talking · talking 1:[1-4]\d$/);
    expect(await restingRow.locator('[data-k="state"]').textContent()).to.equal('Waiting');

    // Every agent has a time in state, whatever it is; and it ticks.
    const shown = await page.locator('#agents-board [data-k="in-state"]').allTextContents();
    expect(shown.every((t) => /^\d+:\d\d(:\d\d)?$/.test(t)), shown.join(',')).to.equal(true);
    const first = await talkingRow.locator('[data-k="call-timer"]').textContent();
    await page.waitForFunction(([sel, was]) => document.querySelector(sel!)?.textContent !== was,
      [`#agent-${talking} [data-k="call-timer"]`, first], { timeout: 10_000 });
    await b.shot('70-time-in-state');
  });
});
