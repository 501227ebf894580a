import { claimBest } from '../helpers/claim-best.js';
import { expect } from 'chai';
import { MysqlDispatchStore } from '../../src/adapters/mysql/claim-store.js';
import type { ClaimResult, OpenCampaign } from '../../src/app/ports/dispatch-store.js';
import type { AgentState, AgentStatus } from '../../src/domain/agent-state.js';
import { chooseClaim, isDialable, orderCampaigns, type ClaimAgent, type ClaimCampaign, type ClaimChoice, type ClaimMember } from '../../src/domain/selection.js';
import { int, prng } from '../helpers/prng.js';
import { seeder } from '../helpers/seed.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';

/*
 * Issue 14: one statement of each selection rule. The claim's SQL (claim-store.ts) is the rule
 * production runs; domain/selection.ts chooseClaim (with agent-state.ts canTakeCall) states the
 * same rules in plain code. Random worlds of campaigns (priorities, fair-share counts, limits,
 * shared line groups, live calls, open zones), agents (status, state, delays, registration,
 * CTI client, tiers) and members (state, priority, due time, expiry, zone) go through both; the
 * choice (agent, campaign, member, or none) must be the same. Seeded: a failure names its seed
 * and repeats.
 */
const ZONES = ['Europe/Kyiv', 'Asia/Tokyo'];
const STATUSES: AgentStatus[] = ['Available', 'Available', 'Available', 'Available', 'Available', 'Available', 'On Break', 'Logged Out'];
const STATES: AgentState[] = ['Waiting', 'Waiting', 'Waiting', 'Waiting', 'Waiting', 'Waiting', 'Waiting', 'Reserved', 'In a queue call', 'Wrap up'];
const MEMBER_STATES: ClaimMember['state'][] = ['ready', 'ready', 'ready', 'ready', 'ready', 'ready', 'dialing', 'waiting_result', 'done'];
const WORLDS = 120;

