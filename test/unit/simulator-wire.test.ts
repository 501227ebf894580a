// Pure pieces of the simulator: FreeSWITCH URL encoding, command framing, originate/bridge
// parsing, event subscriptions and CHANNEL_HANGUP_COMPLETE timing variables.
import { expect } from 'chai';
import { fsUrlEncode } from '../../src/simulator/url-encode.js';
import { CommandReader } from '../../src/simulator/esl-frame.js';
import { parseBridgeTarget, parseOriginate } from '../../src/simulator/originate-parse.js';
import { EventFilter } from '../../src/simulator/event-filter.js';
import { SimChannel } from '../../src/simulator/channel.js';
import type { SimEvent } from '../../src/simulator/event-render.js';
import { INBOUND_EVENTS, INBOUND_FILTERS } from '../../src/adapters/freeswitch/inbound-subscription.js';
import { UNREAD_MYEVENTS } from '../../src/adapters/freeswitch/socket-session.js';

const ev = (name: string, subclass: string | null = null, headers: [string, string][] = []): SimEvent =>
  ({ name, subclass, uuid: headers.find(([k]) => k === 'Unique-ID')?.[1] ?? null, headers, body: null });
/** A channel event of leg `uuid` with these channel variables. */
const leg = (name: string, uuid: string, vars: Record<string, string>, more: [string, string][] = []): SimEvent =>
  ev(name, null, [['Event-Name', name], ['Unique-ID', uuid], ...more, ...Object.entries(vars).map(([k, v]): [string, string] => [`variable_${k}`, v])]);

