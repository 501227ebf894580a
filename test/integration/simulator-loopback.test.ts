// F1: a `loopback/<num>/<ctx>` bridge in the simulator is the layout FreeSWITCH recorded in 05c:
// loopback-a (the agent's peer), loopback-b (bridged to the SIP leg by the route context) and
// the SIP leg, on the inbound stream in the recorded order with the recorded headers; and a
// bridge that ends without hangup_after_bridge leaves the agent leg live, as 05d shows it.
import { expect } from 'chai';
import { pino } from 'pino';
import { Simulator, type Scenario } from '../../src/simulator/index.js';
import { RawOutboundServer, type RawEsl } from '../helpers/raw-esl.js';
import { header, type EslMessage } from '../helpers/transcript.js';
import { TestEsl, is } from './simulator-esl-client.js';
import { inner, names, replay } from './simulator-replay.js';

const A = '1000@127.0.0.1';
const U = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const KEY_HEADERS = [
  'Hangup-Cause', 'Answer-State', 'Channel-State', 'Application', 'Application-Response', 'Other-Leg-Channel-Name',
  'variable_hangup_cause', 'variable_endpoint_disposition', 'variable_originate_disposition', 'variable_DIALSTATUS',
  'variable_last_bridge_hangup_cause', 'variable_bridge_hangup_cause', 'variable_bridge_channel', 'variable_loopback_leg',
  'variable_sip_term_status', 'variable_last_bridge_proto_specific_hangup_cause',
];
/** Headers naming another channel: compared by the role of the channel they name. */
const UUID_HEADERS = [
  'Unique-ID', 'Other-Leg-Unique-ID', 'Channel-Call-UUID', 'variable_call_uuid', 'variable_bridge_uuid', 'variable_last_bridge_to',
  'variable_signal_bond', 'variable_originator', 'variable_loopback_from_uuid', 'variable_other_loopback_leg_uuid',
  'variable_other_loopback_from_uuid', 'variable_other_leg_true_id',
];

const roleOf = (channelName: string): string =>
  /^loopback\/\d+-a$/.test(channelName) ? 'loopback-a' : /^loopback\/\d+-b$/.test(channelName) ? 'loopback-b'
    : /@127\.0\.0\.1:5090$/.test(channelName) ? 'sip' : /^sofia\/internal\/1000@/.test(channelName) ? 'agent' : channelName;

/** uuid → role, learnt from every channel event of a stream. */
function roles(events: EslMessage[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of events) {
    const u = header(e, 'Unique-ID');
    const n = header(e, 'Channel-Name');
    if (u && n) m.set(u, roleOf(n));
  }
  return m;
}

const channelEvents = (ms: EslMessage[]) => ms.map(inner).filter((e): e is EslMessage => e !== null && (header(e, 'Event-Name') ?? '').startsWith('CHANNEL_'));

