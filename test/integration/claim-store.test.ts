import { claimBest, type BestClaimInput } from '../helpers/claim-best.js';
import { expect } from 'chai';
import { MysqlDispatchStore } from '../../src/adapters/mysql/claim-store.js';
import type { ClaimResult, OpenCampaign } from '../../src/app/ports/dispatch-store.js';
import { seeder } from '../helpers/seed.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';

describe('claim store (MySQL)', () => {
  let t: TestDatabase;
  let store: MysqlDispatchStore;
  let seed: ReturnType<typeof seeder>;
  before(async () => {
    t = await createTestDatabase('claim');
    store = new MysqlDispatchStore(t.db);
    seed = seeder(t.db);
  });
  after(async () => { await t?.drop(); });
  afterEach(async () => {
    for (const table of ['attempts', 'tiers', 'communications', 'campaign_zones', 'members', 'agents', 'dnc', 'campaigns', 'line_groups', 'calendars']) {
      await t.db(table).del();
    }
  });

  const open = (id: number, zones: string[] = []): OpenCampaign => ({ id, lineGroupId: null, calendarZoneOpen: true, openZones: zones });
  const input = (campaigns: OpenCampaign[], exclude: number[] = []): BestClaimInput => ({
    now: new Date(), instanceId: 'test', leaseUntil: new Date(Date.now() + 30_000), upNodes: ['fs1'], campaigns, excludeAgentIds: exclude,
  });

  /** Claims until nothing is left, like a dispatch pass. */
  async function drain(campaigns: OpenCampaign[]): Promise<ClaimResult[]> {
    const out: ClaimResult[] = [];
    const exclude: number[] = [];
    for (let i = 0; i < 500; i++) {
      const r = await claimBest(store, input(campaigns, exclude));
      if (r.kind === 'no-agent') break;
      if (r.kind === 'agent-idle') { exclude.push(r.agentId); continue; }
      out.push(r);
    }
    return out;
  }

  it('C2: live calls of a campaign never exceed its limit with 4 claimers at once', async () => {
    const c = await seed.campaign({ call_limit: 3 });
    await seed.agents(20, [c]);
    await seed.members(c, 50);
    const results = (await Promise.all([1, 2, 3, 4].map(() => drain([open(c)])))).flat();
    expect(results).to.have.length(3);
    const live = await t.db('attempts').where('live_campaign', c).count({ n: '*' }).first();
    expect(Number(live!.n)).to.equal(3);
    const members = new Set(results.map((r) => r.kind === 'claimed' && r.attempt.memberId));
    expect(members.size).to.equal(3);
  });

  it('W2: an agent that requires a client is claimed only while the engine lists it as present; the others as before', async () => {
    const c = await seed.campaign({ call_limit: 10 });
    const [needs, plain] = await seed.agents(2, [c]);
    await t.db('agents').where('id', needs).update({ requires_client: true });
    await seed.members(c, 5);
    const first = await claimBest(store, input([open(c)]));
    expect(first.kind === 'claimed' && first.attempt.agentId).to.equal(plain);
    // The plain agent is busy now; the one without a client is not offered the other members.
    expect((await claimBest(store, input([open(c)]))).kind).to.equal('no-agent');
    expect((await claimBest(store, { ...input([open(c)]), presentAgentIds: [plain!] })).kind).to.equal('no-agent');
    const present = await claimBest(store, { ...input([open(c)]), presentAgentIds: [needs!] });
    expect(present.kind === 'claimed' && present.attempt.agentId).to.equal(needs);
  });

  it('C3: a shared line group caps both campaigns and serves the higher priority first', async () => {
    const lg = await seed.lineGroup(2);
    const low = await seed.campaign({ call_limit: 10, line_group_id: lg, priority: 1 });
    const high = await seed.campaign({ call_limit: 10, line_group_id: lg, priority: 5 });
    await seed.agents(6, [low, high]);
    await seed.members(low, 10);
    await seed.members(high, 10);
    const results = await drain([open(low), open(high)]);
    expect(results).to.have.length(2);
    for (const r of results) expect(r.kind === 'claimed' && r.attempt.campaignId).to.equal(high);
  });

  it('C3: equal priorities share fairly', async () => {
    const a = await seed.campaign({ call_limit: 10 });
    const b = await seed.campaign({ call_limit: 10 });
    await seed.agents(8, [a, b]);
    await seed.members(a, 10);
    await seed.members(b, 10);
    const results = await drain([open(a), open(b)]);
    const perCampaign = results.map((r) => r.kind === 'claimed' ? r.attempt.campaignId : 0);
    expect(perCampaign.filter((x) => x === a)).to.have.length(4);
    expect(perCampaign.filter((x) => x === b)).to.have.length(4);
  });

  it('M3: members are taken by priority, then by how long they have been ready', async () => {
    const c = await seed.campaign({ call_limit: 10 });
    await seed.agents(3, [c]);
    const ids = await seed.members(c, 6, {
      priority: (i) => (i === 4 ? 9 : 0),
      readyAt: (i) => new Date(Date.UTC(2020, 0, 1, 0, 0, 10 - i)),
    });
    const results = await drain([open(c)]);
    expect(results.map((r) => r.kind === 'claimed' && r.attempt.memberId)).to.deep.equal([ids[4], ids[5], ids[3]]);
  });

  it('K3: only members whose own zone is open are claimed', async () => {
    const c = await seed.campaign({ call_limit: 10 });
    await seed.agents(10, [c]);
    await seed.members(c, 9, { timezone: (i) => ['Asia/Tokyo', 'Europe/Berlin', 'America/New_York'][i % 3]! });
    const results = await drain([{ id: c, lineGroupId: null, calendarZoneOpen: false, openZones: ['Europe/Berlin'] }]);
    expect(results).to.have.length(3);
    const zones = await t.db('members').whereIn('id', results.map((r) => r.kind === 'claimed' ? r.attempt.memberId : 0)).pluck('timezone');
    expect(new Set(zones)).to.deep.equal(new Set(['Europe/Berlin']));
  });

  /** Nine members, three each in a zone closed now, a zone open now and no zone (K3); higher priority first as given. */
  async function membersInThreeZones(c: number, priority: (zone: string | null) => number) {
    const zones = ['Asia/Tokyo', 'Europe/Berlin', null];
    const ids = await seed.members(c, 9, { timezone: (i) => zones[i % 3]!, priority: (i) => priority(zones[i % 3]!) });
    const zoneOf = new Map(ids.map((id, i) => [id, zones[i % 3]!]));
    return async (o: OpenCampaign) => (await drain([o])).map((r) => (r.kind === 'claimed' ? zoneOf.get(r.attempt.memberId) : 'none'));
  }

  it('K3: calendar zone open, member zone closed: not claimed; no zone follows the calendar (mixed zones)', async () => {
    const c = await seed.campaign({ call_limit: 10 });
    await seed.agents(10, [c]);
    // The closed-zone members rank first (M3): only their own zone may keep them back.
    const claimedZones = await membersInThreeZones(c, (zone) => (zone === 'Asia/Tokyo' ? 9 : 0));
    const zones = await claimedZones({ id: c, lineGroupId: null, calendarZoneOpen: true, openZones: ['Europe/Berlin'] });
    expect(zones).to.have.length(6);
    expect(zones.filter((z) => z === 'Europe/Berlin')).to.have.length(3);
    expect(zones.filter((z) => z === null)).to.have.length(3);
  });

  it('K3: calendar zone closed, member zone open: claimed; no zone follows the calendar (mixed zones)', async () => {
    const c = await seed.campaign({ call_limit: 10 });
    await seed.agents(10, [c]);
    const claimedZones = await membersInThreeZones(c, (zone) => (zone === 'Europe/Berlin' ? 0 : 9));
    const zones = await claimedZones({ id: c, lineGroupId: null, calendarZoneOpen: false, openZones: ['Europe/Berlin'] });
    expect(zones).to.deep.equal(['Europe/Berlin', 'Europe/Berlin', 'Europe/Berlin']);
  });

  it('A2: only Available, Waiting, registered agents on an up node with no pending delay get a call', async () => {
    const c = await seed.campaign({ call_limit: 10 });
    const [onBreak] = await seed.agents(1, [c], { status: 'On Break' });
    const [unregistered] = await seed.agents(1, [c], { node: null });
    const [otherNode] = await seed.agents(1, [c], { node: 'fs2' });
    const [delayed, good] = await seed.agents(2, [c]);
    await t.db('agents').where('id', delayed).update({ ready_at: new Date(Date.now() + 60_000) });
    await seed.members(c, 10);
    const results = await drain([open(c)]);
    expect(results.map((r) => r.kind === 'claimed' && r.attempt.agentId)).to.deep.equal([good]);
    expect([onBreak, unregistered, otherNode, delayed]).to.not.include(good);
  });

  it('M4: an expired member is never claimed', async () => {
    const c = await seed.campaign({ call_limit: 10 });
    await seed.agents(2, [c]);
    await seed.members(c, 2, { expireAt: new Date(Date.now() - 1000) });
    expect(await drain([open(c)])).to.have.length(0);
  });

  it('DNC is checked at dial time: a listed number is stopped and its member ends', async () => {
    const c = await seed.campaign({ call_limit: 10 });
    await seed.agents(2, [c]);
    const [m1, m2] = await seed.members(c, 2);
    const number = await t.db('communications').where('member_id', m1).first('number');
    await t.db('dnc').insert({ campaign_id: null, number: number.number });
    const results = await drain([open(c)]);
    expect(results.map((r) => r.kind === 'claimed' && r.attempt.memberId)).to.deep.equal([m2]);
    const ended = await t.db('members').where('id', m1).first('state', 'result');
    expect(ended).to.deep.equal({ state: 'done', result: 'DNC' });
  });

  it('a member has at most one live attempt (unique active_member)', async () => {
    const c = await seed.campaign({ call_limit: 10 });
    await seed.agents(1, [c]);
    const [m] = await seed.members(c, 1);
    const [r] = await drain([open(c)]);
    expect(r!.kind).to.equal('claimed');
    let err: unknown;
    try {
      await t.db('attempts').insert({ campaign_id: c, member_id: m, communication_id: 1, number: '1', created_at: new Date(), active_member: m });
    } catch (e) { err = e; }
    expect(err).to.have.property('code', 'ER_DUP_ENTRY');
  });

  it('A5 (issue 13 §2): the claim\'s own UPDATE of the agent sets state_since to its instant; a write that keeps status and state keeps it', async () => {
    const c = await seed.campaign({ call_limit: 1 });
    const [agent] = await seed.agents(1, [c]);
    await seed.members(c, 1);
    const at = new Date(Date.now() - 5_000);
    const r = await claimBest(store, { ...input([open(c)]), now: at });
    expect(r.kind).to.equal('claimed');
    const since = async () => new Date((await t.db('agents').where('id', agent!).first('state_since')).state_since).getTime();
    expect(await since()).to.equal(at.getTime());
    await t.db('agents').where('id', agent!).update({ no_answer_count: 1, updated_at: new Date() });
    expect(await since()).to.equal(at.getTime());
  });
});