describe('simulator wire pieces', () => {
  it('F1: URL-encodes like switch_url_encode (02 Job-Command-Arg, 05a sip headers)', () => {
    expect(fsUrlEncode('{origination_uuid=7617605f}loopback/9196/default &park()'))
      .to.equal('%7Borigination_uuid%3D7617605f%7Dloopback/9196/default%20%26park()');
    expect(fsUrlEncode('"Dialer" <sip:5550000@127.0.0.1>;tag=x')).to.equal('%22Dialer%22%20%3Csip%3A5550000%40127.0.0.1%3E%3Btag%3Dx');
    expect(fsUrlEncode('+OK\n')).to.equal('%2BOK%0A');
    expect(fsUrlEncode('fd00::2')).to.equal('fd00%3A%3A2');
    expect(fsUrlEncode('a,b/c-d_e.f')).to.equal('a,b/c-d_e.f');
  });

  it('F1: command reader splits on blank lines across TCP chunks and keeps sendmsg headers', () => {
    const r = new CommandReader();
    expect(r.push(Buffer.from('auth ClueCon\n'))).to.have.length(0);
    const got = r.push(Buffer.from('\nsendmsg\ncall-command: execute\nexecute-app-name: set\nexecute-app-arg: a=b\n\napi status\n\n'));
    expect(got.map((c) => c.line)).to.deep.equal(['auth ClueCon', 'sendmsg', 'api status']);
    expect(got[1]?.headers).to.deep.equal([['call-command', 'execute'], ['execute-app-name', 'set'], ['execute-app-arg', 'a=b']]);
  });

  it('F1: parses the recorded originate forms', () => {
    const a = parseOriginate("{origination_uuid=u1,originate_timeout=10}user/1000 '&socket(127.0.0.1:8084 async full)'");
    expect(a?.vars).to.deep.equal([['origination_uuid', 'u1'], ['originate_timeout', '10']]);
    expect(a?.user).to.deep.equal({ ext: '1000', domain: null });
    expect(a?.app).to.deep.equal({ kind: 'socket', target: '127.0.0.1:8084', data: '127.0.0.1:8084 async full' });
    expect(parseOriginate('{x=1}user/1000@127.0.0.1 agent XML dialer-agent')?.app).to.deep.equal({ kind: 'dialplan', extension: 'agent', context: 'dialer-agent' });
    expect(parseOriginate('user/1001 &park()')?.app).to.deep.equal({ kind: 'park' });
  });

  it('A4: finds the dialled number in every bridge target form', () => {
    expect(parseBridgeTarget('loopback/5551234/dialer-out').number).to.equal('5551234');
    const s = parseBridgeTarget('{call_timeout=15,origination_caller_id_number=5550000}sofia/internal/5551234@127.0.0.1:5090');
    expect(s).to.deep.equal({ vars: [['call_timeout', '15'], ['origination_caller_id_number', '5550000']], number: '5551234', kind: 'sofia' });
    expect(parseBridgeTarget('sofia/gateway/carrier/0049301234').number).to.equal('0049301234');
  });

  it('F2: subscriptions add up, CUSTOM takes subclasses, ALL takes everything, filters narrow', () => {
    const f = new EventFilter();
    expect(f.command('event', ['plain', 'CHANNEL_CREATE'])).to.equal('+OK event listener enabled plain');
    f.command('event', ['plain', 'BACKGROUND_JOB', 'CUSTOM', 'sofia::register']);
    expect(f.wants(ev('CHANNEL_CREATE'))).to.equal(true);
    expect(f.wants(ev('BACKGROUND_JOB'))).to.equal(true);
    expect(f.wants(ev('CHANNEL_ANSWER'))).to.equal(false);
    expect(f.wants(ev('CUSTOM', 'sofia::register'))).to.equal(true);
    expect(f.wants(ev('CUSTOM', 'callcenter::info'))).to.equal(false);
    expect(f.command('event', ['json', 'ALL'])).to.equal('+OK event listener enabled json');
    expect(f.wants(ev('CHANNEL_ANSWER'))).to.equal(true);
    expect(f.filter(['Unique-ID', 'u1'])).to.equal('+OK filter added. [Unique-ID]=[u1]');
    expect(f.wants(ev('CHANNEL_ANSWER', null, [['Unique-ID', 'u2']]))).to.equal(false);
    expect(f.wants(ev('CHANNEL_ANSWER', null, [['Unique-ID', 'u1']]))).to.equal(true);
  });

  it('F2: filters as mod_event_socket 1.10.12 applies them: any positive match sends, a later -value match drops, /re/ and case-insensitive values', () => {
    const f = new EventFilter();
    f.command('event', ['plain', 'CHANNEL_CREATE', 'BACKGROUND_JOB']);
    expect(f.filter(['variable_dialer_attempt_id', '/^[0-9]+$/'])).to.equal('+OK filter added. [variable_dialer_attempt_id]=[/^[0-9]+$/]');
    expect(f.filter(['Event-Name', 'background_job'])).to.equal('+OK filter added. [Event-Name]=[background_job]');
    expect(f.filter(['variable_loopback_leg', '-B'])).to.equal('+OK filter added. [variable_loopback_leg]=[-B]');
    expect(f.wants(leg('CHANNEL_CREATE', 'a', { dialer_attempt_id: '42', loopback_leg: 'A' }))).to.equal(true);
    expect(f.wants(leg('CHANNEL_CREATE', 'b', { dialer_attempt_id: '42', loopback_leg: 'B' }))).to.equal(false);
    expect(f.wants(leg('CHANNEL_CREATE', 'u', { loopback_leg: 'A' }))).to.equal(false);
    expect(f.wants(leg('CHANNEL_CREATE', 'x', { dialer_attempt_id: 'x42' }))).to.equal(false);
    expect(f.wants(ev('BACKGROUND_JOB', null, [['Event-Name', 'BACKGROUND_JOB']]))).to.equal(true);
    expect(f.filter(['delete', 'Event-Name', 'background_job'])).to.equal('+OK filter deleted. [Event-Name][background_job]');
    expect(f.wants(ev('BACKGROUND_JOB', null, [['Event-Name', 'BACKGROUND_JOB']]))).to.equal(false);
    f.filter(['delete', 'all']);
    expect(f.wants(leg('CHANNEL_CREATE', 'b', { dialer_attempt_id: '42', loopback_leg: 'B' }))).to.equal(true);
  });

  it('F2: the dialer\'s inbound filters let through its agent leg and loopback-a, not loopback-b, the SIP leg or other calls (real 1.10.12)', () => {
    const f = new EventFilter();
    for (const [k, v] of INBOUND_FILTERS) f.filter([k, ...v.split(' ')]);
    f.command('event', ['plain', ...INBOUND_EVENTS.split(' ')]);
    // the Other-Leg-* headers each leg carries on the real 1.10.12 (loopback route, 05c)
    const outboundOther: [string, string][] = [['Other-Type', 'originatee'], ['Other-Leg-Direction', 'outbound']];
    expect(f.wants(leg('CHANNEL_ANSWER', 'agent', { dialer_attempt_id: '7' }))).to.equal(true);
    expect(f.wants(leg('CHANNEL_HANGUP_COMPLETE', 'agent', { dialer_attempt_id: '7' }, outboundOther))).to.equal(true);
    expect(f.wants(leg('CHANNEL_HANGUP_COMPLETE', 'loop-a', { dialer_attempt_id: '7', loopback_leg: 'A' },
      [['Other-Type', 'originator'], ['Other-Leg-Direction', 'outbound']]))).to.equal(true);
    expect(f.wants(leg('CHANNEL_HANGUP_COMPLETE', 'loop-b', { dialer_attempt_id: '7', loopback_leg: 'B' }))).to.equal(false);
    expect(f.wants(leg('CHANNEL_HANGUP_COMPLETE', 'sip', { debt: '12' }))).to.equal(false);
    // the subscriber's SIP leg has the call's variables (C8) and loopback-b, an inbound channel, as its originator
    for (const name of ['CHANNEL_ANSWER', 'CHANNEL_HANGUP_COMPLETE']) {
      expect(f.wants(leg(name, 'sip', { dialer_attempt_id: '7', debt: '12' }, [['Other-Type', 'originator'], ['Other-Leg-Direction', 'inbound']])), name).to.equal(false);
    }
    expect(f.wants(ev('BACKGROUND_JOB', null, [['Event-Name', 'BACKGROUND_JOB']]))).to.equal(true);
    expect(f.wants(ev('SHUTDOWN', null, [['Event-Name', 'SHUTDOWN']]))).to.equal(true);
    expect(f.wants(ev('CUSTOM', 'sofia::register', [['Event-Name', 'CUSTOM'], ['Event-Subclass', 'sofia::register']]))).to.equal(true);
  });

  it('F2: myevents takes only its channel\'s events (and jobs it owns); nixevent narrows the types after it (real 1.10.12)', () => {
    const f = new EventFilter();
    f.myevents('me');
    expect(f.wants(leg('CHANNEL_EXECUTE', 'me', {}))).to.equal(true);
    expect(f.wants(leg('CHANNEL_EXECUTE', 'other', {}))).to.equal(false);
    expect(f.wants(ev('BACKGROUND_JOB', null, [['Job-Owner-UUID', 'me']]))).to.equal(false); // type not subscribed
    expect(f.command('nixevent', UNREAD_MYEVENTS.split(' '))).to.equal('+OK events nixed');
    expect(f.wants(leg('CHANNEL_EXECUTE', 'me', {}))).to.equal(false);
    expect(f.wants(leg('CHANNEL_STATE', 'me', {}))).to.equal(false);
    for (const n of ['CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE']) {
      expect(f.wants(leg(n, 'me', {})), n).to.equal(true);
      expect(f.wants(leg(n, 'other', {})), n).to.equal(false);
    }
  });

  it('C6: billsec counts from the leg answer, duration from creation (README timing facts)', () => {
    const t0 = 1_795_616_753_548_830;
    const ch = new SimChannel({ uuid: 'u', name: 'n', family: 'park', ext: '1000', num: '', cidNumber: '0', cidName: 'x', originateVars: [] }, t0);
    ch.answeredUs = t0 + 600_000;
    ch.hangupUs = t0 + 600_000 + 3_020_000;
    const v = ch.timingVars(ch.hangupUs);
    expect(v).to.include({ billsec: '3', billmsec: '3020', duration: '3', mduration: '3620', answersec: '0', answermsec: '600' });
    expect(v['end_epoch']).to.equal(String(Math.floor(ch.hangupUs / 1e6)));
  });
});
