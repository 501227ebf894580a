import { expect } from 'chai';
import { connectRedis } from '../../src/adapters/queue/redis-connection.js';
import { startStack, until, type Stack } from '../helpers/stack.js';
import {
  addMembers, attempts, attemptsReach, createAgents, createCampaign, member, memberDone, number, run, stats, subscriberLegs,
} from '../helpers/e2e-fixtures.js';

const ms = (iso: string) => Date.parse(iso);
const hhmm = (min: number) => `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;

/** Weekday (0 = Sunday) and minute of the day at `at` in `zone`. */
function localClock(zone: string, at: Date): { day: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'));
  return { day, minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

function answering(s: Stack): string {
  const n = number();
  s.sim.setSubscriber(n, { outcome: 'answer', afterMs: 20, talkMs: 100 });
  return n;
}

describe('engine end to end: members, calendars, DNC, variables, history', function () {
  this.timeout(120_000);
  let s: Stack;
  // No safety sweep during these tests: every wake-up must come from its own timer or event (K4, M4).
  before(async () => { s = await startStack('members', { sweepMs: 600_000 }); });
  after(async () => { await s?.close(); });

  it('M4: a member not finished before its expire instant ends with MEMBER_EXPIRED and is never dialled again', async () => {
    const c = await createCampaign(s, { retry_wait_sec: 600, max_tries: 5 });
    await createAgents(s, 1, [c]);
    const busy = number();
    s.sim.setSubscriber(busy, { outcome: 'busy', afterMs: 20 });
    const expireAt = new Date(Date.now() + 3000).toISOString();
    const past = new Date(Date.now() - 60_000).toISOString();
    const [mid, old] = await addMembers(s, c, [
      { name: 'soon', expire_at: expireAt, communications: [{ number: busy }] },
      { name: 'gone', expire_at: past, communications: [{ number: answering(s) }] },
    ]);
    await run(s, c);
    const m = await memberDone(s, c, mid!);
    expect(m.result).to.equal('MEMBER_EXPIRED');
    expect(ms(m.ended_at)).to.be.at.least(ms(expireAt));
    expect(await attempts(s, c, mid!)).to.have.length(1);
    const o = await memberDone(s, c, old!);
    expect(o.result).to.equal('MEMBER_EXPIRED');
    expect(await attempts(s, c, old!)).to.have.length(0);
  });

  it('M4: a member waiting for its result, or in a call, when its expire instant passes ends with MEMBER_EXPIRED', async () => {
    const c = await createCampaign(s, { min_success_sec: 0, wait_result: true, wrapup_sec: 60 });
    const c2 = await createCampaign(s, { min_success_sec: 5, max_tries: 5, retry_wait_sec: 1 });
    await createAgents(s, 1, [c]);
    await createAgents(s, 1, [c2]);
    const long = number();
    s.sim.setSubscriber(long, { outcome: 'answer', afterMs: 20, talkMs: 2500 });
    const [waiting] = await addMembers(s, c, [{ name: 'waits', expire_at: new Date(Date.now() + 3000).toISOString(), communications: [{ number: answering(s) }] }]);
    const [calling] = await addMembers(s, c2, [{ name: 'talks', expire_at: new Date(Date.now() + 1500).toISOString(), communications: [{ number: long }] }]);
    await run(s, c);
    await run(s, c2);
    await until('waiting for result', async () => (await member(s, c, waiting!)).state === 'waiting_result');
    const m = await memberDone(s, c, waiting!);
    expect(m.result).to.equal('MEMBER_EXPIRED');
    const [a] = await attempts(s, c, waiting!);
    expect(a.state).to.equal('done');
    const late = await s.call('PUT', `/api/v2/dialer/${c}/members/${waiting}/status`, { success: true });
    expect(late.status).to.equal(409);
    // The short call (below min_success_sec) ended after the expiry: no retry, the member expires.
    const m2 = await memberDone(s, c2, calling!);
    expect(m2.result).to.equal('MEMBER_EXPIRED');
    expect(await attempts(s, c2, calling!)).to.have.length(1);
  });

  it('M4: a member whose expire instant passed before its expiry wake-up fired is never dialled', async () => {
    const c = await createCampaign(s, { min_success_sec: 0 });
    await createAgents(s, 1, [c]);
    // The expired member ranks first (M3): only its expire instant may keep it back.
    // Both expire tomorrow: the upload's news arms the expiry wake-up then. Wait for it, so the
    // engine's read of the next expiry cannot see the past instant set below (it would fire at once).
    const tomorrow = new Date(Date.now() + 86_400_000);
    const [late, ok] = await addMembers(s, c, [
      { name: 'late', priority: 10, expire_at: tomorrow.toISOString(), communications: [{ number: answering(s) }] },
      { name: 'ok', expire_at: tomorrow.toISOString(), communications: [{ number: answering(s) }] },
    ]);
    const redis = connectRedis(s.cfg.redisUrl);
    try {
      await until('expiry wake-up armed for tomorrow', async () =>
        (await redis.keys(`${s.cfg.queuePrefix}:timers:member-expire:next:*`))
          .some((k) => Number(k.split(':').pop()) >= tomorrow.getTime() - 1000));
    } finally {
      redis.disconnect();
    }
    // Its instant passes behind the engine's back, so no expiry wake-up is armed for it: as when
    // that wake-up comes late, only the claim itself can keep the member from being dialled.
    await s.tdb.db('members').where('id', late).update({ expire_at: new Date(Date.now() - 60_000) });
    await run(s, c);
    expect((await memberDone(s, c, ok!)).result).to.equal('NORMAL_CLEARING');
    expect(await attempts(s, c, late!)).to.have.length(0);
    expect((await member(s, c, late!)).state).to.equal('ready');
    // The next upload arms the expiry wake-up, which ends it.
    await addMembers(s, c, [{ name: 'next', communications: [{ number: answering(s) }] }]);
    expect((await memberDone(s, c, late!)).result).to.equal('MEMBER_EXPIRED');
    expect(await attempts(s, c, late!)).to.have.length(0);
  });

  it('K3: members are dialled only inside their own local window (3 zones, open now in one)', async () => {
    const now = new Date();
    const open = 'Asia/Tokyo';
    const closed = ['Asia/Kolkata', 'America/Sao_Paulo'];
    const t = localClock(open, now);
    const window = { day: t.day, start: hhmm(Math.max(0, t.minute - 30)), end: hhmm(Math.min(24 * 60, t.minute + 30)) };
    // The same window is closed in the other zones now (they are hours behind Tokyo).
    const c = await createCampaign(s, { min_success_sec: 0 }, { timezone: 'UTC', windows: [window] });
    // The closed-zone members come first and rank higher (M3): only their local hours keep them waiting.
    const list = [...closed, open].flatMap((zone) => [1, 2].map((i) => ({
      name: `${zone} ${i}`, timezone: zone, priority: zone === open ? 0 : 10, communications: [{ number: answering(s) }],
    })));
    const ids = await addMembers(s, c, list);
    await createAgents(s, 2, [c]);
    await run(s, c);
    for (const id of ids.slice(4)) expect((await memberDone(s, c, id)).result).to.equal('NORMAL_CLEARING');
    for (const id of ids.slice(0, 4)) {
      const m = await member(s, c, id);
      expect(m.state, `${m.name}`).to.equal('ready');
      expect(await attempts(s, c, id)).to.have.length(0);
    }
    expect((await s.call('GET', `/api/v2/dialer/${c}`)).body.state).to.equal('running');
    await s.call('POST', `/api/v2/dialer/${c}/stop`);
  });

  it('K3: the calendar\'s zone open does not dial a member whose own zone is closed; a member with no zone follows the calendar', async () => {
    const now = new Date();
    const t = localClock('UTC', now);
    const window = { day: t.day, start: hhmm(Math.max(0, t.minute - 30)), end: hhmm(Math.min(24 * 60, t.minute + 30)) };
    // Open now in the calendar's zone (UTC) and in a zone that is always UTC+0; closed in zones
    // hours ahead of UTC (later in the day, or already the next day).
    const c = await createCampaign(s, { min_success_sec: 0 }, { timezone: 'UTC', windows: [window] });
    const closed = ['Asia/Tokyo', 'Asia/Kolkata'];
    const dialled = ['Africa/Abidjan', null];
    // The closed-zone members come first and rank higher (M3): only their local hours keep them waiting.
    const list = [...closed, ...dialled].map((zone) => ({
      name: zone ?? 'no zone', ...(zone ? { timezone: zone } : {}), priority: zone && closed.includes(zone) ? 10 : 0,
      communications: [{ number: answering(s) }],
    }));
    const ids = await addMembers(s, c, list);
    await createAgents(s, 2, [c]);
    await run(s, c);
    for (const id of ids.slice(2)) expect((await memberDone(s, c, id)).result).to.equal('NORMAL_CLEARING');
    for (const id of ids.slice(0, 2)) {
      const m = await member(s, c, id);
      expect(m.state, `${m.name}`).to.equal('ready');
      expect(await attempts(s, c, id)).to.have.length(0);
    }
    expect((await s.call('GET', `/api/v2/dialer/${c}`)).body.state).to.equal('running');
    await s.call('POST', `/api/v2/dialer/${c}/stop`);
  });

  it('K4: the calendar start instant wakes the campaign by itself (nothing dialled before, dialled after)', async () => {
    const startAt = new Date(Date.now() + 3000);
    const c = await createCampaign(s, { min_success_sec: 0 }, { start_at: startAt.toISOString() });
    await createAgents(s, 1, [c]);
    const [mid] = await addMembers(s, c, [{ name: 'x', communications: [{ number: answering(s) }] }]);
    await run(s, c);
    expect((await stats(s, c)).attempts).to.equal(0);
    const m = await memberDone(s, c, mid!);
    expect(m.result).to.equal('NORMAL_CLEARING');
    const [a] = await attempts(s, c, mid!);
    expect(ms(a.created_at)).to.be.at.least(startAt.getTime());
  });

  it('K4: a weekly window opening at the next minute wakes the campaign by itself', async () => {
    // Windows have minute precision: open at the next whole minute (at least 3 s away).
    let opensAt = Math.ceil((Date.now() + 3000) / 60_000) * 60_000;
    const t = localClock('UTC', new Date(opensAt));
    if (t.minute === 0) opensAt += 60_000; // keep the window inside one day: 00:00 has no "before"
    const u = localClock('UTC', new Date(opensAt));
    const c = await createCampaign(s, { min_success_sec: 0 },
      { timezone: 'UTC', windows: [{ day: u.day, start: hhmm(u.minute), end: hhmm(Math.min(24 * 60, u.minute + 30)) }] });
    await createAgents(s, 1, [c]);
    const [mid] = await addMembers(s, c, [{ name: 'x', communications: [{ number: answering(s) }] }]);
    await run(s, c);
    expect((await stats(s, c)).attempts).to.equal(0);
    const m = await memberDone(s, c, mid!, 90_000);
    expect(m.result).to.equal('NORMAL_CLEARING');
    const [a] = await attempts(s, c, mid!);
    expect(ms(a.created_at)).to.be.at.least(opensAt);
  });

  it('DNC: numbers put on the global or the campaign DNC list after upload are never dialled', async () => {
    const c = await createCampaign(s, { min_success_sec: 0 });
    const other = await createCampaign(s, { min_success_sec: 0 });
    const g = answering(s);
    const k1 = answering(s);
    const k2 = answering(s);
    const free = answering(s);
    const [onlyGlobal, mixed, elsewhere] = await addMembers(s, c, [
      { name: 'global', communications: [{ number: g }] },
      { name: 'mixed', communications: [{ number: k1, priority: 5 }, { number: k2 }] },
      { name: 'free', communications: [{ number: free }] },
    ]);
    expect((await s.call('POST', '/api/v2/dnc', { number: g })).status).to.equal(201);
    expect((await s.call('POST', `/api/v2/dialer/${c}/dnc`, { number: k1 })).status).to.equal(201);
    // Another campaign's DNC entry does not apply here.
    expect((await s.call('POST', `/api/v2/dialer/${other}/dnc`, { number: free })).status).to.equal(201);
    await createAgents(s, 1, [c]);
    await run(s, c);
    const m1 = await memberDone(s, c, onlyGlobal!);
    expect(m1.result).to.equal('DNC');
    expect(await attempts(s, c, onlyGlobal!)).to.have.length(0);
    const m2 = await memberDone(s, c, mixed!);
    expect(m2.result).to.equal('NORMAL_CLEARING');
    expect((await attempts(s, c, mixed!)).map((a) => a.number)).to.deep.equal([k2]);
    expect((await memberDone(s, c, elsewhere!)).result).to.equal('NORMAL_CLEARING');
    expect(subscriberLegs(s, g)).to.have.length(0);
    expect(subscriberLegs(s, k1)).to.have.length(0);
    expect(subscriberLegs(s, k2)).to.have.length(1);
  });

  it('C8: campaign variables, overridden by member variables, are set on the agent channel', async () => {
    const c = await createCampaign(s, { min_success_sec: 0, variables: { crm_queue: 'sales', lang: 'en' } });
    await createAgents(s, 1, [c]);
    const [mid] = await addMembers(s, c, [{ name: 'x', variables: { lang: 'de', crm_id: 42 }, communications: [{ number: answering(s) }] }]);
    await run(s, c);
    await memberDone(s, c, mid!);
    const [a] = await attempts(s, c, mid!);
    const leg = s.sim.channelLog().find((ch) => ch.uuid === a.agent_uuid)!;
    expect(leg, 'agent leg').to.not.equal(undefined);
    expect(leg.variables).to.include({ crm_queue: 'sales', lang: 'de', crm_id: '42', dialer_member_id: String(mid) });
  });

  it('C8: campaign variables, overridden by member variables, are set on the subscriber channel', async () => {
    const c = await createCampaign(s, { min_success_sec: 0, variables: { crm_queue: 'sales', lang: 'en' } });
    await createAgents(s, 1, [c]);
    const n = answering(s);
    const [mid] = await addMembers(s, c, [{ name: 'x', variables: { lang: 'de', crm_id: 42 }, communications: [{ number: n }] }]);
    await run(s, c);
    await memberDone(s, c, mid!);
    const [leg] = subscriberLegs(s, n);
    expect(leg, 'subscriber leg').to.not.equal(undefined);
    expect(leg!.variables).to.include({ crm_queue: 'sales', lang: 'de', crm_id: '42' });
  });

  it('M5: every attempt is kept with its communication, agent, call ids, times, cause, talk seconds and outcome', async () => {
    const c = await createCampaign(s, { min_success_sec: 1, retry_wait_sec: 1, max_tries: 3 });
    const [ag] = await createAgents(s, 1, [c]);
    const n1 = number();
    const n2 = number();
    s.sim.setSubscriber(n1, { outcome: 'busy', afterMs: 20 });
    s.sim.setSubscriber(n2, { outcome: 'answer', afterMs: 20, talkMs: 1300 });
    const [mid] = await addMembers(s, c, [{ name: 'x', communications: [{ number: n1, priority: 2 }, { number: n2, priority: 1 }] }]);
    await run(s, c);
    const m = await memberDone(s, c, mid!);
    expect(m.result).to.equal('NORMAL_CLEARING');
    expect(m.ended_at).to.be.a('string');
    const list = await attemptsReach(s, c, mid!, 2);
    expect(list).to.have.length(2);
    const [busy, ok] = list;
    const comm = (num: string) => m.communications.find((x: any) => x.number === num).id;
    expect(busy).to.include({ number: n1, communication_id: comm(n1), agent_id: ag!.id, hangup_cause: 'USER_BUSY', outcome: 'retry', state: 'done', answered_at: null });
    expect(ok).to.include({ number: n2, communication_id: comm(n2), agent_id: ag!.id, hangup_cause: 'NORMAL_CLEARING', outcome: 'success', state: 'done' });
    expect(ok.talk_sec).to.be.at.least(1);
    for (const a of list) {
      expect(ms(a.created_at)).to.be.at.most(ms(a.agent_answered_at));
      expect(ms(a.agent_answered_at)).to.be.at.most(ms(a.ended_at));
      expect(s.sim.channelLog().some((ch) => ch.uuid === a.agent_uuid), 'agent leg uuid').to.equal(true);
    }
    expect(ms(ok.answered_at)).to.be.at.most(ms(ok.ended_at));
    // the subscriber is dialled through loopback (05c): the member leg is loopback-a of that number
    expect(s.sim.channelLog().find((ch) => ch.uuid === ok.member_uuid)?.name).to.equal(`loopback/${n2}-a`);
    expect(subscriberLegs(s, n2)).to.have.length(1);
    expect(ms(m.ended_at)).to.be.at.least(ms(ok.ended_at));
  });
});
