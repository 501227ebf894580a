// The simulator's scripted phones and faults, driven over TCP (what adapter and e2e tests rely on).
import { expect } from 'chai';
import { pino } from 'pino';
import { Simulator, type Scenario } from '../../src/simulator/index.js';
import { RawOutboundServer, type RawEsl } from '../helpers/raw-esl.js';
import { header, type EslMessage } from '../helpers/transcript.js';
import { TestEsl, evName, is } from './simulator-esl-client.js';
import { inner } from './simulator-replay.js';

const A = '1000@127.0.0.1';
const U = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('simulator behaviour', () => {
  let sim: Simulator;
  let app: RawOutboundServer;
  let esl: TestEsl;
  const open: RawEsl[] = [];

  async function boot(scenario: Scenario, extra: { routeCallTimeoutSec?: number } = {}): Promise<void> {
    app = new RawOutboundServer();
    const appPort = await app.listen();
    sim = new Simulator({ log: pino({ level: 'silent' }), scenario, agentContextSocket: `127.0.0.1:${appPort}`, ...extra });
    const { port } = await sim.start();
    esl = await TestEsl.login(port);
  }

  afterEach(async () => {
    esl?.close();
    for (const c of open.splice(0)) c.close();
    await sim?.close();
    await app?.close();
  });

  /** Originates an agent leg into the socket and completes `connect` + myevents on the app side. */
  async function agentOnSocket(uuid: string, vars = ''): Promise<RawEsl> {
    esl.raw.send(`bgapi originate {origination_uuid=${uuid},originate_timeout=5${vars}}user/1000 agent XML dialer-agent\n\n`);
    const o = await app.accept();
    open.push(o);
    o.send('connect\n\n');
    const data = await o.next();
    expect(header(data, 'Unique-ID')).to.equal(uuid);
    o.send('myevents\n\n');
    await o.next();
    return o;
  }

  function execute(o: RawEsl, app: string, arg: string, eventUuid: string): void {
    o.send(`sendmsg\ncall-command: execute\nexecute-app-name: ${app}\nexecute-app-arg: ${arg}\nEvent-UUID: ${eventUuid}\n\n`);
  }

  it('A2: scripted agents are registered at start; register/unregister emit sofia events and change the reg list', async () => {
    await boot({ agents: { [A]: {}, '1001@127.0.0.1': { registered: false } } });
    expect(await esl.api('sofia status profile internal reg')).to.contain('User:       \t1000@127.0.0.1').and.contain('Total items returned: 1');
    expect(await esl.api('sofia_contact 1001@127.0.0.1')).to.equal('error/user_not_registered');
    sim.register('1001@127.0.0.1');
    const reg = await esl.event((e) => header(e, 'Event-Subclass') === 'sofia::register');
    expect(header(reg, 'username')).to.equal('1001');
    expect(await esl.api('sofia_contact 1001@127.0.0.1')).to.equal('sofia/internal/sip:1001@127.0.0.1:5080');
    sim.unregister(A);
    const unreg = await esl.event((e) => header(e, 'Event-Subclass') === 'sofia::unregister');
    expect(header(unreg, 'expires')).to.equal('0');
    expect(await esl.api('sofia status profile internal reg')).to.contain('1001@127.0.0.1').and.not.contain('User:       \t1000@');
    expect(await esl.bgapi(`originate {origination_uuid=${U(1)}}user/1000 &park()`)).to.equal('-ERR USER_NOT_REGISTERED\n');
    expect(await esl.api('show registrations')).to.equal('\n0 total.\n');
  });

  const agentOutcomes: [string, Scenario['agents'], string][] = [
    ['busy', { [A]: { answer: 'busy' } }, 'USER_BUSY'],
    ['dnd', { [A]: { answer: 'dnd' } }, 'USER_BUSY'],
    ['reject', { [A]: { answer: 'reject' } }, 'CALL_REJECTED'],
    ['unavailable', { [A]: { answer: 'unavailable' } }, 'NO_USER_RESPONSE'],
    ['no-answer', { [A]: { answer: 'no-answer' } }, 'NO_ANSWER'],
    ['unregistered', { [A]: { registered: false } }, 'USER_NOT_REGISTERED'],
  ];
  for (const [label, agents, cause] of agentOutcomes) {
    it(`A3: agent phone '${label}' → -ERR ${cause}`, async () => {
      await boot({ agents });
      const body = await esl.bgapi(`originate {origination_uuid=${U(2)},originate_timeout=0.2}user/1000 &park()`);
      expect(body).to.equal(`-ERR ${cause}\n`);
      if (cause !== 'USER_NOT_REGISTERED') {
        const hc = await esl.event(is('CHANNEL_HANGUP_COMPLETE', U(2)));
        expect(header(hc, 'variable_hangup_cause')).to.equal(cause);
        expect(header(hc, 'variable_billsec')).to.equal('0');
      }
      expect(sim.originates().map((o) => o.originationUuid)).to.deep.equal([U(2)]);
    });
  }

  it('A3: unknown user is SUBSCRIBER_ABSENT with unknownUsersAbsent, else a default answering phone', async () => {
    await boot({ unknownUsersAbsent: true });
    expect(await esl.bgapi(`originate {origination_uuid=${U(3)}}user/9999 &park()`)).to.equal('-ERR SUBSCRIBER_ABSENT\n');
    await sim.close();
    await app.close();
    esl.close();
    await boot({});
    expect(await esl.bgapi(`originate {origination_uuid=${U(4)}}user/9999 &park()`)).to.equal(`+OK ${U(4)}\n`);
    expect(sim.channels().map((c) => c.uuid)).to.deep.equal([U(4)]);
  });

  it('A3: answered agent hangs up after hangupAfterMs; HANGUP_COMPLETE carries timing variables', async () => {
    await boot({ agents: { [A]: { afterMs: 10, hangupAfterMs: 30 } } });
    expect(await esl.bgapi(`originate {origination_uuid=${U(5)}}user/1000 &park()`)).to.equal(`+OK ${U(5)}\n`);
    const hc = await esl.event(is('CHANNEL_HANGUP_COMPLETE', U(5)));
    expect(header(hc, 'Hangup-Cause')).to.equal('NORMAL_CLEARING');
    for (const v of ['variable_billsec', 'variable_billmsec', 'variable_answer_epoch', 'variable_end_epoch', 'variable_duration']) {
      expect(header(hc, v), v).to.match(/^\d+$/);
    }
    expect(hc.headers.filter(([k]) => k === 'Hangup-Cause')).to.have.length(2);
    expect(sim.channelLog()[0]?.hangupCause).to.equal('NORMAL_CLEARING');
  });

  it('F2: BACKGROUND_JOB comes before and after the hangup events on successive failures', async () => {
    await boot({ agents: { [A]: { answer: 'busy', afterMs: 5 } } });
    const orders: boolean[] = [];
    for (const n of [6, 7]) {
      const job = /Job-UUID: (\S+)/.exec(await esl.reply(`bgapi originate {origination_uuid=${U(n)}}user/1000 &park()`))?.[1];
      expect(job, 'the bgapi reply names its job').to.be.a('string');
      const ofJob = (e: EslMessage) => evName(e) === 'BACKGROUND_JOB' && header(e, 'Job-UUID') === job;
      // Both events are required before their order is read: a job that never came is no "before".
      expect((await esl.event(ofJob)).body.toString()).to.equal('-ERR USER_BUSY\n');
      await esl.event(is('CHANNEL_HANGUP_COMPLETE', U(n)));
      const evs = esl.events();
      const jobAt = evs.findIndex(ofJob);
      const hangupAt = evs.findIndex(is('CHANNEL_HANGUP_COMPLETE', U(n)));
      expect(jobAt, 'BACKGROUND_JOB received').to.be.at.least(0);
      expect(hangupAt, 'CHANNEL_HANGUP_COMPLETE received').to.be.at.least(0);
      orders.push(jobAt < hangupAt);
    }
    expect(orders).to.have.members([true, false]);
  });

  it('C8: socket app set variables land on the channel; originate variables are in CHANNEL_DATA', async () => {
    await boot({ agents: { [A]: { afterMs: 5 } } });
    esl.raw.send(`bgapi originate {origination_uuid=${U(8)},dialer_attempt_id=77}user/1000 agent XML dialer-agent\n\n`);
    const o = await app.accept();
    open.push(o);
    o.send('connect\n\n');
    const data = await o.next();
    expect(header(data, 'variable_dialer_attempt_id')).to.equal('77');
    expect(header(data, 'Reply-Text')).to.equal('%2BOK%0A');
    o.send('myevents\n\n');
    await o.next();
    execute(o, 'set', 'dialer_campaign=camp-9', U(80));
    execute(o, 'export', 'dialer_member=m-1', U(81));
    const done = await o.next((m) => header(m, 'Content-Type') === 'text/event-plain' && m.body.toString().includes(U(81)) && m.body.toString().includes('CHANNEL_EXECUTE_COMPLETE'));
    expect(done.body.toString()).to.contain('variable_dialer_member: m-1');
    const vars = sim.channels().find((c) => c.uuid === U(8))?.variables;
    expect(vars).to.include({ dialer_campaign: 'camp-9', dialer_member: 'm-1', dialer_attempt_id: '77' });
  });

  const subscriberOutcomes: [string, Scenario['subscribers'], string][] = [
    ['busy', { 555: { outcome: 'busy' } }, 'USER_BUSY'],
    ['reject', { 555: { outcome: 'reject' } }, 'CALL_REJECTED'],
    ['404', { 555: { outcome: 404 } }, 'UNALLOCATED_NUMBER'],
    ['480', { 555: { outcome: 480 } }, 'NO_USER_RESPONSE'],
    ['503', { 555: { outcome: 503 } }, 'NORMAL_TEMPORARY_FAILURE'],
    ['603', { 555: { outcome: 603 } }, 'CALL_REJECTED'],
    ['no-answer', { 555: { outcome: 'no-answer' } }, 'NO_ANSWER'],
  ];
  for (const [label, subscribers, cause] of subscriberOutcomes) {
    it(`C9: subscriber '${label}' with continue_on_fail: B leg ${cause}, agent stays answered`, async () => {
      await boot({ agents: { [A]: { afterMs: 5 } }, subscribers }, { routeCallTimeoutSec: 0.2 });
      const o = await agentOnSocket(U(9));
      execute(o, 'set', 'continue_on_fail=true', U(90));
      execute(o, 'bridge', 'loopback/555/dialer-out', U(91));
      const sub = await esl.event((e) => evName(e) === 'CHANNEL_HANGUP_COMPLETE' && header(e, 'Unique-ID') !== U(9));
      expect(header(sub, 'Hangup-Cause')).to.equal(cause);
      const done = await o.next((m) => m.body.toString().includes('CHANNEL_EXECUTE_COMPLETE') && m.body.toString().includes(U(91)));
      expect(done.body.toString()).to.contain(`variable_last_bridge_hangup_cause: ${cause}`).and.contain('Answer-State: answered');
      expect(sim.channels().map((c) => c.uuid)).to.deep.equal([U(9)]);
    });
  }

  it('C9: subscriber busy without continue_on_fail hangs the agent up with USER_BUSY (05b)', async () => {
    await boot({ agents: { [A]: { afterMs: 5 } }, subscribers: { 555: { outcome: 'busy' } } });
    const o = await agentOnSocket(U(10));
    execute(o, 'bridge', '{call_timeout=15}sofia/internal/555@127.0.0.1:5090', U(100));
    const hc = await esl.event(is('CHANNEL_HANGUP_COMPLETE', U(10)));
    expect(header(hc, 'Hangup-Cause')).to.equal('USER_BUSY');
    expect(header(hc, 'variable_DIALSTATUS')).to.equal('BUSY');
  });

  it('C6: answered subscriber talks talkMs, hangs up; the agent leg ends with hangup_after_bridge', async () => {
    await boot({ agents: { [A]: { afterMs: 5 } }, subscribers: { 555: { afterMs: 10, talkMs: 60 } } });
    const o = await agentOnSocket(U(11));
    o.send('linger\n\n');
    execute(o, 'set', 'hangup_after_bridge=true', U(110));
    execute(o, 'export', 'dialer_attempt_id=55', U(112));
    execute(o, 'bridge', 'sofia/gateway/gw1/555', U(111));
    const bridge = await esl.event(is('CHANNEL_BRIDGE', U(11)));
    const subUuid = header(bridge, 'Other-Leg-Unique-ID');
    const subHc = await esl.event(is('CHANNEL_HANGUP_COMPLETE', subUuid));
    expect(header(subHc, 'variable_billmsec')).to.match(/^\d+$/);
    expect(header(subHc, 'Channel-Name')).to.equal('sofia/gateway/gw1/555');
    expect(header(subHc, 'variable_dialer_attempt_id'), 'exported to the B leg').to.equal('55');
    const agentHc = await esl.event(is('CHANNEL_HANGUP_COMPLETE', U(11)));
    expect(header(agentHc, 'variable_bridge_hangup_cause')).to.equal('NORMAL_CLEARING');
    const notice = await o.next((m) => header(m, 'Content-Type') === 'text/disconnect-notice');
    expect(header(notice, 'Content-Disposition')).to.equal('linger');
  });

  it('C9: uuid_kill on a bridged subscriber leg ends it with that cause; without hangup_after_bridge the agent stays', async () => {
    await boot({ agents: { [A]: { afterMs: 5 } }, subscribers: { 555: { afterMs: 5, talkMs: 60_000 } } });
    const o = await agentOnSocket(U(17));
    execute(o, 'bridge', 'loopback/555/dialer-out', U(170));
    const bridge = await esl.event(is('CHANNEL_BRIDGE', U(17)));
    const subUuid = header(bridge, 'Other-Leg-Unique-ID') ?? '';
    expect(await esl.api(`uuid_exists ${subUuid}`)).to.equal('true');
    expect(await esl.api(`uuid_kill ${subUuid} NORMAL_CLEARING`)).to.equal('+OK\n');
    expect(header(await esl.event(is('CHANNEL_HANGUP_COMPLETE', subUuid)), 'Hangup-Cause')).to.equal('NORMAL_CLEARING');
    const done = await o.next((m) => m.body.toString().includes('CHANNEL_EXECUTE_COMPLETE') && m.body.toString().includes(U(170)));
    expect(done.body.toString()).to.contain('variable_bridge_hangup_cause: NORMAL_CLEARING');
    expect(sim.channels().map((c) => c.uuid)).to.deep.equal([U(17)]);
  });

  it('F2: event json delivers channel events as one JSON object with Hangup-Cause twice on HANGUP_COMPLETE', async () => {
    await boot({ agents: { [A]: { afterMs: 5, hangupAfterMs: 5 } } });
    const j = await TestEsl.login(sim.port, 'CHANNEL_HANGUP_COMPLETE BACKGROUND_JOB', 'json');
    j.raw.send(`bgapi originate {origination_uuid=${U(18)}}user/1000 &park()\n\n`);
    const m = await j.raw.next((x) => header(x, 'Content-Type') === 'text/event-json' && x.body.toString().includes('CHANNEL_HANGUP_COMPLETE'));
    j.close();
    const text = m.body.toString();
    expect(Number(header(m, 'Content-Length'))).to.equal(Buffer.byteLength(text));
    expect(text.match(/"Hangup-Cause":"NORMAL_CLEARING"/g)).to.have.length(2);
    expect((JSON.parse(text) as Record<string, string>)['Unique-ID']).to.equal(U(18));
  });

  it('F2: dropInbound leaves calls up; a new connection sees them (06 A)', async () => {
    await boot({ agents: { [A]: { afterMs: 5 } } });
    expect(await esl.bgapi(`originate {origination_uuid=${U(12)}}user/1000 &park()`)).to.equal(`+OK ${U(12)}\n`);
    sim.dropInbound();
    await esl.raw.waitClosed();
    esl = await TestEsl.login(sim.port);
    expect(await esl.api(`uuid_exists ${U(12)}`)).to.equal('true');
    expect(await esl.api(`uuid_kill ${U(12)} USER_BUSY`)).to.equal('+OK\n');
    expect(header(await esl.event(is('CHANNEL_HANGUP', U(12))), 'Hangup-Cause')).to.equal('USER_BUSY');
    expect(await esl.api(`uuid_exists ${U(12)}`)).to.equal('false');
  });

  it('F2: api uuid_kill answers +OK before the channel\'s CHANNEL_HANGUP and HANGUP_COMPLETE (06 A)', async () => {
    await boot({ agents: { [A]: { afterMs: 5 } } });
    expect(await esl.bgapi(`originate {origination_uuid=${U(22)}}user/1000 &park()`)).to.equal(`+OK ${U(22)}\n`);
    expect(await esl.api(`uuid_kill ${U(22)}`)).to.equal('+OK\n');
    await esl.event(is('CHANNEL_HANGUP_COMPLETE', U(22)));
    const order = esl.raw.received
      .map((m) => (header(m, 'Content-Type') === 'api/response' ? `api ${m.body.toString().trim()}` : evName(inner(m) ?? m)))
      .filter((k) => k === 'api +OK' || k === 'CHANNEL_HANGUP' || k === 'CHANNEL_HANGUP_COMPLETE');
    expect(order).to.deep.equal(['api +OK', 'CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE']);
  });

  it('F2: closeOutbound hangs the agent leg up with NORMAL_CLEARING', async () => {
    await boot({ agents: { [A]: { afterMs: 5 } } });
    const o = await agentOnSocket(U(13));
    sim.closeOutbound(U(13));
    await o.waitClosed();
    const hc = await esl.event(is('CHANNEL_HANGUP_COMPLETE', U(13)));
    expect(header(hc, 'Hangup-Cause')).to.equal('NORMAL_CLEARING');
  });

  it('F2: delayNextEvent reorders delivery; duplicateNextEvent sends an event twice', async () => {
    await boot({ agents: { [A]: { afterMs: 5 } } });
    sim.delayNextEvent('CHANNEL_ANSWER', 80);
    sim.duplicateNextEvent('CHANNEL_CREATE');
    await esl.bgapi(`originate {origination_uuid=${U(14)}}user/1000 &park()`);
    await esl.event(is('CHANNEL_ANSWER', U(14)));
    const names = esl.events().map(evName);
    expect(names.filter((n) => n === 'CHANNEL_CREATE')).to.have.length(2);
    expect(names.indexOf('BACKGROUND_JOB')).to.be.lessThan(names.indexOf('CHANNEL_ANSWER'));
  });

  it('F2: restart drops every connection and channel, then accepts logins again as a new core (Core-UUID, Event-Sequence)', async () => {
    await boot({ agents: { [A]: { afterMs: 5 } } });
    await esl.bgapi(`originate {origination_uuid=${U(15)}}user/1000 &park()`);
    const before = esl.events().at(-1)!;
    await sim.restart();
    await esl.raw.waitClosed();
    esl = await TestEsl.login(sim.port);
    expect(await esl.api(`uuid_exists ${U(15)}`)).to.equal('false');
    expect(sim.channels()).to.have.length(0);
    await esl.bgapi(`originate {origination_uuid=${U(23)}}user/1000 &park()`);
    const after = esl.events()[0]!;
    expect(evName(after)).to.equal('CHANNEL_CREATE');
    expect(header(after, 'Core-UUID')).to.match(/^[0-9a-f-]{36}$/).and.not.equal(header(before, 'Core-UUID'));
    // the sequence starts over with the new process
    expect(Number(header(after, 'Event-Sequence'))).to.be.lessThan(Number(header(before, 'Event-Sequence')));
  });

  it('A5: a phone dials a service code; the app plays a tone and hangs up', async () => {
    await boot({ agents: { [A]: {} } });
    const result = sim.dialServiceCode(A, '*100');
    const o = await app.accept();
    open.push(o);
    o.send('connect\n\n');
    const data = await o.next();
    expect(header(data, 'Caller-Destination-Number')).to.equal('*100');
    expect(header(data, 'variable_sip_from_user')).to.equal('1000');
    // 00_dialer_service_codes.xml: set dialer_sip_user, answer, then socket
    expect(decodeURIComponent(header(data, 'variable_dialer_sip_user') ?? '')).to.equal(A);
    expect(header(data, 'Answer-State')).to.equal('answered');
    const uuid = header(data, 'Unique-ID')!;
    expect(esl.events().filter((e) => header(e, 'Unique-ID') === uuid).map(evName)).to.deep.equal(['CHANNEL_CREATE', 'CHANNEL_ANSWER']);
    execute(o, 'answer', '', U(160));
    execute(o, 'playback', 'tone_stream://%(200,0,800)', U(161));
    execute(o, 'hangup', 'NORMAL_CLEARING', U(162));
    const r = await result;
    expect(r).to.deep.equal({ hangupCause: 'NORMAL_CLEARING', played: ['tone_stream://%(200,0,800)'] });
  });

  it('A5: a service call through a dialplan without the dialer_sip_user set carries only the phone\'s own variables', async () => {
    await boot({ agents: { [A]: {} } });
    const result = sim.dialServiceCode(A, '*101', { dialerSipUser: null });
    const o = await app.accept();
    open.push(o);
    o.send('connect\n\n');
    const data = await o.next();
    expect(header(data, 'variable_dialer_sip_user')).to.equal(undefined);
    expect([header(data, 'variable_user_name'), header(data, 'variable_domain_name')]).to.deep.equal(['1000', '127.0.0.1']);
    o.send('sendmsg\ncall-command: hangup\nhangup-cause: NORMAL_CLEARING\n\n');
    expect((await result).hangupCause).to.equal('NORMAL_CLEARING');
  });

  it('F1: the shipped example scenario loads and scripts its phones', async () => {
    const { readFileSync } = await import('node:fs');
    const scenario = JSON.parse(readFileSync('src/simulator/scenarios/example.json', 'utf8')) as Scenario;
    await boot(scenario);
    expect(await esl.bgapi(`originate {origination_uuid=${U(19)}}user/1001 &park()`)).to.equal('-ERR USER_BUSY\n');
    expect(await esl.bgapi(`originate {origination_uuid=${U(20)}}user/1003 &park()`)).to.equal('-ERR USER_NOT_REGISTERED\n');
    expect(await esl.bgapi(`originate {origination_uuid=${U(21)}}user/4444 &park()`)).to.equal('-ERR SUBSCRIBER_ABSENT\n');
  });

  it('F2: wrong password gets -ERR invalid and the connection is closed', async () => {
    await boot({});
    const { RawEsl } = await import('../helpers/raw-esl.js');
    const c = await RawEsl.connect(sim.port);
    open.push(c);
    await c.next();
    c.send('auth nope\n\n');
    expect(header(await c.next(), 'Reply-Text')).to.equal('-ERR invalid');
    expect((await c.next()).body.toString()).to.have.length(67);
    await c.waitClosed();
    await sim.close();
    await sim.close();
  });
});
