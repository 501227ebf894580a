/*
 * R2 over HTTP with the API's clock in hand: a status for an attempt that already has one.
 * A different status (even with the same `success`) is a new decision and applies; the very same
 * status again is the same request and changes nothing, not even the times it would set anew.
 */
import { expect } from 'chai';
import { startTestApi, type TestApi } from '../helpers/http-api.js';
import { seedCampaign } from '../helpers/http-fixtures.js';

describe('REST result status sent again for the same attempt (R2)', () => {
  let api: TestApi;
  let campaignId: number;
  let clock = new Date();
  const later = (sec: number) => { clock = new Date(clock.getTime() + sec * 1000); };

  before(async () => {
    api = await startTestApi('http_status_repeat', { now: () => clock });
    campaignId = await seedCampaign(api, { max_tries: 5, retry_wait_sec: 60, wait_result: true, wrapup_sec: 600 });
  });
  after(async () => {
    await api?.close();
  });

  /** A member whose call ended and waits for its result (C7), as the engine leaves it. */
  async function waitingMember(name: string, number: string): Promise<number> {
    const r = await api.call('POST', `/api/v2/dialer/${campaignId}/members`, { name, communications: [{ number }] });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    const id = r.body.ids[0] as number;
    const comm = await api.tdb.db('communications').where({ member_id: id }).first('id');
    await api.tdb.db('members').where({ id }).update({ state: 'waiting_result' });
    await api.tdb.db('attempts').insert({
      campaign_id: campaignId, member_id: id, communication_id: comm.id, number, state: 'waiting_result', created_at: clock,
      hangup_cause: 'NORMAL_CLEARING', talk_sec: 30, active_member: id,
    });
    return id;
  }

  const status = (id: number, body: Record<string, unknown>) => api.call('PUT', `/api/v2/dialer/${campaignId}/members/${id}/status`, body);
  async function snapshot(id: number) {
    return {
      member: await api.tdb.db('members').where({ id }).first(),
      attempts: await api.tdb.db('attempts').where({ member_id: id }).orderBy('id'),
      communications: await api.tdb.db('communications').where({ member_id: id }).orderBy('id'),
    };
  }
  const storedStatus = async (id: number) => {
    const a = await api.tdb.db('attempts').where({ member_id: id }).orderBy('id', 'desc').first('result_status', 'comment');
    return { status: typeof a.result_status === 'string' ? JSON.parse(a.result_status) : a.result_status, comment: a.comment };
  };

  it('R2: a second, different success:false status for the same attempt applies; sent once more, byte for byte, it changes nothing', async () => {
    const id = await waitingMember('two failures', '380502220001');
    const first = { success: false, next_after_sec: 3600, comment: 'call back in an hour' };
    const r1 = await status(id, first);
    expect(r1.status, JSON.stringify(r1.body)).to.equal(200);
    expect(r1.body).to.deep.include({ state: 'ready', tries: 1, ready_at: new Date(clock.getTime() + 3600_000).toISOString() });

    later(60);
    const second = { success: false, next_after_sec: 5, next_communication: '380502229999', comment: 'try the mobile soon' };
    const r2 = await status(id, second);
    expect(r2.status, JSON.stringify(r2.body)).to.equal(200);
    // Applied as sent, and the one attempt is not counted a second time.
    expect(r2.body).to.deep.include({ state: 'ready', tries: 1, ready_at: new Date(clock.getTime() + 5000).toISOString() });
    expect(r2.body.communications.map((c: { number: string }) => c.number)).to.include('380502229999');
    expect(await storedStatus(id)).to.deep.equal({ status: second, comment: 'try the mobile soon' });

    const before = await snapshot(id);
    later(60);
    const r3 = await status(id, second);
    expect(r3.status, JSON.stringify(r3.body)).to.equal(200);
    expect(r3.body).to.deep.equal(r2.body);
    expect(await snapshot(id), 'the repeat changed nothing').to.deep.equal(before);
  });

  it('R2: success:true sent again byte for byte is answered as before; a different success:true for the finished member is a 409 and changes nothing', async () => {
    const id = await waitingMember('one success', '380502220002');
    const done = { success: true, comment: 'sold' };
    const r1 = await status(id, done);
    expect(r1.status, JSON.stringify(r1.body)).to.equal(200);
    expect(r1.body).to.deep.include({ state: 'done', result: 'NORMAL_CLEARING' });
    const before = await snapshot(id);

    later(60);
    const again = await status(id, done);
    expect(again.status, JSON.stringify(again.body)).to.equal(200);
    expect(again.body).to.deep.equal(r1.body);
    later(60);
    const other = await status(id, { success: true, comment: 'sold twice' });
    expect(other.status, JSON.stringify(other.body)).to.equal(409);
    expect(other.body.error.message).to.equal('member already finished with result NORMAL_CLEARING');
    expect(await snapshot(id), 'neither the repeat nor the late status changed anything').to.deep.equal(before);
  });
});
