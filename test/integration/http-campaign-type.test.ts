import { expect } from 'chai';
import { startTestApi, type TestApi } from '../helpers/http-api.js';
import { CALENDAR, countRows } from '../helpers/http-fixtures.js';

const MESSAGE = '/usr/share/freeswitch/sounds/dialer-abandon.wav';

describe('REST campaign type and pacing settings (P1, issue 18)', () => {
  let api: TestApi;
  let calendarId: number;

  before(async () => {
    api = await startTestApi('http_campaign_type');
    calendarId = (await api.call('POST', '/api/v2/calendars', CALENDAR)).body.id;
  });
  after(async () => {
    await api?.close();
  });

  const create = (extra: Record<string, unknown>) =>
    api.call('POST', '/api/v2/dialer', { name: 'Typed', calendar_id: calendarId, limit: 2, ...extra });

  it('P1: a campaign is progressive by default with the defaults of SPEC P (cap 3 %, target 80 % of it, 15 s ring)', async () => {
    const c = await create({});
    expect(c.status, JSON.stringify(c.body)).to.equal(201);
    expect(c.body).to.deep.include({
      type: 'progressive', preview_sec: 30, preview_timeout: 'return', abandon_cap_pct: 3, abandon_target_pct: 2.4,
      compliance_window: 'rolling-30-days', min_ring_sec: 15, info_message: null, dnc_opt_out_key: null, amd: false,
    });
  });

  it('P1: preview and predictive campaigns keep every setting given; the target defaults to 80 % of the cap given', async () => {
    const p = await create({ type: 'preview', preview_sec: 45, preview_timeout: 'dial' });
    expect(p.status, JSON.stringify(p.body)).to.equal(201);
    expect(p.body).to.deep.include({ type: 'preview', preview_sec: 45, preview_timeout: 'dial' });
    const d = await create({
      type: 'predictive', abandon_cap_pct: 2.5, compliance_window: 'calendar-day', min_ring_sec: 20,
      info_message: MESSAGE, dnc_opt_out_key: '9', amd: true,
    });
    expect(d.status, JSON.stringify(d.body)).to.equal(201);
    expect(d.body).to.deep.include({
      type: 'predictive', abandon_cap_pct: 2.5, abandon_target_pct: 2, compliance_window: 'calendar-day', min_ring_sec: 20,
      info_message: MESSAGE, dnc_opt_out_key: '9', amd: true,
    });
    expect((await api.call('GET', `/api/v2/dialer/${d.body.id}`)).body).to.deep.equal(d.body);
    const u = await api.call('PUT', `/api/v2/dialer/${d.body.id}`, { abandon_target_pct: 1.75, info_message: 'http_cache://https://media.example.com/abandon.wav' });
    expect(u.status, JSON.stringify(u.body)).to.equal(200);
    expect(u.body).to.deep.include({ abandon_target_pct: 1.75, info_message: 'http_cache://https://media.example.com/abandon.wav', abandon_cap_pct: 2.5 });
  });

  it('P1/S2: each bad setting is a 400 naming its field, and nothing is stored', async () => {
    const bad: Array<[string, unknown]> = [
      ['type', 'blended'], ['preview_sec', 0], ['preview_sec', 2.5], ['preview_timeout', 'skip'], ['abandon_cap_pct', 0],
      ['abandon_cap_pct', 11], ['abandon_cap_pct', 1.234], ['abandon_target_pct', -1], ['compliance_window', 'week'],
      ['min_ring_sec', 10], ['info_message', 'file with space.wav'], ['info_message', '${sounds_dir}/x.wav'],
      ['info_message', "/x.wav' evil"], ['info_message', ''], ['dnc_opt_out_key', '12'], ['dnc_opt_out_key', 'a'], ['amd', 'yes'],
    ];
    const before = await countRows(api, 'campaigns');
    for (const [field, value] of bad) {
      const r = await create({ [field]: value });
      expect(r.status, `${field}=${JSON.stringify(value)}`).to.equal(400);
      expect(r.body.error.details.issues.map((i: { path: string }) => i.path), `${field}=${JSON.stringify(value)}`).to.deep.equal([`body.${field}`]);
    }
    expect(await countRows(api, 'campaigns')).to.equal(before);
  });

  it('P1/P3/P4: rules between fields are checked on create and on the merged campaign of a PUT, naming the field', async () => {
    const before = await countRows(api, 'campaigns');
    const over = await create({ abandon_cap_pct: 2, abandon_target_pct: 2.5 });
    expect(over.status).to.equal(400);
    expect(over.body.error.message).to.equal('body.abandon_target_pct: must be at most abandon_cap_pct (2)');
    const noMessage = await create({ type: 'predictive' });
    expect(noMessage.status).to.equal(400);
    expect(noMessage.body.error.details.issues.map((i: { path: string }) => i.path)).to.deep.equal(['body.info_message']);
    const keyAlone = await create({ dnc_opt_out_key: '#' });
    expect(keyAlone.body.error.details.issues.map((i: { path: string }) => i.path)).to.deep.equal(['body.dnc_opt_out_key']);
    expect(await countRows(api, 'campaigns')).to.equal(before);

    const c = (await create({})).body;
    const lowCap = await api.call('PUT', `/api/v2/dialer/${c.id}`, { abandon_cap_pct: 2 });
    expect(lowCap.status).to.equal(400);
    expect(lowCap.body.error.message).to.equal('body.abandon_target_pct: must be at most abandon_cap_pct (2)');
    const toPredictive = await api.call('PUT', `/api/v2/dialer/${c.id}`, { type: 'predictive' });
    expect(toPredictive.status).to.equal(400);
    expect(toPredictive.body.error.message).to.contain('body.info_message');
    const unchanged = (await api.call('GET', `/api/v2/dialer/${c.id}`)).body;
    expect(unchanged).to.deep.include({ type: 'progressive', abandon_cap_pct: 3, version: c.version });
    const both = await api.call('PUT', `/api/v2/dialer/${c.id}`, { type: 'predictive', info_message: MESSAGE, abandon_cap_pct: 2, abandon_target_pct: 1.6 });
    expect(both.status, JSON.stringify(both.body)).to.equal(200);
    expect(both.body).to.deep.include({ type: 'predictive', abandon_cap_pct: 2, abandon_target_pct: 1.6 });
  });

  it('P1: the type of a running or stopping campaign does not change (409 naming type); its other settings do', async () => {
    const c = (await create({})).body;
    expect((await api.call('POST', `/api/v2/dialer/${c.id}/run`)).status).to.equal(200);
    const t = await api.call('PUT', `/api/v2/dialer/${c.id}`, { type: 'preview' });
    expect(t.status).to.equal(409);
    expect(t.body.error.message).to.match(/^type: /);
    expect(t.body.error.details).to.deep.include({ field: 'type', state: 'running' });
    const same = await api.call('PUT', `/api/v2/dialer/${c.id}`, { type: 'progressive', preview_sec: 60 });
    expect(same.status).to.equal(200);
    expect(same.body).to.deep.include({ type: 'progressive', preview_sec: 60 });
    expect((await api.call('POST', `/api/v2/dialer/${c.id}/stop`)).status).to.equal(200);
    const after = await api.call('PUT', `/api/v2/dialer/${c.id}`, { type: 'preview' });
    expect(after.status).to.equal(200);
    expect(after.body.type).to.equal('preview');
  });

  it('P1: the OpenAPI document carries the type and every setting with its default and bounds', async () => {
    const doc = (await api.call('GET', '/api/openapi.json', undefined, null)).body;
    const props = doc.paths['/api/v2/dialer'].post.requestBody.content['application/json'].schema.properties;
    expect(props.type).to.include({ default: 'progressive' });
    expect(props.type.enum).to.deep.equal(['progressive', 'preview', 'predictive']);
    expect(props.preview_sec).to.include({ type: 'integer', minimum: 5, default: 30 });
    expect(props.preview_timeout.enum).to.deep.equal(['dial', 'return']);
    expect(props.abandon_cap_pct).to.include({ default: 3, maximum: 10 });
    expect(props.compliance_window.enum).to.deep.equal(['rolling-30-days', 'calendar-day']);
    expect(props.min_ring_sec).to.include({ minimum: 15, default: 15 });
    for (const k of ['abandon_target_pct', 'info_message', 'dnc_opt_out_key', 'amd']) expect(props, k).to.have.property(k);
    const answer = doc.components?.schemas?.Campaign ?? doc.paths['/api/v2/dialer/{id}'].get.responses['200'].content['application/json'].schema;
    expect(JSON.stringify(answer)).to.contain('abandon_target_pct');
  });
});