describe('selection oracle: the claim\'s SQL and domain/selection.ts choose alike (A2, W2, C2, C3, M3, M4, K3; issue 14)', function () {
  this.timeout(120_000);
  let t: TestDatabase;
  let store: MysqlDispatchStore;
  before(async () => {
    t = await createTestDatabase('selection_oracle');
    store = new MysqlDispatchStore(t.db);
  });
  after(async () => { await t?.drop(); });

  async function clear(): Promise<void> {
    for (const table of ['attempts', 'tiers', 'communications', 'campaign_zones', 'members', 'registrations', 'agents', 'campaigns', 'line_groups', 'calendars']) {
      await t.db(table).del();
    }
  }

  /** Builds one random world in the database and as the oracle's values; runs both. */
  async function world(seed: number): Promise<{ sql: ClaimChoice; oracle: ClaimChoice; size: string; choices: { campaigns: number; members: number } }> {
    const r = prng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[int(r, xs.length)]!;
    const db = t.db;
    const seed_ = seeder(db);
    const now = new Date(Date.UTC(2026, 11, 4, 12, 0, 0, 0));
    // Coarse instants, so ties (same due time, same idle time) are common and their order is tested.
    const around = (spanSec: number) => new Date(now.getTime() + (int(r, 2 * spanSec + 1) - spanSec) * 1000);
    /** Mostly past (due, delay over), sometimes around now. */
    const mostlyPast = (spanSec: number) => (r() < 0.75 ? new Date(now.getTime() - int(r, spanSec + 1) * 1000) : around(spanSec));

    const groups: Array<{ id: number; capacity: number }> = [];
    for (let i = 0; i < int(r, 3); i++) {
      const capacity = r() < 0.15 ? 0 : 1 + int(r, 4);
      groups.push({ id: await seed_.lineGroup(capacity), capacity });
    }
    const campaigns: Array<{ id: number; priority: number; dialled: number; limit: number; group: number | null; open: OpenCampaign | null }> = [];
    for (let i = 0; i < 2 + int(r, 3); i++) {
      const group = groups.length && r() < 0.6 ? pick(groups).id : null;
      const c = { priority: int(r, 2), dialled: int(r, 4), limit: r() < 0.15 ? 0 : 1 + int(r, 4), group };
      const id = await seed_.campaign({ priority: c.priority, call_limit: c.limit, line_group_id: group });
      await db('campaigns').where('id', id).update({ dialled: c.dialled });
      // Most campaigns may dial now; some are closed (their calendar shut): not offered to the claim.
      const open = r() < 0.85 ? { id, lineGroupId: group, calendarZoneOpen: r() < 0.85, openZones: ZONES.filter(() => r() < 0.7) } : null;
      campaigns.push({ id, ...c, open });
    }

    const members: ClaimMember[] = [];
    let n = 0;
    for (const c of campaigns) {
      for (let i = 0; i < 2 + int(r, 6); i++) {
        const m = { campaignId: c.id, state: pick(MEMBER_STATES), priority: int(r, 3), readyAt: mostlyPast(5),
          expireAt: r() < 0.8 ? null : around(5), timezone: r() < 0.5 ? null : pick(ZONES) };
        const [id] = await db('members').insert({ campaign_id: c.id, name: `m${i}`, priority: m.priority, timezone: m.timezone, variables: '{}',
          state: m.state, ready_at: m.readyAt, expire_at: m.expireAt });
        await db('communications').insert({ member_id: id, campaign_id: c.id, number: `5${String(++n).padStart(6, '0')}`, position: 0 });
        members.push({ id: id!, ...m });
      }
      // Live calls holding the campaign's lines (C2) and its group's (C3), on a member of their own.
      const live = r() < 0.5 ? 0 : int(r, 3);
      if (live) {
        const [holder] = await db('members').insert({ campaign_id: c.id, name: 'live', variables: '{}', state: 'done', ready_at: now });
        for (let k = 0; k < live; k++) {
          await db('attempts').insert({ campaign_id: c.id, member_id: holder, communication_id: 0, number: '0', state: 'talking',
            created_at: now, live_campaign: c.id, live_line_group: c.group });
        }
      }
    }

    const agents: ClaimAgent[] = [];
    const present: number[] = [];
    for (let i = 0; i < 2 + int(r, 5); i++) {
      const sip = `${2000 + i}@pbx`;
      const v = { status: pick(STATUSES), state: pick(STATES), readyAt: mostlyPast(3), requiresClient: r() < 0.2, idleSince: around(4) };
      const [id] = await db('agents').insert({ name: `a${i}`, sip_user: sip, status: v.status, state: v.state, call_timeout: 10, wrapup_sec: 0,
        max_no_answer: 3, busy_delay_sec: 5, reject_delay_sec: 5, no_answer_delay_sec: 5, ready_at: v.readyAt, idle_since: v.idleSince,
        requires_client: v.requiresClient });
      // Registered on the node that is up, on one that is down, or nowhere.
      const node = pick(['fs1', 'fs1', 'fs1', 'fs1', 'fs2', null]);
      if (node) await db('registrations').insert({ sip_user: sip, node });
      const online = r() < 0.6;
      if (online) present.push(id!);
      const tiers = campaigns.filter(() => r() < 0.7).map((c) => c.id);
      for (const c of tiers) await db('tiers').insert({ campaign_id: c, agent_id: id });
      agents.push({ id: id!, idleSince: v.idleSince, campaignIds: tiers,
        view: { status: v.status, state: v.state, readyAt: v.readyAt, noAnswerCount: 0, wrapupSec: 0, maxNoAnswer: 3, busyDelaySec: 5,
          rejectDelaySec: 5, noAnswerDelaySec: 5, registered: node === 'fs1', requiresClient: v.requiresClient, clientOnline: online } });
    }

    const opened = campaigns.filter((c) => c.open);
    const liveOf = async (column: 'live_campaign' | 'live_line_group', id: number) =>
      Number((await db('attempts').where(column, id).count({ n: '*' }).first())!.n);
    const claimCampaigns: ClaimCampaign[] = [];
    for (const c of opened) {
      const g = groups.find((x) => x.id === c.group);
      claimCampaigns.push({ id: c.id, priority: c.priority, dialled: c.dialled, limit: c.limit, live: await liveOf('live_campaign', c.id),
        lineGroupFree: g ? g.capacity - (await liveOf('live_line_group', g.id)) : null, calendarZoneOpen: c.open!.calendarZoneOpen, openZones: c.open!.openZones });
    }
    const oracle = chooseClaim(agents, claimCampaigns, members, now);
    const res: ClaimResult = await claimBest(store, { now, instanceId: 'oracle', leaseUntil: new Date(now.getTime() + 30_000), upNodes: ['fs1'],
      campaigns: opened.map((c) => c.open!), presentAgentIds: present, excludeAgentIds: [], slot: 0 });
    const sql: ClaimChoice = res.kind === 'claimed' ? { kind: 'claimed', agentId: res.attempt.agentId, campaignId: res.attempt.campaignId, memberId: res.attempt.memberId }
      : res.kind === 'agent-idle' ? { kind: 'agent-idle', agentId: res.agentId } : { kind: 'no-agent' };
    // How much choosing there was: the agent's campaigns that could serve, and the chosen one's dialable members.
    const choices = { campaigns: 0, members: 0 };
    if (oracle.kind === 'claimed') {
      const agent = agents.find((a) => a.id === oracle.agentId)!;
      const dialable = (c: ClaimCampaign) => members.filter((m) => m.campaignId === c.id && isDialable(m, c, now));
      const serving = orderCampaigns(claimCampaigns.filter((c) => agent.campaignIds.includes(c.id)))
        .map((id) => claimCampaigns.find((c) => c.id === id)!).filter((c) => dialable(c).length > 0);
      choices.campaigns = serving.length;
      choices.members = dialable(claimCampaigns.find((c) => c.id === oracle.campaignId)!).length;
    }
    return { sql, oracle, size: `${campaigns.length} campaigns, ${members.length} members, ${agents.length} agents`, choices };
  }

  it(`A2, W2, C2, C3, M3, M4, K3: ${WORLDS} random worlds, one claim each: the same agent, campaign and member (or none)`, async () => {
    const kinds = { claimed: 0, 'agent-idle': 0, 'no-agent': 0, 'between campaigns': 0, 'between members': 0 };
    for (let seed = 1; seed <= WORLDS; seed++) {
      await clear();
      const { sql, oracle, size, choices } = await world(seed);
      expect(sql, `seed ${seed} (${size})`).to.deep.equal(oracle);
      kinds[sql.kind]++;
      if (choices.campaigns > 1) kinds['between campaigns']++;
      if (choices.members > 1) kinds['between members']++;
    }
    // The worlds cover every outcome, often enough to mean something.
    expect(kinds.claimed, JSON.stringify(kinds)).to.be.at.least(WORLDS / 5);
    expect(kinds['agent-idle'], JSON.stringify(kinds)).to.be.at.least(WORLDS / 10);
    expect(kinds['no-agent'], JSON.stringify(kinds)).to.be.at.least(WORLDS / 10);
    // Claims that chose between campaigns (C3) and between members (M3), not just took the only one.
    expect(kinds['between campaigns'], JSON.stringify(kinds)).to.be.at.least(WORLDS / 10);
    expect(kinds['between members'], JSON.stringify(kinds)).to.be.at.least(WORLDS / 10);
    console.log(`      ${JSON.stringify(kinds)}`);
  });
});
