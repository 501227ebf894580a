/*
 * F2, F3, S3: the FreeSWITCH adapter when connections fail: wrong password, inbound drops
 * (a storm of 100 during originates), outbound socket lost mid-call, late and duplicated
 * BACKGROUND_JOB, several FreeSWITCH servers at once.
 */
import { expect } from 'chai';
import type { OriginateResult } from '../../src/app/ports/telephony.js';
import type { Scenario } from '../../src/simulator/index.js';
import { microsToDate } from '../../src/adapters/freeswitch/channel-event.js';
import { header } from '../helpers/transcript.js';
import { freePort, legRequest, sleep, startRig, waitFor, type Rig } from './freeswitch-harness.js';
import { TestEsl } from './simulator-esl-client.js';

const AGENT = '1000@127.0.0.1';

describe('FreeSWITCH adapter: connection faults against the simulator', function () {
  this.timeout(60_000);
  const rigs: Rig[] = [];
  afterEach(async () => {
    for (const r of rigs.splice(0)) await r.close();
  });

  it('F2: a wrong password marks the node down with a clear reason and does not retry in a loop', async () => {
    const rig = await startRig({ agents: { [AGENT]: {} } }, { password: 'WrongPassword' });
    rigs.push(rig);
    await waitFor(() => rig.handler.of('node-down').length === 1, 'node-down');
    expect(rig.handler.of('node-down')[0]!.reason).to.match(/authentication refused \(-ERR invalid\)/);
    const conn = rig.tel.connection(rig.node)!;
    const attempts = conn.attempts;
    await sleep(1_000);
    expect(conn.attempts).to.equal(attempts);
    expect(conn.state).to.deep.include({ kind: 'down' });
    expect(rig.tel.upNodes()).to.deep.equal([]);
    const r = await rig.tel.originateAgent(legRequest(rig.node, AGENT));
    expect(r).to.include({ kind: 'failed', cause: 'NODE_DOWN' });
    expect(rig.sim.originates()).to.have.length(0);
  });

  it('F2: an api command without a reply fails at its deadline and the connection is replaced (replies cannot be matched any more)', async () => {
    // A server that authenticates, takes the filters and the subscription, then never answers `api`: a hung FreeSWITCH.
    const { createServer } = await import('node:net');
    let connections = 0;
    const server = createServer((sock) => {
      connections++;
      sock.write('Content-Type: auth/request\n\n');
      sock.on('data', (d) => {
        for (const cmd of d.toString().split('\n\n').filter(Boolean)) {
          if (cmd.startsWith('auth ')) sock.write('Content-Type: command/reply\nReply-Text: +OK accepted\n\n');
          else if (cmd.startsWith('event ')) sock.write('Content-Type: command/reply\nReply-Text: +OK event listener enabled plain\n\n');
          else if (cmd.startsWith('filter ')) sock.write('Content-Type: command/reply\nReply-Text: +OK filter added.\n\n');
        }
      });
      sock.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const { FreeSwitchTelephony } = await import('../../src/adapters/freeswitch/telephony.js');
    const { RecordingHandler, silent } = await import('./freeswitch-harness.js');
    const node = `127.0.0.1:${port}`;
    const tel = new FreeSwitchTelephony({
      nodes: [{ name: node, host: '127.0.0.1', port, password: 'ClueCon' }],
      outbound: { listen: `127.0.0.1:${await freePort()}`, advertise: '127.0.0.1:1' },
      sofiaProfile: 'internal',
      routeContext: 'dialer-out',
      log: silent,
      apiTimeoutMs: 200,
      reconnect: { minBackoffMs: 10, maxBackoffMs: 50, heartbeatMs: 0 },
    });
    const handler = new RecordingHandler();
    await tel.start(handler);
    try {
      await waitFor(() => tel.connection(node)!.isUp, 'connected');
      // The registration resync on connect gets no reply either: that already replaces the connection.
      await waitFor(() => connections >= 2, 'a new connection after the lost reply');
      expect(handler.of('node-down').length).to.be.at.least(1);
      await waitFor(() => tel.connection(node)!.isUp, 'connected again');
      expect(await tel.exists(node, '00000000-0000-0000-0000-000000000000')).to.equal('unknown');
      // A2: registrations it cannot read: never offered calls.
      expect(tel.upNodes()).to.deep.equal([]);
      expect(handler.of('node-up')).to.have.length(0);
    } finally {
      await tel.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('F2: 100 inbound drops during originates to answering, busy, rejecting, silent and unregistered phones: no uuid originated twice, every attempt gets a definite result, no event of a live call lost', async () => {
    type Kind = 'answer' | 'busy' | 'reject' | 'no-answer' | 'unregistered';
    const kinds: Kind[] = ['answer', 'answer', 'answer', 'answer', 'busy', 'busy', 'reject', 'reject', 'no-answer', 'unregistered'];
    const agents: Scenario['agents'] = {};
    const kindOf = new Map<string, Kind>();
    kinds.forEach((kind, i) => {
      const user = `30${String(i).padStart(2, '0')}@127.0.0.1`;
      kindOf.set(user, kind);
      // refusals land at different instants, so many of them fall while the socket is down
      agents[user] = kind === 'unregistered' ? { registered: false } : { answer: kind, afterMs: 40 + i * 15 };
    });
    const rig = await startRig(
      { agents, defaultSubscriber: { outcome: 'answer', afterMs: 20, talkMs: 150 } },
      { reconnect: { minBackoffMs: 5, maxBackoffMs: 40, stableMs: 20, connectTimeoutMs: 2_000 } },
    );
    rigs.push(rig);
    await waitFor(() => rig.tel.upNodes().length === 1, 'node up');

    const results = new Map<number, OriginateResult>();
    // Bounded: 100 drops, a new originate every 25 ms while they last.
    const reqs: ReturnType<typeof legRequest>[] = [];
    let dropping = true;
    const storm = (async () => {
      for (let i = 0; i < 100; i++) {
        rig.sim.dropInbound();
        await sleep(20 + (i % 4) * 15);
      }
      dropping = false;
    })();
    const calls: Promise<void>[] = [];
    const users = [...kindOf.keys()];
    for (let wave = 0; dropping; wave++) {
      // ring 1 s: the silent phone's NO_ANSWER also comes during the storm
      const req = legRequest(rig.node, users[wave % users.length]!, { ringSec: 1 });
      reqs.push(req);
      calls.push(rig.tel.originateAgent(req).then((r) => void results.set(req.attemptId, r)));
      await sleep(25);
    }
    await storm;
    await Promise.all(calls);

    // F2: one originate per origination_uuid, whatever the drops.
    const perUuid = new Map<string, number>();
    for (const o of rig.sim.originates()) perUuid.set(o.originationUuid ?? '', (perUuid.get(o.originationUuid ?? '') ?? 0) + 1);
    expect([...perUuid.values()].filter((n) => n > 1)).to.deep.equal([]);
    expect(reqs.length).to.be.greaterThan(20);
    expect(results.size).to.equal(reqs.length);

    // Every answered leg ends with member-ended then agent-hangup (they travel on the outbound sockets).
    const answered = reqs.filter((r) => results.get(r.attemptId)?.kind === 'answered');
    expect(answered.length).to.be.greaterThan(0);
    await waitFor(() => answered.every((r) => rig.handler.forAttempt(r.attemptId).some((e) => e.kind === 'agent-hangup')), 'all answered calls settled', 20_000);
    for (const r of answered) {
      const events = rig.handler.forAttempt(r.attemptId).map((e) => e.kind);
      expect(events, `attempt ${r.attemptId}`).to.deep.equal(['member-answered', 'member-ended', 'agent-hangup']);
    }

    const expectedCause: Record<Exclude<Kind, 'answer'>, string> = {
      busy: 'USER_BUSY', reject: 'CALL_REJECTED', 'no-answer': 'NO_ANSWER', unregistered: 'USER_NOT_REGISTERED',
    };
    const sent = new Set(perUuid.keys());
    const lost: string[] = [];
    for (const r of reqs) {
      const res = results.get(r.attemptId)!;
      const kind = kindOf.get(r.sipUser)!;
      const where = `${kind} ${res.kind} ${r.legUuid}`;
      // NODE_DOWN: nothing was sent.
      if (res.kind === 'failed' && res.cause === 'NODE_DOWN') {
        expect(sent.has(r.legUuid), where).to.equal(false);
        continue;
      }
      if (kind === 'answer') {
        // A leg FreeSWITCH received is answered and reaches the outbound socket; unknown: never received.
        if (res.kind === 'unknown') expect(sent.has(r.legUuid), where).to.equal(false);
        else expect(res.kind, where).to.equal('answered');
        continue;
      }
      expect(res.kind, where).to.not.equal('answered');
      // The registration resync after each reconnect tells why an unregistered phone's leg is gone.
      if (kind === 'unregistered') expect(res, where).to.deep.include({ kind: 'failed', cause: 'USER_NOT_REGISTERED' });
      if (res.kind === 'failed') expect(res.cause, where).to.equal(expectedCause[kind]);
      // The refusal and its BACKGROUND_JOB both fell in a gap: FreeSWITCH did refuse it.
      if (res.kind === 'unknown' && sent.has(r.legUuid)) lost.push(r.legUuid);
    }
    const ended = new Map(rig.sim.channelLog().map((c) => [c.uuid, c.hangupCause]));
    for (const uuid of lost) expect(ended.get(uuid), uuid).to.be.oneOf(Object.values(expectedCause));
    // Refusals were reported, through the job or the leg's own hangup event, also around drops.
    const refused = reqs.filter((r) => kindOf.get(r.sipUser) !== 'answer' && results.get(r.attemptId)?.kind === 'failed');
    expect(refused.length).to.be.greaterThan(5);
    await waitFor(() => rig.tel.upNodes().length === 1, 'node up again');
    expect(rig.sim.channels()).to.deep.equal([]);
  });

  it('F2: a refused agent leg whose BACKGROUND_JOB falls in a drop: the cause of its hangup event, USER_NOT_REGISTERED from the resync, else unknown; never left pending', async () => {
    const GONE = '1001@127.0.0.1';
    const cases: { label: string; user: string; lose: string[]; expected: Partial<OriginateResult> }[] = [
      { label: 'hangup seen before the drop', user: AGENT, lose: ['BACKGROUND_JOB'], expected: { kind: 'failed', cause: 'USER_BUSY' } },
      { label: 'unregistered phone (no channel at all)', user: GONE, lose: ['BACKGROUND_JOB'], expected: { kind: 'failed', cause: 'USER_NOT_REGISTERED' } },
      { label: 'every event lost', user: AGENT, lose: ['BACKGROUND_JOB', 'CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE'], expected: { kind: 'unknown' } },
    ];
    for (const c of cases) {
      const rig = await startRig({ agents: { [AGENT]: { answer: 'busy', afterMs: 30 }, [GONE]: { registered: false } } });
      rigs.push(rig);
      await waitFor(() => rig.tel.upNodes().length === 1, 'node up');
      // Held back past the end of the test: to the adapter they never arrive.
      for (const name of c.lose) rig.sim.delayNextEvent(name, 60_000);
      const req = legRequest(rig.node, c.user);
      const pending = rig.tel.originateAgent(req);
      await waitFor(() => rig.sim.originates().length === 1 && rig.sim.channels().length === 0, `${c.label}: leg over`);
      // An api round trip on the same connection: every event sent before its reply has been read.
      expect(await rig.tel.exists(rig.node, req.legUuid), c.label).to.equal(false);
      rig.sim.dropInbound();
      expect(await pending, c.label).to.deep.include({ ...c.expected, legUuid: req.legUuid });
      expect(rig.sim.originates(), c.label).to.have.length(1);
    }
  });

  it('A2, F2: after a FreeSWITCH restart the registrations are read again before the node is offered calls: an agent that is gone gets none', async () => {
    const GONE = '1001@127.0.0.1';
    const rig = await startRig({ agents: { [AGENT]: { answer: 'answer', afterMs: 20 }, [GONE]: { answer: 'answer', afterMs: 20 } }, defaultSubscriber: { talkMs: 50 } });
    rigs.push(rig);
    // What the engine does: on every news, ring each agent it believes registered on a node that is up.
    const registered = new Map<string, Set<string>>();
    const offered: string[] = [];
    const record = rig.handler.onEvent.bind(rig.handler);
    rig.handler.onEvent = async (e) => {
      await record(e);
      if (e.kind === 'registrations-sync') registered.set(e.node, new Set(e.sipUsers.map((u) => u.sipUser)));
      if (e.kind === 'registration') {
        const users = registered.get(e.node) ?? new Set<string>();
        if (e.registered) users.add(e.sipUser);
        else users.delete(e.sipUser);
        registered.set(e.node, users);
      }
      for (const node of rig.tel.upNodes()) {
        for (const sipUser of registered.get(node) ?? []) {
          if (offered.includes(sipUser)) continue;
          offered.push(sipUser);
          void rig.tel.originateAgent(legRequest(node, sipUser));
        }
      }
    };
    await waitFor(() => offered.length === 2, 'both agents rung once');
    await waitFor(() => rig.handler.of('agent-hangup').length === 2, 'both calls over');
    offered.length = 0;
    const before = rig.sim.originates().length;
    // The phone of GONE does not register with the restarted FreeSWITCH.
    rig.sim.setAgent(GONE, { registered: false });
    await rig.sim.restart();
    await waitFor(() => rig.handler.of('node-up').some((e) => e.reconnected), 'node up again');
    await waitFor(() => offered.length >= 1, 'the registered agent rung again');
    await sleep(200);
    expect(offered).to.deep.equal([AGENT]);
    expect(rig.sim.originates().slice(before).map((o) => o.command)).to.have.length(1).and.satisfy((c: string[]) => c[0]!.includes(`user/${AGENT}`));
    const kinds = rig.handler.events.map((e) => e.kind).filter((k) => k === 'node-up' || k === 'registrations-sync');
    expect(kinds).to.deep.equal(['registrations-sync', 'node-up', 'registrations-sync', 'node-up']);
  });

  it('F2, F3: on the switch\'s own SHUTDOWN (fsctl shutdown, 07a) the node is offered no more while its socket is still up: no originate reaches it; the call in progress still reports its end', async () => {
    const rig = await startRig({ agents: { [AGENT]: { afterMs: 20 } }, defaultSubscriber: { afterMs: 20, talkMs: 60_000 } });
    rigs.push(rig);
    await waitFor(() => rig.tel.upNodes().length === 1, 'node up');
    const live = legRequest(rig.node, AGENT);
    expect(await rig.tel.originateAgent(live)).to.include({ kind: 'answered' });
    await waitFor(() => rig.handler.of('member-answered').length === 1, 'call in progress');
    const sent = rig.sim.originates().length;
    // the notice comes ~800 ms before FreeSWITCH closes the socket (07a); 1 s here
    void rig.sim.shutdown('now', 1_000);
    await waitFor(() => rig.handler.of('node-down').length === 1, 'node-down');
    expect(rig.handler.of('node-down')[0]!.reason).to.match(/shutting down \(SHUTDOWN: System Shutting Down\)/);
    expect(rig.tel.connection(rig.node)!.isUp, 'the inbound socket is still up').to.equal(true);
    expect(rig.tel.upNodes()).to.deep.equal([]);
    expect(await rig.tel.originateAgent(legRequest(rig.node, AGENT))).to.include({ kind: 'failed', cause: 'NODE_DOWN' });
    expect(rig.sim.originates()).to.have.length(sent);
    await waitFor(() => rig.handler.forAttempt(live.attemptId).some((e) => e.kind === 'agent-hangup'), 'the live call reports its end');
    expect(rig.handler.of('member-ended').map((e) => e.result.attemptId)).to.deep.equal([live.attemptId]);
  });

  it('F2: an elegant shutdown (SHUTDOWN_REQUESTED, 07b) stops new calls while the calls in progress go on; a cancelled one offers the node again', async () => {
    const rig = await startRig({ agents: { [AGENT]: { afterMs: 20 } }, defaultSubscriber: { afterMs: 20, talkMs: 60_000 } },
      { reconnect: { minBackoffMs: 10, maxBackoffMs: 100, connectTimeoutMs: 2_000, heartbeatMs: 50 } });
    rigs.push(rig);
    await waitFor(() => rig.tel.upNodes().length === 1, 'node up');
    const live = legRequest(rig.node, AGENT);
    expect(await rig.tel.originateAgent(live)).to.include({ kind: 'answered' });
    await waitFor(() => rig.handler.of('member-answered').length === 1, 'call in progress');
    const sent = rig.sim.originates().length;
    void rig.sim.shutdown('elegant');
    await waitFor(() => rig.handler.of('node-down').length === 1, 'node-down');
    expect(rig.handler.of('node-down')[0]!.reason).to.match(/SHUTDOWN_REQUESTED: elegant/);
    expect(await rig.tel.originateAgent(legRequest(rig.node, AGENT))).to.include({ kind: 'failed', cause: 'NODE_DOWN' });
    expect(rig.sim.originates()).to.have.length(sent);
    expect(rig.sim.channels().map((c) => c.uuid)).to.include(live.legUuid);

    rig.sim.cancelShutdown();
    await waitFor(() => rig.tel.upNodes().length === 1, 'offered again after the cancel');
    expect(rig.handler.of('node-up').at(-1)).to.deep.include({ reconnected: false });
    const next = legRequest(rig.node, AGENT);
    expect(await rig.tel.originateAgent(next)).to.include({ kind: 'answered' });
    expect(rig.sim.originates().map((o) => o.originationUuid)).to.include(next.legUuid);
  });

  it('F2: an originate pending across a reconnect is checked with uuid_exists, not re-sent, and resolves answered', async () => {
    const rig = await startRig({ agents: { [AGENT]: { answer: 'answer', afterMs: 600 } }, defaultSubscriber: { talkMs: 100 } });
    rigs.push(rig);
    await waitFor(() => rig.tel.upNodes().length === 1, 'node up');
    const req = legRequest(rig.node, AGENT);
    const pending = rig.tel.originateAgent(req);
    await waitFor(() => rig.sim.originates().length === 1, 'originate sent');
    rig.sim.dropInbound();
    expect(await pending).to.deep.equal({ kind: 'answered', legUuid: req.legUuid });
    expect(rig.sim.originates()).to.have.length(1);
    await waitFor(() => rig.handler.of('agent-hangup').length === 1, 'call over');
    expect(rig.handler.of('node-up').map((e) => e.reconnected)).to.deep.equal([false, true]);
    expect(rig.handler.of('registrations-sync')).to.have.length(2);
  });

  it('F2: a duplicated BACKGROUND_JOB settles the originate once; a late one is overtaken by the socket', async () => {
    const rig = await startRig({ agents: { [AGENT]: { answer: 'answer', afterMs: 20 } }, defaultSubscriber: { talkMs: 100 } });
    rigs.push(rig);
    await waitFor(() => rig.tel.upNodes().length === 1, 'node up');
    rig.sim.duplicateNextEvent('BACKGROUND_JOB');
    const a = legRequest(rig.node, AGENT);
    expect((await rig.tel.originateAgent(a)).kind).to.equal('answered');
    rig.sim.delayNextEvent('BACKGROUND_JOB', 2_000);
    const b = legRequest(rig.node, AGENT);
    expect((await rig.tel.originateAgent(b)).kind).to.equal('answered');
    await waitFor(() => rig.handler.of('agent-hangup').length === 2, 'both calls over');
    for (const r of [a, b]) expect(rig.handler.forAttempt(r.attemptId).map((e) => e.kind)).to.deep.equal(['member-answered', 'member-ended', 'agent-hangup']);
    // The same leg uuid is never originated twice, even if the engine asks again.
    expect((await rig.tel.originateAgent(a)).kind).to.equal('answered');
    expect(rig.sim.originates()).to.have.length(2);
  });

  it('F2: the same leg asked for again while it rings and after a reconnect is originated once; every caller gets its one outcome', async () => {
    const rig = await startRig({ agents: { [AGENT]: { answer: 'answer', afterMs: 800 } }, defaultSubscriber: { talkMs: 100 } });
    rigs.push(rig);
    await waitFor(() => rig.tel.upNodes().length === 1, 'node up');
    const req = legRequest(rig.node, AGENT);
    const sent = () => rig.sim.originates().filter((o) => o.command.includes(req.legUuid)).length;
    const first = rig.tel.originateAgent(req);
    const whileRinging = rig.tel.originateAgent({ ...req });
    await waitFor(() => sent() >= 1, 'originate sent');
    rig.sim.dropInbound();
    await waitFor(() => rig.handler.of('node-up').length === 2, 'reconnected');
    const afterReconnect = rig.tel.originateAgent({ ...req });
    await waitFor(() => rig.handler.of('agent-hangup').length >= 1, 'call over');
    expect(sent()).to.equal(1);
    for (const r of await Promise.all([first, whileRinging, afterReconnect])) expect(r).to.deep.equal({ kind: 'answered', legUuid: req.legUuid });
    expect(rig.handler.forAttempt(req.attemptId).map((e) => e.kind)).to.deep.equal(['member-answered', 'member-ended', 'agent-hangup']);
  });

  /** An agent leg bridged to an answered subscriber who talks until killed; the call's legs. */
  async function bridgedCall(rig: Rig) {
    await waitFor(() => rig.tel.upNodes().length === 1, 'node up');
    const req = legRequest(rig.node, AGENT);
    expect((await rig.tel.originateAgent(req)).kind).to.equal('answered');
    await waitFor(() => rig.handler.of('member-answered').length === 1, 'bridged');
    const memberUuid = rig.handler.of('member-answered')[0]!.memberUuid!;
    const sipUuid = rig.sim.channels().find((c) => c.name.startsWith('sofia/internal/'))!.uuid;
    return { req, memberUuid, sipUuid };
  }

  /** The subscriber hangs up (its SIP leg ends), asked over a connection of its own. */
  async function subscriberHangsUp(rig: Rig, sipUuid: string): Promise<void> {
    const esl = await TestEsl.login(Number(rig.node.split(':')[1]), '');
    try {
      expect(await esl.api(`uuid_kill ${sipUuid} NORMAL_CLEARING`)).to.equal('+OK\n');
    } finally {
      esl.close();
    }
  }

  it('S3, C6: the outbound socket lost mid-bridge, FreeSWITCH and the inbound connection up: the call goes on past lostLegMs; member-ended at the subscriber\'s hangup with FreeSWITCH\'s times, then one agent-hangup', async () => {
    const rig = await startRig({ agents: { [AGENT]: { answer: 'answer', afterMs: 20 } }, defaultSubscriber: { outcome: 'answer', afterMs: 20, talkMs: 60_000 } },
      { session: { lostLegMs: 200 } });
    rigs.push(rig);
    const { req, memberUuid, sipUuid } = await bridgedCall(rig);
    const hangups = await TestEsl.login(Number(rig.node.split(':')[1]), 'CHANNEL_HANGUP_COMPLETE');
    rig.sim.closeOutbound(req.legUuid);
    // Well past the wait for a hangup that gave the call up before (lostLegMs): nothing ended.
    await sleep(1_200);
    expect(rig.sim.channels().map((c) => c.uuid)).to.include.members([req.legUuid, memberUuid, sipUuid]);
    expect(rig.handler.forAttempt(req.attemptId).map((e) => e.kind)).to.deep.equal(['member-answered']);
    await subscriberHangsUp(rig, sipUuid);
    await waitFor(() => rig.handler.of('agent-hangup').length === 1, 'agent hangup');
    const evs = rig.handler.forAttempt(req.attemptId);
    expect(evs.map((e) => e.kind)).to.deep.equal(['member-answered', 'member-ended', 'agent-hangup']);
    const ended = evs[1];
    if (ended?.kind !== 'member-ended') throw new Error('member-ended expected');
    // C6: the talk time is FreeSWITCH's: from the bridge to loopback-a's own hangup time.
    const complete = await hangups.event((e) => header(e, 'Event-Name') === 'CHANNEL_HANGUP_COMPLETE' && header(e, 'Unique-ID') === memberUuid);
    hangups.close();
    const hangupAt = microsToDate(header(complete, 'Caller-Channel-Hangup-Time'))!;
    expect(ended.result).to.include({ memberUuid, cause: 'NORMAL_CLEARING', endKnown: true });
    expect(ended.result.endedAt.getTime()).to.equal(hangupAt.getTime());
    expect(ended.result.talkSec).to.equal(Math.floor((hangupAt.getTime() - ended.result.answeredAt!.getTime()) / 1000)).and.be.at.least(1);
    expect(rig.handler.of('agent-hangup')[0]).to.include({ attemptId: req.attemptId, cause: 'NORMAL_CLEARING' });
    expect(rig.tel.followedLegs).to.equal(0);
  });

  it('S3, C6: the outbound socket and the inbound connection lost mid-bridge: after the reconnect uuid_exists finds the call up and it is followed to the subscriber\'s hangup', async () => {
    const rig = await startRig({ agents: { [AGENT]: { answer: 'answer', afterMs: 20 } }, defaultSubscriber: { outcome: 'answer', afterMs: 20, talkMs: 60_000 } },
      { session: { lostLegMs: 200 } });
    rigs.push(rig);
    const { req, memberUuid, sipUuid } = await bridgedCall(rig);
    rig.sim.closeOutbound(req.legUuid);
    rig.sim.dropInbound();
    await waitFor(() => rig.handler.of('node-up').length === 2, 'reconnected');
    await sleep(600);
    expect(rig.sim.channels().map((c) => c.uuid)).to.include.members([req.legUuid, memberUuid]);
    expect(rig.handler.forAttempt(req.attemptId).map((e) => e.kind)).to.deep.equal(['member-answered']);
    expect(rig.tel.followedLegs).to.equal(1);
    await subscriberHangsUp(rig, sipUuid);
    await waitFor(() => rig.handler.of('agent-hangup').length === 1, 'agent hangup');
    const evs = rig.handler.forAttempt(req.attemptId);
    expect(evs.map((e) => e.kind)).to.deep.equal(['member-answered', 'member-ended', 'agent-hangup']);
    const ended = evs[1];
    if (ended?.kind !== 'member-ended') throw new Error('member-ended expected');
    expect(ended.result).to.include({ memberUuid, cause: 'NORMAL_CLEARING', endKnown: true });
    expect(ended.result.talkSec).to.be.at.least(0);
  });

  it('S3, C6: a followed call whose hangup was missed (the inbound connection down meanwhile) ends when uuid_exists says false: end unknown, talk time to the last instant FreeSWITCH showed it up', async () => {
    const rig = await startRig({ agents: { [AGENT]: { answer: 'answer', afterMs: 20 } }, defaultSubscriber: { outcome: 'answer', afterMs: 20, talkMs: 60_000 } },
      { session: { lostLegMs: 200 }, reconnect: { minBackoffMs: 1_500, maxBackoffMs: 1_500, connectTimeoutMs: 2_000 } });
    rigs.push(rig);
    const { req, sipUuid } = await bridgedCall(rig);
    rig.sim.closeOutbound(req.legUuid);
    await waitFor(() => rig.tel.followedLegs === 1, 'followed');
    const upTo = new Date();
    rig.sim.dropInbound();
    // The subscriber hangs up while the dialer's inbound connection is down: its events are lost.
    await subscriberHangsUp(rig, sipUuid);
    await waitFor(() => rig.handler.of('agent-hangup').length === 1, 'agent hangup');
    expect(rig.handler.of('node-up')).to.have.length(2);
    const evs = rig.handler.forAttempt(req.attemptId);
    expect(evs.map((e) => e.kind)).to.deep.equal(['member-answered', 'member-ended', 'agent-hangup']);
    const ended = evs[1];
    if (ended?.kind !== 'member-ended') throw new Error('member-ended expected');
    expect(ended.result).to.include({ cause: 'UNKNOWN', endKnown: false });
    expect(ended.result.endedAt.getTime()).to.be.at.most(upTo.getTime());
  });

  it('S3: a call followed after its socket was lost is still hung up at maxCallSec, and ends by that hangup', async () => {
    const rig = await startRig({ agents: { [AGENT]: { answer: 'answer', afterMs: 20 } }, defaultSubscriber: { outcome: 'answer', afterMs: 20, talkMs: 60_000 } },
      { session: { lostLegMs: 200, maxCallSec: 2 } });
    rigs.push(rig);
    const { req, memberUuid } = await bridgedCall(rig);
    rig.sim.closeOutbound(req.legUuid);
    await waitFor(() => rig.handler.of('agent-hangup').length === 1, 'hung up at the limit');
    const ended = rig.handler.of('member-ended')[0]!;
    expect(ended.result).to.include({ memberUuid, endKnown: true });
    expect(rig.handler.of('agent-hangup')[0]!.cause).to.equal('ALLOTTED_TIMEOUT');
    expect(rig.sim.channels()).to.have.length(0);
  });

  it('S3: a bridged call whose node cannot be asked for longer than unreachableLegMs ends as unknown; when the node is back, what is left of it is hung up before the node is offered calls', async () => {
    const rig = await startRig({ agents: { [AGENT]: { answer: 'answer', afterMs: 20 } }, defaultSubscriber: { outcome: 'answer', afterMs: 20, talkMs: 60_000 } },
      { session: { lostLegMs: 200, unreachableLegMs: 300 }, reconnect: { minBackoffMs: 2_000, maxBackoffMs: 2_000, connectTimeoutMs: 2_000 } });
    rigs.push(rig);
    const { req, memberUuid } = await bridgedCall(rig);
    rig.sim.closeOutbound(req.legUuid);
    rig.sim.dropInbound();
    await waitFor(() => rig.handler.of('agent-hangup').length === 1, 'given up');
    const ended = rig.handler.of('member-ended')[0]!;
    expect(ended.result).to.include({ cause: 'UNKNOWN', endKnown: false });
    // Given up, but still up on the switch: the agent could be dialled again while in this call.
    expect(rig.handler.of('node-up')).to.have.length(1);
    expect(rig.sim.channels().map((c) => c.uuid)).to.include.members([req.legUuid, memberUuid]);
    await waitFor(() => rig.handler.of('node-up').length === 2, 'reconnected');
    expect(rig.sim.channels().map((c) => c.uuid)).to.not.include.members([req.legUuid]);
    expect(rig.sim.channels().map((c) => c.uuid)).to.not.include.members([memberUuid]);
  });

  it('S3: an answered leg that never reaches our socket is settled once: by its hangup event, or by uuid_exists after a drop', async () => {
    const dead = `127.0.0.1:${await freePort()}`;
    for (const drop of [false, true]) {
      const rig = await startRig(
        { agents: { [AGENT]: { answer: 'answer', afterMs: 20 } } },
        { outbound: { listen: `127.0.0.1:${await freePort()}`, advertise: dead }, sessionGraceMs: 300 },
      );
      rigs.push(rig);
      await waitFor(() => rig.tel.upNodes().length === 1, 'node up');
      const req = legRequest(rig.node, AGENT);
      // The socket target does not answer: the simulated FreeSWITCH hangs the leg up (no session ever).
      if (drop) rig.sim.delayNextEvent('CHANNEL_HANGUP_COMPLETE', 400);
      expect((await rig.tel.originateAgent(req)).kind).to.equal('answered');
      if (drop) rig.sim.dropInbound();
      await waitFor(() => rig.handler.of('agent-hangup').length === 1, `agent hangup (drop: ${drop})`);
      await sleep(600);
      const hangups = rig.handler.of('agent-hangup');
      expect(hangups, `drop: ${drop}`).to.have.length(1);
      expect(hangups[0]).to.include({ attemptId: req.attemptId, agentLegUuid: req.legUuid });
      // After the drop the hangup event is normally lost, and uuid_exists settles the leg as UNKNOWN.
      expect(hangups[0]!.cause).to.be.oneOf(drop ? ['UNKNOWN', 'NORMAL_CLEARING'] : ['NORMAL_CLEARING']);
      expect(rig.handler.of('member-ended')).to.have.length(0);
    }
  });

  it('S3: FreeSWITCH restarts mid-call (all calls gone): member-ended UNKNOWN and one agent-hangup, then the node is back', async () => {
    const rig = await startRig(
      { agents: { [AGENT]: { answer: 'answer', afterMs: 20 } }, defaultSubscriber: { outcome: 'answer', afterMs: 20, talkMs: 10_000 } },
      { session: { lostLegMs: 300 } },
    );
    rigs.push(rig);
    await waitFor(() => rig.tel.upNodes().length === 1, 'node up');
    const req = legRequest(rig.node, AGENT);
    expect((await rig.tel.originateAgent(req)).kind).to.equal('answered');
    await waitFor(() => rig.handler.of('member-answered').length === 1, 'bridged');
    await rig.sim.restart();
    await waitFor(() => rig.handler.of('agent-hangup').length === 1, 'agent hangup');
    await waitFor(() => rig.handler.of('node-up').some((e) => e.reconnected), 'reconnected');
    const evs = rig.handler.forAttempt(req.attemptId);
    expect(evs.map((e) => e.kind)).to.deep.equal(['member-answered', 'member-ended', 'agent-hangup']);
    const ended = evs[1];
    if (ended?.kind !== 'member-ended') throw new Error('member-ended expected');
    expect(ended.result.cause).to.equal('UNKNOWN');
    expect(ended.result.answeredAt).to.be.instanceOf(Date);
    // S3, C6: no hangup anywhere: the end is unknown and the talk runs to the last event, not to the give-up.
    expect(ended.result.endKnown).to.equal(false);
    expect(ended.result.talkSec).to.equal(0);
    expect(await rig.tel.exists(rig.node, req.legUuid)).to.equal(false);
  });

  it('F3: two FreeSWITCH servers: each originate goes to its node; a node that is down is skipped at once', async () => {
    const a = await startRig({ agents: { [AGENT]: { answer: 'answer', afterMs: 20 } }, defaultSubscriber: { talkMs: 100 } });
    rigs.push(a);
    const b = await startRig({ agents: { '2000@127.0.0.1': { answer: 'busy', afterMs: 20 } } });
    rigs.push(b);
    // One adapter, both nodes.
    const { FreeSwitchTelephony } = await import('../../src/adapters/freeswitch/telephony.js');
    const { RecordingHandler, silent, freePort } = await import('./freeswitch-harness.js');
    const [ha, pa] = a.node.split(':');
    const [hb, pb] = b.node.split(':');
    const outbound = `127.0.0.1:${await freePort()}`;
    const tel = new FreeSwitchTelephony({
      nodes: [
        { name: a.node, host: ha!, port: Number(pa), password: 'ClueCon' },
        { name: b.node, host: hb!, port: Number(pb), password: 'ClueCon' },
      ],
      outbound: { listen: outbound, advertise: outbound },
      sofiaProfile: 'internal',
      routeContext: 'dialer-out',
      log: silent,
      reconnect: { minBackoffMs: 10, maxBackoffMs: 100 },
    });
    const handler = new RecordingHandler();
    await tel.start(handler);
    try {
      await waitFor(() => tel.upNodes().length === 2, 'both nodes up');
      const ra = legRequest(a.node, AGENT);
      const rb = legRequest(b.node, '2000@127.0.0.1');
      const [resA, resB] = await Promise.all([tel.originateAgent(ra), tel.originateAgent(rb)]);
      expect(resA.kind).to.equal('answered');
      expect(resB).to.include({ kind: 'failed', cause: 'USER_BUSY' });
      expect(a.sim.originates().map((o) => o.originationUuid)).to.include(ra.legUuid).and.not.include(rb.legUuid);
      expect(b.sim.originates().map((o) => o.originationUuid)).to.deep.equal([rb.legUuid]);
      await waitFor(() => handler.of('agent-hangup').length === 1, 'call on node A over');
      expect(handler.of('registrations-sync').map((e) => e.node).sort()).to.deep.equal([a.node, b.node].sort());

      await b.sim.close();
      await waitFor(() => !tel.upNodes().includes(b.node), 'node B down');
      expect(tel.upNodes()).to.deep.equal([a.node]);
      expect(await tel.originateAgent(legRequest(b.node, '2000@127.0.0.1'))).to.include({ kind: 'failed', cause: 'NODE_DOWN' });
      expect(await tel.exists(b.node, rb.legUuid)).to.equal('unknown');
    } finally {
      await tel.close();
    }
  });
});