describe('simulator: loopback bridge as FreeSWITCH runs it (05c)', function () {
  this.timeout(20_000);

  it('F1: 05c — loopback-a/-b and the SIP leg, events in the recorded order, same headers, uuids naming the same legs', async () => {
    const r = await replay('05c-agent-first-loopback-subscriber-answers', {
      scenario: { agents: { [A]: { afterMs: 20 } }, subscribers: { 5551234: { afterMs: 50, talkMs: 150 } } },
    });
    try {
      const recorded = r.pairs.map((p) => inner(p.expected)).filter((e): e is EslMessage => e !== null);
      const actual = [...r.conns.values()].flatMap((c) => channelEvents(c.received));
      const recRoles = roles(recorded);
      const simRoles = roles(actual);
      const seq = (evs: EslMessage[], rs: Map<string, string>) => evs.map((e) => `${header(e, 'Event-Name')} ${rs.get(header(e, 'Unique-ID') ?? '')}`);
      // the inbound stream, in order: which leg does what when
      const inboundRec = channelEvents(r.pairs.filter((p) => p.conn === 'inbound#1').map((p) => p.expected));
      expect(seq(channelEvents(r.conns.get('inbound#1')!.received), simRoles)).to.deep.equal(seq(inboundRec, recRoles));
      expect([...new Set(simRoles.values())]).to.have.members(['agent', 'loopback-a', 'loopback-b', 'sip']);
      for (const p of r.pairs) {
        const a = inner(p.actual);
        const e = inner(p.expected);
        if (!a || !e || header(e, 'Event-Name') === 'BACKGROUND_JOB') continue;
        const where = `${p.conn} ${header(e, 'Event-Name')} ${roleOf(header(e, 'Channel-Name') ?? '')}`;
        expect(header(a, 'Channel-Name'), where).to.equal(header(e, 'Channel-Name'));
        expect(names(a), `${where}: header names`).to.deep.equal(names(e));
        for (const k of KEY_HEADERS) expect(header(a, k), `${where}: ${k}`).to.equal(header(e, k));
        for (const k of UUID_HEADERS) {
          const want = header(e, k);
          expect(want === undefined ? undefined : simRoles.get(header(a, k) ?? '') ?? 'unknown', `${where}: ${k}`)
            .to.equal(want === undefined ? undefined : recRoles.get(want) ?? 'unknown');
        }
      }
      // loopback-a answers with the SIP leg and reports its talk time (05c: both billsec 3)
      const billsec = (evs: EslMessage[], rs: Map<string, string>, role: string) =>
        header(evs.find((e) => header(e, 'Event-Name') === 'CHANNEL_HANGUP_COMPLETE' && rs.get(header(e, 'Unique-ID') ?? '') === role)!, 'variable_billsec');
      expect(billsec(recorded, recRoles, 'loopback-a')).to.equal(billsec(recorded, recRoles, 'sip'));
      expect(billsec(actual, simRoles, 'loopback-a')).to.equal(billsec(actual, simRoles, 'sip'));
    } finally {
      await r.close();
    }
  });
});

