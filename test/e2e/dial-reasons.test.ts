import { expect } from 'chai';
import { addMembers, campaignState, createAgents, createCampaign, number, run } from '../helpers/e2e-fixtures.js';
import {
  agentsUnregistered, calendarClosed, callBackLater, limitReached, lineGroupFull, reasonOf, waitingResult,
} from '../helpers/reason-scenarios.js';
import { startStack, type Stack } from '../helpers/stack.js';

/*
 * Issue 13 §1 over the simulator: the engine computes each running campaign's reason from the
 * facts the claim uses and stores it; the REST view and /stats show it, and a campaign that
 * finishes or stops by itself keeps why.
 */
describe('issue 13 §1: why a campaign is not dialling, end to end', function () {
  this.timeout(90_000);
  let s: Stack;

  before(async () => {
    s = await startStack('dial_reasons', { leaseSec: 6 });
  });
  after(async () => {
    await s?.close();
  });

  it('K2, K4: a campaign whose calendar is closed says until when, in its zone', async () => {
    const c = await calendarClosed(s, 'Closed');
    const r = await reasonOf(s, c, /^calendar closed/);
    expect(r.text).to.match(/^calendar closed until \w{3} 09:00 \(UTC\)$/);
    expect(r.code).to.equal('calendar-closed');
  });

  it('A2: Available agents whose phones are not registered', async () => {
    const c = await agentsUnregistered(s, 'Unregistered');
    const r = await reasonOf(s, c, /^no agent ready/);
    expect(r.text).to.equal('no agent ready: 2 Available but not registered');
    // /stats says the same, and the OpenAPI document declares both.
    expect((await s.call('GET', `/api/v2/dialer/${c}/stats`)).body.reason.text).to.equal(r.text);
    const doc = (await s.call('GET', '/api/openapi.json', undefined, null)).body;
    const schemaOf = (path: string) => {
      const sc = doc.paths[path].get.responses['200'].content['application/json'].schema;
      return sc.$ref ? doc.components.schemas[sc.$ref.split('/').pop()] : sc;
    };
    for (const path of ['/api/v2/dialer/{id}', '/api/v2/dialer/{id}/stats']) {
      expect(schemaOf(path).properties.reason, path).to.be.an('object');
      expect(JSON.stringify(schemaOf(path).properties.reason), path).to.include('text');
    }
  });

  it('C2: the limit reached while a call is live', async () => {
    const c = await limitReached(s, 'Limited');
    expect((await reasonOf(s, c, /^limit/)).text).to.equal('limit reached 1/1');
  });

  it('C3: the line group full, shared with the campaign holding the line', async () => {
    const c = await lineGroupFull(s, 'Second on the lines', 'First on the lines');
    expect((await reasonOf(s, c, /^line group/)).text).to.equal('line group full 1/1 (shared with First on the lines)');
  });

  it('M3: a member called back later: the time it is due', async () => {
    const c = await callBackLater(s, 'Call-back');
    const r = await reasonOf(s, c, /^next member due/);
    expect(r.text).to.match(/^next member due at (\w{3} )?\d\d:\d\d$/);
    expect(Date.parse(r.params.at) - Date.now()).to.be.greaterThan(3000 * 1000);
  });

  it('R1: every remaining member waits for a result; a call-back in an hour is then the time it is due', async () => {
    const c = await waitingResult(s, 'Waits');
    expect((await reasonOf(s, c, /^all remaining/)).text).to.equal('all remaining members wait for a result (1)');
    const [m] = (await s.call('GET', `/api/v2/dialer/${c}/members`)).body.items ?? [];
    const st = await s.call('PUT', `/api/v2/dialer/${c}/members/${m.id}/status`, { success: false, next_after_sec: 3600 });
    expect(st.status, JSON.stringify(st.body)).to.equal(200);
    const r = await reasonOf(s, c, /^next member due/);
    expect(Math.abs(Date.parse(r.params.at) - Date.now() - 3600_000)).to.be.lessThan(60_000);
  });

  it('C10: a campaign that finished by itself says why, and how many ended', async () => {
    const c = await createCampaign(s, { name: 'Short' });
    await createAgents(s, 1, [c]);
    await addMembers(s, c, [0, 1].map((i) => ({ name: `m${i}`, communications: [{ number: number() }] })));
    await run(s, c);
    await campaignState(s, c, 'finished');
    expect((await reasonOf(s, c, /^finished/)).text).to.equal('finished: no members left to call (2 ended)');
  });

  it('C10: a campaign stopped by its calendar\'s end says so; a stop on request says so', async () => {
    const c = await createCampaign(s, { name: 'Ends' }, { end_at: new Date(Date.now() + 2000).toISOString() });
    await addMembers(s, c, [{ name: 'm', communications: [{ number: number() }] }]);
    await run(s, c);
    await campaignState(s, c, 'stopped');
    expect((await reasonOf(s, c, /^stopped/)).code).to.equal('calendar-ended');
    const d = await agentsUnregistered(s, 'Stopped by hand');
    await s.call('POST', `/api/v2/dialer/${d}/stop`);
    expect((await reasonOf(s, d, /^stopped/)).text).to.equal('stopped on request');
  });

  // Last: the node stays down.
  it('F3: FreeSWITCH down: every running campaign says which node, since when', async () => {
    const node = s.cfg.freeswitch[0]!.name;
    const metrics = async () => (await fetch(`${s.url}/metrics`)).text();
    const c = await agentsUnregistered(s, 'Node down');
    await reasonOf(s, c, /^no agent ready/);
    expect(await metrics()).to.include(`dialer_freeswitch_up{node="${node}"} 1`).and.include('dialer_database_up 1').and.include('dialer_redis_up 1');
    await s.sim.shutdown('now');
    const r = await reasonOf(s, c, /^FreeSWITCH/);
    expect(r.text).to.match(new RegExp(`^FreeSWITCH ${node.replace(/\./g, '\\.')} down since \\d\\d:\\d\\d$`));
    expect(await metrics()).to.include(`dialer_freeswitch_up{node="${node}"} 0`);
  });
});
