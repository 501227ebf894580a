import { expect } from 'chai';
import type { AgentScript } from '../../src/simulator/index.js';
import { until, type Stack } from './stack.js';

let seq = 0;
const ALL_WEEK = [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start: '00:00', end: '24:00' }));

/** Calendar (open all week unless given) + campaign through REST. */
export async function createCampaign(s: Stack, campaign: Record<string, unknown> = {}, calendar: Record<string, unknown> = {}): Promise<number> {
  const cal = await s.call('POST', '/api/v2/calendars', { name: `cal${++seq}`, timezone: 'UTC', windows: ALL_WEEK, ...calendar });
  expect(cal.status, JSON.stringify(cal.body)).to.equal(201);
  const c = await s.call('POST', '/api/v2/dialer', {
    name: `campaign${++seq}`, calendar_id: cal.body.id, limit: 10, retry_wait_sec: 1, max_tries: 3, min_success_sec: 0,
    wait_result: false, wrapup_sec: 0, ...campaign,
  });
  expect(c.status, JSON.stringify(c.body)).to.equal(201);
  return c.body.id;
}

/** Agents (Available, in the campaigns' tiers) with scripted phones registered on the simulator. */
export async function createAgents(s: Stack, n: number, campaignIds: number[], agent: Record<string, unknown> = {},
  script: AgentScript = {}): Promise<{ id: number; sipUser: string }[]> {
  const out: { id: number; sipUser: string }[] = [];
  for (let i = 0; i < n; i++) {
    const sipUser = `${2000 + ++seq}@127.0.0.1`;
    s.sim.setAgent(sipUser, script);
    if (script.registered !== false) s.sim.register(sipUser);
    const a = await s.call('POST', '/api/v2/agents', {
      name: `agent ${sipUser}`, sip_user: sipUser, call_timeout: 5, wrapup_sec: 0, max_no_answer: 3,
      busy_delay_sec: 1, reject_delay_sec: 1, no_answer_delay_sec: 1, ...agent,
    });
    expect(a.status, JSON.stringify(a.body)).to.equal(201);
    for (const c of campaignIds) {
      const t = await s.call('POST', `/api/v2/dialer/${c}/tiers`, { agent_id: a.body.id, level: 1 });
      expect(t.status, JSON.stringify(t.body)).to.be.oneOf([200, 201]);
    }
    const st = await s.call('PUT', `/api/v2/agents/${a.body.id}/status`, { status: 'Available' });
    expect(st.status, JSON.stringify(st.body)).to.equal(200);
    out.push({ id: a.body.id, sipUser });
  }
  return out;
}

export async function addMembers(s: Stack, campaignId: number, members: Record<string, unknown>[]): Promise<number[]> {
  const r = await s.call('POST', `/api/v2/dialer/${campaignId}/members`, members);
  expect(r.status, JSON.stringify(r.body)).to.equal(201);
  return r.body.ids;
}

export async function run(s: Stack, campaignId: number): Promise<void> {
  const r = await s.call('POST', `/api/v2/dialer/${campaignId}/run`);
  expect(r.status, JSON.stringify(r.body)).to.equal(200);
}

export async function member(s: Stack, campaignId: number, memberId: number) {
  const r = await s.call('GET', `/api/v2/dialer/${campaignId}/members/${memberId}`);
  expect(r.status).to.equal(200);
  return r.body;
}

export async function attempts(s: Stack, campaignId: number, memberId: number): Promise<any[]> {
  const r = await s.call('GET', `/api/v2/dialer/${campaignId}/members/${memberId}/attempts`);
  expect(r.status).to.equal(200);
  return Array.isArray(r.body) ? r.body : r.body.items;
}

/** Waits until the member has ended, and returns it. */
export function memberDone(s: Stack, campaignId: number, memberId: number, timeoutMs = 20_000) {
  return until(`member ${memberId} done`, async () => {
    const m = await member(s, campaignId, memberId);
    return m.state === 'done' ? m : null;
  }, timeoutMs);
}

export function campaignState(s: Stack, campaignId: number, state: string, timeoutMs = 20_000) {
  return until(`campaign ${campaignId} ${state}`, async () => {
    const c = await s.call('GET', `/api/v2/dialer/${campaignId}`);
    return c.body.state === state ? c.body : null;
  }, timeoutMs);
}

export function number(): string {
  return `555${String(++seq).padStart(6, '0')}`;
}

/** C3: a line group (shared capacity) through REST. */
export async function createLineGroup(s: Stack, capacity: number): Promise<number> {
  const r = await s.call('POST', '/api/v2/line-groups', { name: `lines${++seq}`, capacity });
  expect(r.status, JSON.stringify(r.body)).to.equal(201);
  return r.body.id;
}

export async function agent(s: Stack, agentId: number) {
  const r = await s.call('GET', `/api/v2/agents/${agentId}`);
  expect(r.status).to.equal(200);
  return r.body;
}

export async function stats(s: Stack, campaignId: number) {
  const r = await s.call('GET', `/api/v2/dialer/${campaignId}/stats`);
  expect(r.status).to.equal(200);
  return r.body;
}

/** Waits until the campaign has no member left to dial or in a call (finished campaigns included). */
export function allDone(s: Stack, campaignId: number, timeoutMs = 30_000) {
  return until(`campaign ${campaignId} members all done`, async () => {
    const st = await stats(s, campaignId);
    return st.members.total > 0 && st.members.done === st.members.total ? st : null;
  }, timeoutMs);
}

/** Waits until the member's attempt count reaches n, and returns the attempts. */
export function attemptsReach(s: Stack, campaignId: number, memberId: number, n: number, timeoutMs = 20_000) {
  return until(`member ${memberId} has ${n} attempts`, async () => {
    const list = await attempts(s, campaignId, memberId);
    return list.length >= n ? list : null;
  }, timeoutMs);
}

/** Subscriber legs the simulator created for a number (channel log, oldest first). */
export function subscriberLegs(s: Stack, n: string) {
  return s.sim.channelLog().filter((ch) => ch.name.includes(`/${n}@`));
}

/**
 * The subscriber of number `n` hangs up now (its SIP leg ended as uuid_kill would): for a call
 * kept up (a long talkMs) until the test has seen what happens while it is up.
 */
export async function hangUpSubscriber(s: Stack, n: string): Promise<void> {
  const leg = await until(`a live SIP leg to ${n}`, async () => s.sim.channels().find((ch) => ch.name.startsWith(`sofia/internal/${n}@`)));
  await s.telephony.kill(s.cfg.freeswitch[0]!.name, leg.uuid, 'NORMAL_CLEARING');
}

/** Every member of a campaign (all pages). */
export async function members(s: Stack, campaignId: number): Promise<any[]> {
  const out: any[] = [];
  let after: number | null = 0;
  while (after !== null) {
    const r: { status: number; body: any } = await s.call('GET', `/api/v2/dialer/${campaignId}/members?limit=500${after ? `&after=${after}` : ''}`);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    out.push(...r.body.items);
    after = r.body.next_after;
  }
  return out;
}