describe('simulator: bridge results on the agent leg over TCP', function () {
  this.timeout(20_000);
  let sim: Simulator;
  let app: RawOutboundServer;
  let esl: TestEsl;
  const open: RawEsl[] = [];

  async function boot(scenario: Scenario): Promise<void> {
    app = new RawOutboundServer();
    const appPort = await app.listen();
    sim = new Simulator({ log: pino({ level: 'silent' }), scenario, agentContextSocket: `127.0.0.1:${appPort}`, routeCallTimeoutSec: 0.3 });
    const { port } = await sim.start();
    esl = await TestEsl.login(port);
  }

  afterEach(async () => {
    esl?.close();
    for (const c of open.splice(0)) c.close();
    await sim?.close();
    await app?.close();
  });

  /** An answered agent leg on the socket with myevents; runs `apps` and waits for the bridge's completion. */
  async function bridgeFrom(uuid: string, apps: [string, string][], target: string): Promise<{ o: RawEsl; done: EslMessage }> {
    esl.raw.send(`bgapi originate {origination_uuid=${uuid},originate_timeout=5}user/1000 agent XML dialer-agent\n\n`);
    const o = await app.accept();
    open.push(o);
    o.send('connect\n\n');
    await o.next();
    o.send('myevents\n\n');
    await o.next();
    for (const [name, arg] of [...apps, ['bridge', target] as [string, string]]) {
      o.send(`sendmsg\ncall-command: execute\nexecute-app-name: ${name}\nexecute-app-arg: ${arg}\n\n`);
    }
    const m = await o.next((x) => {
      const ev = inner(x);
      return ev !== null && header(ev, 'Event-Name') === 'CHANNEL_EXECUTE_COMPLETE' && header(ev, 'Application') === 'bridge';
    }, 10_000);
    return { o, done: inner(m)! };
  }

  for (const target of ['loopback/5551234/dialer-out', 'sofia/internal/5551234@127.0.0.1:5090']) {
    it(`F1: a bridge to ${target.split('/')[0]} over without hangup_after_bridge leaves the agent answered: no Hangup-Cause, CS_EXECUTE is state 4 (05d)`, async () => {
      await boot({ agents: { [A]: { afterMs: 10 } }, subscribers: { 5551234: { afterMs: 20, talkMs: 50 } } });
      const { done } = await bridgeFrom(U(1), [['set', 'continue_on_fail=true']], target);
      expect(header(done, 'Answer-State')).to.equal('answered');
      expect(done.headers.some(([k]) => k === 'Hangup-Cause'), 'Hangup-Cause header').to.equal(false);
      expect(header(done, 'Channel-State')).to.equal('CS_EXECUTE');
      expect(header(done, 'Channel-State-Number')).to.equal('4');
      expect(header(done, 'variable_originate_disposition')).to.equal('SUCCESS');
      const peer = sim.channelLog().find((c) => c.uuid === header(done, 'variable_bridge_uuid'));
      expect(peer?.name).to.equal(target.startsWith('loopback') ? 'loopback/5551234-a' : target);
      expect(sim.channels().map((c) => c.uuid)).to.deep.equal([U(1)]);
    });
  }

  const failures: [string, Scenario['subscribers'], string][] = [
    ['busy', { 5551234: { outcome: 'busy', afterMs: 20 } }, 'USER_BUSY'],
    ['404', { 5551234: { outcome: 404, afterMs: 20 } }, 'UNALLOCATED_NUMBER'],
    ['no answer', { 5551234: { outcome: 'no-answer' } }, 'NO_ANSWER'],
  ];
  for (const [label, subscribers, cause] of failures) {
    it(`F1: loopback bridge, subscriber ${label}: the SIP leg's ${cause} ends loopback-b and loopback-a, and is the agent's bridge result`, async () => {
      await boot({ agents: { [A]: { afterMs: 10 } }, subscribers });
      const { done } = await bridgeFrom(U(2), [['set', 'continue_on_fail=true']], `{origination_uuid=${U(3)}}loopback/5551234/dialer-out`);
      expect(header(done, 'Answer-State')).to.equal('answered');
      for (const k of ['variable_originate_disposition', 'variable_last_bridge_hangup_cause', 'variable_originate_failed_cause']) expect(header(done, k), k).to.equal(cause);
      // SIP details stay with loopback-b, the SIP leg's partner
      expect(header(done, 'variable_sip_invite_failure_status')).to.equal(undefined);
      expect(header(done, 'variable_originate_causes')).to.equal(`${U(3)};${cause}`);
      await esl.event((e) => is('CHANNEL_HANGUP_COMPLETE', U(3))(e));
      const ends = esl.events().filter((e) => header(e, 'Event-Name') === 'CHANNEL_HANGUP_COMPLETE');
      const byName = new Map(ends.map((e) => [header(e, 'Channel-Name'), e]));
      expect([...byName.keys()]).to.have.members(['loopback/5551234-a', 'loopback/5551234-b', 'sofia/internal/5551234@127.0.0.1:5090']);
      for (const e of ends) {
        expect(header(e, 'Hangup-Cause'), header(e, 'Channel-Name')).to.equal(cause);
        expect(header(e, 'variable_billsec'), header(e, 'Channel-Name')).to.equal('0');
        expect(header(e, 'variable_endpoint_disposition'), header(e, 'Channel-Name')).to.equal(undefined);
      }
      expect(header(byName.get('loopback/5551234-a')!, 'Unique-ID')).to.equal(U(3));
    });
  }

  it('C8: through loopback, the SIP leg gets what loopback-b\'s export_vars names; loopback-a gets the agent\'s exports and the dial string', async () => {
    await boot({ agents: { [A]: { afterMs: 10 } }, subscribers: { 5551234: { afterMs: 20, talkMs: 50 } } });
    await bridgeFrom(U(4), [['export', 'crm_id=42'], ['export', 'lang=de'], ['set', 'local_only=1']],
      `{origination_uuid=${U(5)},export_vars=crm_id\\,lang,loopback_export=crm_id\\,lang\\,export_vars}loopback/5551234/dialer-out`);
    const log = sim.channelLog();
    const byName = (n: string) => log.find((c) => c.name === n)!.variables;
    expect(byName('loopback/5551234-a')).to.include({ crm_id: '42', lang: 'de', export_vars: 'crm_id,lang' }).and.not.have.property('local_only');
    expect(byName('loopback/5551234-b')).to.include({ crm_id: '42', lang: 'de', call_timeout: '0.3', continue_on_fail: 'false' });
    const sip = byName('sofia/internal/5551234@127.0.0.1:5090');
    expect(sip).to.include({ crm_id: '42', lang: 'de' });
    expect(sip).to.not.have.property('loopback_export');
    const create = await esl.event((e) => is('CHANNEL_CREATE')(e) && header(e, 'Channel-Name') === 'sofia/internal/5551234@127.0.0.1:5090');
    expect(header(create, 'variable_crm_id')).to.equal('42');
  });
});
