import { expect } from 'chai';
import { TEST_ADMIN } from '../helpers/http-api.js';
import { CALENDAR } from '../helpers/http-fixtures.js';
import { ensureWebBuild, launchBrowser, loginThroughForm, startWebApi, type TestBrowser, type WebApi } from '../helpers/web-browser.js';

describe('web client: campaign type and its settings (P1, issue 18)', function () {
  this.timeout(120_000);
  let w: WebApi;
  let b: TestBrowser;

  before(async () => {
    ensureWebBuild();
    w = await startWebApi('web_campaign_type');
    b = await launchBrowser();
    await w.api.call('POST', '/api/v2/calendars', CALENDAR);
  });
  afterEach(async function () {
    await b?.shotIfFailed(this.currentTest, 'campaign-type');
  });
  after(async () => {
    await b?.close();
    await w?.close();
  });

  it('P1: the form shows the settings of the chosen type; a target above the cap is shown next to the target; predictive and preview campaigns are saved', async () => {
    const { page } = b;
    await loginThroughForm(page, w.api.url, TEST_ADMIN.username, TEST_ADMIN.password);
    await page.goto(`${w.api.url}/campaigns/new`);
    await page.getByLabel('Name', { exact: true }).fill('Predictive sales');
    expect(await page.getByLabel('Abandon cap, %').isVisible()).to.equal(false);
    expect(await page.getByLabel('Preview time, seconds').isVisible()).to.equal(false);
    await page.getByLabel('Type').selectOption('predictive');
    expect(await page.getByLabel('Preview time, seconds').isVisible()).to.equal(false);
    await page.getByLabel('Abandon cap, %').fill('2');
    const target = page.getByLabel('Abandon target, %');
    expect(await target.inputValue()).to.equal('2.4');
    await page.getByLabel('Compliance window').selectOption('calendar-day');
    await page.getByLabel('Minimum ring time, seconds').fill('20');
    await page.getByLabel('Information message').fill('/usr/share/freeswitch/sounds/dialer-abandon.wav');
    await page.getByLabel('Opt-out key').selectOption('9');
    await page.getByLabel('Answering-machine detection').check();
    await page.getByRole('button', { name: 'Create campaign' }).click();
    const err = page.locator(`#${await target.getAttribute('id')}-err`);
    await err.waitFor();
    expect(await err.textContent()).to.contain('must be at most abandon_cap_pct (2)');
    expect(await target.getAttribute('aria-invalid')).to.equal('true');
    await b.shot('campaign-type-01-target-over-cap');
    await target.fill('1.5');
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.waitForURL(/\/campaigns\/\d+$/);
    const id = Number(new URL(page.url()).pathname.split('/').pop());
    const saved = (await w.api.call('GET', `/api/v2/dialer/${id}`)).body;
    expect(saved).to.deep.include({
      type: 'predictive', abandon_cap_pct: 2, abandon_target_pct: 1.5, compliance_window: 'calendar-day', min_ring_sec: 20,
      info_message: '/usr/share/freeswitch/sounds/dialer-abandon.wav', dnc_opt_out_key: '9', amd: true,
    });
    await b.shot('campaign-type-02-predictive-saved');

    await page.getByLabel('Type').selectOption('preview');
    expect(await page.getByLabel('Abandon cap, %').isVisible()).to.equal(false);
    await page.getByLabel('Preview time, seconds').fill('40');
    await page.getByLabel('When the preview time passes').selectOption('dial');
    // The notice of the creation may still be on screen: the PUT's answer says the save is done.
    const put = page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().endsWith(`/api/v2/dialer/${id}`));
    await page.getByRole('button', { name: 'Save campaign' }).click();
    expect((await put).status()).to.equal(200);
    const preview = (await w.api.call('GET', `/api/v2/dialer/${id}`)).body;
    expect(preview).to.deep.include({ type: 'preview', preview_sec: 40, preview_timeout: 'dial', abandon_target_pct: 1.5 });
    await page.reload();
    expect(await page.getByLabel('Preview time, seconds').inputValue()).to.equal('40');
    expect(await page.getByLabel('Abandon cap, %').isVisible()).to.equal(false);
  });
});
