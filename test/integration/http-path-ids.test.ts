import { expect } from 'chai';
import { startTestApi, type TestApi } from '../helpers/http-api.js';
import { countRows, seedCampaign } from '../helpers/http-fixtures.js';

// Each would be read as 1 (or as a valid id) by a lenient number parse.
const JUNK = ['%201', '1%20', '1e0', '0x1', '1.0', '+1', '01', '-1', '0', '1_0', '9007199254740993', '99999999999999999999'];

describe('REST ids in paths are strict (S5, S2)', () => {
  let api: TestApi;
  let campaignId: number;
  let memberId: number;
  let agentId: number;

  before(async () => {
    api = await startTestApi('http_path_ids');
    campaignId = await seedCampaign(api);
    expect(campaignId).to.equal(1);
    const added = await api.call('POST', `/api/v2/dialer/${campaignId}/members`, [{ name: 'M', communications: [{ number: '380500000001' }] }]);
    expect(added.status).to.be.oneOf([200, 201]);
    memberId = (await api.tdb.db('members').first('id')).id;
    expect(memberId).to.equal(1);
    agentId = (await api.call('POST', '/api/v2/agents', { name: 'Anna', sip_user: '1001@pbx.local' })).body.id;
    expect(agentId).to.equal(1);
    expect((await api.call('POST', `/api/v2/dialer/${campaignId}/tiers`, { agent_id: agentId, level: 1 })).status).to.be.oneOf([200, 201]);
  });
  after(async () => {
    await api?.close();
  });

  it('S5: DELETE /api/v2/dialer/<junk> is 400 naming params.id and deletes nothing', async () => {
    for (const junk of JUNK) {
      const r = await api.call('DELETE', `/api/v2/dialer/${junk}`);
      expect(r.status, junk).to.equal(400);
      expect(r.body.error.code, junk).to.equal('VALIDATION_FAILED');
      expect(r.body.error.message, junk).to.match(/^params\.id: /);
    }
    expect(await countRows(api, 'campaigns')).to.equal(1);
    expect((await api.call('GET', `/api/v2/dialer/${campaignId}`)).status).to.equal(200);
  });

  it('S5: a junk member id, agent id or tier agent id is 400 naming that parameter; nothing changes', async () => {
    for (const junk of JUNK) {
      const m = await api.call('DELETE', `/api/v2/dialer/${campaignId}/members/${junk}`);
      expect(m.status, junk).to.equal(400);
      expect(m.body.error.message, junk).to.match(/^params\.mid: /);
      const c = await api.call('GET', `/api/v2/dialer/${junk}/members/${memberId}`);
      expect(c.status, junk).to.equal(400);
      expect(c.body.error.message, junk).to.match(/^params\.id: /);
      const a = await api.call('PUT', `/api/v2/agents/${junk}`, { name: 'Changed' });
      expect(a.status, junk).to.equal(400);
      expect(a.body.error.message, junk).to.match(/^params\.id: /);
      const t = await api.call('DELETE', `/api/v2/dialer/${campaignId}/tiers/${junk}`);
      expect(t.status, junk).to.equal(400);
      expect(t.body.error.message, junk).to.match(/^params\.agentId: /);
    }
    expect(await countRows(api, 'members')).to.equal(1);
    expect(await countRows(api, 'tiers')).to.equal(1);
    expect((await api.tdb.db('agents').first('name')).name).to.equal('Anna');
  });

  it('S5: the plain spelling still works', async () => {
    expect((await api.call('GET', `/api/v2/dialer/${campaignId}/members/${memberId}`)).status).to.equal(200);
    expect((await api.call('GET', '/api/v2/agents/2')).status).to.equal(404);
  });
});
