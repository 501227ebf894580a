import { expect } from 'chai';
import { startTestApi, type TestApi } from '../helpers/http-api.js';
import { seeder } from '../helpers/seed.js';

/*
 * Q1, Q2: the wrap-up after an attempt is stored on it when the agent leaves Wrap up (migration
 * 013's triggers on agents, whatever writer ends it), exported as wrap_up_sec and part of the
 * campaign report's handle time.
 */
describe('Q1, Q2: wrap-up seconds per attempt (migration 013)', function () {
  this.timeout(60_000);
  let api: TestApi;
  let campaignId = 0;
  let agentId = 0;
  let memberId = 0;

  before(async () => {
    api = await startTestApi('wrap_up');
    const seed = seeder(api.tdb.db);
    campaignId = await seed.campaign();
    [memberId] = (await seed.members(campaignId, 1)) as [number];
    [agentId] = (await seed.agents(1, [campaignId])) as [number];
  });
  after(async () => { await api?.close(); });

  /** An attempt the agent talks on from `iso`, ended after `talkSec`; the agent goes to Wrap up then. */
  async function call(iso: string, talkSec: number): Promise<number> {
    const db = api.tdb.db;
    const t = Date.parse(iso);
    const [id] = await db('attempts').insert({ campaign_id: campaignId, member_id: memberId, communication_id: 1, number: '100',
      state: 'done', agent_id: agentId, created_at: new Date(t), agent_answered_at: new Date(t + 2000), answered_at: new Date(t + 4000),
      ended_at: new Date(t + 4000 + talkSec * 1000), talk_sec: talkSec, outcome: 'success' });
    await db('agents').where('id', agentId).update({ state: 'In a queue call', attempt_id: id, updated_at: new Date(t + 4000) });
    // The call's end: one statement clears attempt_id and enters Wrap up (call-store freeAgent).
    await db('agents').where('id', agentId).update({ state: 'Wrap up', attempt_id: null, updated_at: new Date(t + 4000 + talkSec * 1000) });
    return id!;
  }
  const wrapOf = async (id: number) => (await api.tdb.db('attempts').where('id', id).first('wrap_up_sec')).wrap_up_sec;

  it('Q1: the wrap-up ends at the next state change, not at a status set during it: its seconds are on the attempt it followed', async () => {
    const db = api.tdb.db;
    const first = await call('2026-11-02T10:00:00Z', 30);
    expect(await wrapOf(first), 'while the wrap-up runs').to.equal(null);
    // A change of something else (a delay) does not end it.
    await db('agents').where('id', agentId).update({ no_answer_count: 1, updated_at: new Date('2026-11-02T10:00:40Z') });
    expect(await wrapOf(first)).to.equal(null);
    await db('agents').where('id', agentId).update({ state: 'Waiting', updated_at: new Date('2026-11-02T10:00:54.400Z') });
    expect(await wrapOf(first), '10:00:34 to 10:00:54.4').to.equal(20);

    const second = await call('2026-11-02T10:05:00Z', 10);
    const r = await api.call('PUT', `/api/v2/agents/${agentId}/status`, { status: 'On Break' });
    expect(r.status).to.equal(200);
    // A break asked for during the wrap-up: the state stays Wrap up, and so does its start.
    expect((await db('agents').where('id', agentId).first('state')).state).to.equal('Wrap up');
    expect(await wrapOf(second)).to.equal(null);
    await db('agents').where('id', agentId).update({ state: 'Waiting', updated_at: new Date('2026-11-02T10:05:44Z') });
    expect(await wrapOf(second), '10:05:14 to 10:05:44').to.equal(30);
    expect((await db('agents').where('id', agentId).first('wrap_up_attempt_id')).wrap_up_attempt_id).to.equal(null);
    expect(await wrapOf(first), 'the first attempt keeps its own').to.equal(20);
  });

  it('Q1, Q2: the export has wrap_up_sec; the report\'s handle time adds it', async () => {
    const csv = await api.call('GET', `/api/v2/dialer/${campaignId}/attempts/export?from=2026-11-02T10:00:00Z&to=2026-11-02T10:01:00Z`);
    expect(csv.status).to.equal(200);
    const [head, line] = String(csv.body).split('\r\n');
    const cols = head!.split(',');
    expect(cols.slice(cols.indexOf('talk_sec'), cols.indexOf('talk_sec') + 3)).to.deep.equal(['talk_sec', 'wrap_up_sec', 'outcome']);
    expect(line!.split(',')[cols.indexOf('wrap_up_sec')]).to.equal('20');
    const rep = await api.call('GET', `/api/v2/dialer/${campaignId}/reports?interval=hour&from=2026-11-02T10:00:00Z&to=2026-11-02T10:01:00Z`);
    expect(rep.status, JSON.stringify(rep.body)).to.equal(200);
    // Agent's answer at 10:00:02, end at 10:00:34 (32 s), then 20 s of wrap-up.
    expect(rep.body.totals.avg_handle_sec).to.equal(52);
  });

  it('M5, Q1: the member\'s attempt history has wrap_up_sec (null while a wrap-up runs)', async () => {
    const running = await call('2026-11-02T10:10:00Z', 5);
    const r = await api.call('GET', `/api/v2/dialer/${campaignId}/members/${memberId}/attempts`);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    const wraps = new Map((r.body as Array<{ id: number; wrap_up_sec: number | null }>).map((a) => [a.id, a.wrap_up_sec]));
    expect([...wraps.values()].slice(0, 2), 'the two ended wrap-ups above').to.deep.equal([20, 30]);
    expect(wraps.get(running)).to.equal(null);
    expect(wraps.size).to.equal(3);
  });
});
