import { expect } from 'chai';
import { startStack, until, type Stack } from '../helpers/stack.js';
import {
  addMembers, allDone, attempts, createAgents, createCampaign, createLineGroup, members, number, run, stats,
} from '../helpers/e2e-fixtures.js';

/** Samples a value on every tick until stopped, keeping the largest seen. */
function sampler(probe: () => number) {
  let max = 0;
  let samples = 0;
  const t = setInterval(() => {
    max = Math.max(max, probe());
    samples++;
  }, 1);
  return { stop: () => { clearInterval(t); return { max, samples }; } };
}

/** Live agent legs of these SIP users on the simulator (each is part of one live call). */
function liveAgentLegs(s: Stack, sipUsers: string[]): number {
  const exts = sipUsers.map((u) => `/${u.split('@')[0]}@`);
  return s.sim.channels().filter((ch) => ch.state !== 'CS_DESTROY' && exts.some((e) => ch.name.includes(e))).length;
}

async function allAttempts(s: Stack, campaignId: number) {
  const out: any[] = [];
  for (const m of await members(s, campaignId)) {
    for (const a of await attempts(s, campaignId, m.id)) out.push({ ...a, campaignId, memberId: m.id });
  }
  return out;
}

describe('engine end to end: limits and shared lines', function () {
  this.timeout(90_000);
  let s: Stack;
  before(async () => { s = await startStack('capacity'); });
  after(async () => { await s?.close(); });

  it('C2: 40 members, 10 agents, limit 3: never more than 3 live calls, on the switch or over REST', async () => {
    const c = await createCampaign(s, { limit: 3, min_success_sec: 0 });
    const list = Array.from({ length: 40 }, (_, i) => {
      const n = number();
      s.sim.setSubscriber(n, { outcome: 'answer', afterMs: 20, talkMs: 150 });
      return { name: `m${i}`, communications: [{ number: n }] };
    });
    await addMembers(s, c, list);
    const agents = await createAgents(s, 10, [c]);
    const users = agents.map((a) => a.sipUser);
    const subscribers = new Set(list.map((m) => m.communications[0]!.number));
    const onSwitch = sampler(() => liveAgentLegs(s, users));
    const subLegs = sampler(() => s.sim.channels().filter((ch) => ch.state !== 'CS_DESTROY'
      && [...subscribers].some((n) => ch.name.includes(`/${n}@`))).length);
    let restMax = 0;
    let polling = true;
    const poll = (async () => {
      while (polling) {
        restMax = Math.max(restMax, (await stats(s, c)).live_calls);
      }
    })();
    await run(s, c);
    const st = await allDone(s, c, 60_000);
    polling = false;
    await poll;
    const sw = onSwitch.stop();
    const sub = subLegs.stop();
    expect(st.results).to.deep.equal({ NORMAL_CLEARING: 40 });
    expect(sw.max, 'agent legs at once').to.be.at.most(3);
    expect(sub.max, 'subscriber legs at once').to.be.at.most(3);
    expect(restMax, 'live_calls over REST').to.be.at.most(3);
    // The load really reached the limit (else the test proves nothing).
    expect(Math.max(sw.max, restMax)).to.equal(3);
  });

  it('C3: a shared line group serves the higher-priority campaign first, and never exceeds its capacity', async () => {
    const group = await createLineGroup(s, 2);
    const high = await createCampaign(s, { priority: 10, limit: 10, line_group_id: group, min_success_sec: 0 });
    const low = await createCampaign(s, { priority: 1, limit: 10, line_group_id: group, min_success_sec: 0 });
    for (const c of [high, low]) {
      await addMembers(s, c, Array.from({ length: 8 }, (_, i) => {
        const n = number();
        s.sim.setSubscriber(n, { outcome: 'answer', afterMs: 20, talkMs: 100 });
        return { name: `m${i}`, communications: [{ number: n }] };
      }));
    }
    // Both run before any agent exists, so neither gets a head start.
    await run(s, low);
    await run(s, high);
    const agents = await createAgents(s, 4, [low, high]);
    const onSwitch = sampler(() => liveAgentLegs(s, agents.map((a) => a.sipUser)));
    await allDone(s, high, 60_000);
    await allDone(s, low, 60_000);
    const sw = onSwitch.stop();
    expect(sw.max, 'calls in the line group at once').to.be.at.most(2);
    const hi = await allAttempts(s, high);
    const lo = await allAttempts(s, low);
    expect(hi).to.have.length(8);
    expect(lo).to.have.length(8);
    const lastHighStart = Math.max(...hi.map((a) => Date.parse(a.created_at)));
    const firstLowStart = Math.min(...lo.map((a) => Date.parse(a.created_at)));
    // While the high campaign had a member to dial, the low one got no line.
    expect(firstLowStart).to.be.at.least(lastHighStart);
  });

  it('C3: equal priorities share a contended line fairly', async () => {
    const group = await createLineGroup(s, 1);
    const a = await createCampaign(s, { priority: 5, limit: 10, line_group_id: group, min_success_sec: 0 });
    const b = await createCampaign(s, { priority: 5, limit: 10, line_group_id: group, min_success_sec: 0 });
    for (const c of [a, b]) {
      await addMembers(s, c, Array.from({ length: 6 }, (_, i) => {
        const n = number();
        s.sim.setSubscriber(n, { outcome: 'answer', afterMs: 20, talkMs: 80 });
        return { name: `m${i}`, communications: [{ number: n }] };
      }));
    }
    await run(s, a);
    await run(s, b);
    await createAgents(s, 2, [a, b]);
    await allDone(s, a, 60_000);
    await allDone(s, b, 60_000);
    const all = [...await allAttempts(s, a), ...await allAttempts(s, b)].sort((x, y) => x.id - y.id);
    expect(all).to.have.length(12);
    // In every prefix of the dialling order the two campaigns are at most one call apart.
    let da = 0;
    let db = 0;
    for (const x of all) {
      if (x.campaignId === a) da++;
      else db++;
      expect(Math.abs(da - db), `after attempt ${x.id}`).to.be.at.most(1);
    }
  });
  it('C3: a contended agent serves the higher-priority campaign first', async () => {
    const high = await createCampaign(s, { priority: 10, min_success_sec: 0 });
    const low = await createCampaign(s, { priority: 1, min_success_sec: 0 });
    for (const c of [low, high]) {
      await addMembers(s, c, Array.from({ length: 3 }, (_, i) => {
        const n = number();
        s.sim.setSubscriber(n, { outcome: 'answer', afterMs: 20, talkMs: 80 });
        return { name: `m${i}`, communications: [{ number: n }] };
      }));
    }
    await run(s, low);
    await run(s, high);
    await createAgents(s, 1, [low, high]);
    await allDone(s, high);
    await allDone(s, low);
    const hi = await allAttempts(s, high);
    const lo = await allAttempts(s, low);
    expect(Math.min(...lo.map((a) => a.id))).to.be.greaterThan(Math.max(...hi.map((a) => a.id)));
  });

  it('M3: members are dialled by priority, then by how long they have been ready', async () => {
    const c = await createCampaign(s, { limit: 1, min_success_sec: 0 });
    const list = ['a', 'b', 'c', 'd'].map((name) => {
      const n = number();
      s.sim.setSubscriber(n, { outcome: 'answer', afterMs: 20, talkMs: 50 });
      return { name, priority: name === 'c' ? 9 : 0, communications: [{ number: n }] };
    });
    const [a, b, cc, d] = await addMembers(s, c, list);
    // a becomes ready again now: it has been ready for less time than b and d.
    const r = await s.call('PUT', `/api/v2/dialer/${c}/members/${a}/status`, { success: false, next_after_sec: 0 });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    await run(s, c);
    await createAgents(s, 1, [c]);
    await allDone(s, c);
    const byMember = new Map<number, string>([[a!, 'a'], [b!, 'b'], [cc!, 'c'], [d!, 'd']]);
    const seq = (await allAttempts(s, c)).sort((x, y) => x.id - y.id).map((x) => byMember.get(x.memberId));
    expect(seq).to.deep.equal(['c', 'b', 'd', 'a']);
  });
  it('C2: two campaigns sharing 8 agents, limits 2 and 3, mixed outcomes and agent failures: each limit holds', async () => {
    const limits = new Map<number, number>();
    const campaigns: number[] = [];
    const numbersOf = new Map<string, number>();
    for (const limit of [2, 3]) {
      const c = await createCampaign(s, { limit, min_success_sec: 0, max_tries: 2, retry_wait_sec: 1 });
      limits.set(c, limit);
      campaigns.push(c);
      const outcomes = ['answer', 'busy', 404, 'answer', 503] as const;
      await addMembers(s, c, Array.from({ length: 15 }, (_, i) => {
        const n = number();
        numbersOf.set(n, c);
        s.sim.setSubscriber(n, { outcome: outcomes[i % outcomes.length], afterMs: 20, talkMs: 120 });
        return { name: `m${i}`, communications: [{ number: n }] };
      }));
    }
    for (const c of campaigns) await run(s, c);
    const agents = await createAgents(s, 6, campaigns);
    // Two phones that refuse now and then: their failures free the agent, never the limit.
    agents.push(...await createAgents(s, 2, campaigns, {}, { answer: 'reject', afterMs: 20 }));
    // The calls a limit counts are the subscriber legs up on the switch (sofia/…/<number>@…). An
    // agent leg may still be tearing down when its call has already ended (the simulator's
    // hangup_after_bridge runs on a timer, late under load): not a call, so not counted.
    const perCampaign = new Map(campaigns.map((c) => [c, 0]));
    const t = setInterval(() => {
      const live = new Map<number, number>();
      for (const ch of s.sim.channels()) {
        if (['CS_HANGUP', 'CS_REPORTING', 'CS_DESTROY'].includes(ch.state)) continue;
        const n = /^sofia\/[^/]+\/([^@]+)@/.exec(ch.name)?.[1];
        const c = n === undefined ? undefined : numbersOf.get(n);
        if (c !== undefined) live.set(c, (live.get(c) ?? 0) + 1);
      }
      for (const [c, n] of live) perCampaign.set(c, Math.max(perCampaign.get(c)!, n));
    }, 1);
    let restOver = '';
    let polling = true;
    const poll = (async () => {
      while (polling) {
        for (const c of campaigns) {
          const live = (await stats(s, c)).live_calls;
          if (live > limits.get(c)!) restOver = `campaign ${c}: ${live} live calls`;
        }
      }
    })();
    // The 503 members never count (minus) and are retried up to max_minus_attempts times: wait for the others.
    await Promise.all(campaigns.map((c) => until(`campaign ${c} settled`, async () => {
      const st = await stats(s, c);
      return st.members.done >= 12 ? st : null;
    }, 60_000)));
    polling = false;
    await poll;
    clearInterval(t);
    for (const c of campaigns) await s.call('POST', `/api/v2/dialer/${c}/stop`);
    expect(restOver).to.equal('');
    for (const c of campaigns) expect(perCampaign.get(c), `campaign ${c} on the switch`).to.be.at.most(limits.get(c)!);
    expect([...perCampaign.values()].some((v) => v > 0), 'subscriber legs were seen').to.equal(true);
  });
});
