/*
 * Conformance: every recorded FreeSWITCH 1.10.12 transcript is fed to the adapter's parser and
 * what it understood is asserted (reference/freeswitch-esl/README.md "Facts learned").
 */
import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { memberOutcome, memberOutcomeFromHangup, type BridgeObservation } from '../../src/adapters/freeswitch/bridge-result.js';
import { eventOfMessage, parseBackgroundJob, parseEslMessage, parseHeaderBlock, parsePlainEvent, type EslEvent, type EslMessage } from '../../src/adapters/freeswitch/event-parser.js';
import { parseChannelData, parseChannelEvent } from '../../src/adapters/freeswitch/channel-event.js';
import { parseRegistrationEvent, parseSofiaStatusReg } from '../../src/adapters/freeswitch/registration-parser.js';
import { readTranscript, TRANSCRIPTS_DIR } from '../helpers/transcript.js';

function messages(file: string, conn?: string): EslMessage[] {
  return readTranscript(file)
    .blocks.filter((b) => b.dir === 'in' && (conn === undefined || b.conn === conn))
    .map((b) => parseEslMessage(b.bytes.toString('utf8')));
}

function events(file: string, conn?: string): EslEvent[] {
  return messages(file, conn)
    .map(eventOfMessage)
    .filter((e): e is EslEvent => e !== null);
}

function originateJob(file: string) {
  const ev = events(file).find((e) => e.name === 'BACKGROUND_JOB' && e.headers['Job-Command'] === 'originate');
  expect(ev, `${file}: originate BACKGROUND_JOB`).to.not.equal(undefined);
  return parseBackgroundJob(ev!);
}

/** What the outbound socket session of the agent leg sees, as agent-call.ts collects it (up to `lastEvent`, when the socket is lost). */
function observe(file: string, lastEvent?: string): { obs: BridgeObservation; agentUuid: string } {
  const connect = messages(file, 'outbound#1').find((m) => m.headers['Event-Name'] === 'CHANNEL_DATA');
  const data = parseChannelData(connect!.headers);
  const obs: BridgeObservation = { bridge: null, unbridge: null, complete: null, agentHangup: null, lastEventAt: null };
  for (const raw of events(file, 'outbound#1')) {
    const ev = parseChannelEvent(raw);
    if (!ev || ev.uuid !== data!.uuid) continue;
    if (ev.at && (!obs.lastEventAt || ev.at > obs.lastEventAt)) obs.lastEventAt = ev.at;
    if (ev.name === 'CHANNEL_BRIDGE') obs.bridge ??= ev;
    if (ev.name === 'CHANNEL_UNBRIDGE') obs.unbridge = ev;
    if (ev.name === 'CHANNEL_EXECUTE_COMPLETE' && ev.application === 'bridge') obs.complete = ev;
    if (ev.name === 'CHANNEL_HANGUP' || ev.name === 'CHANNEL_HANGUP_COMPLETE') obs.agentHangup = ev;
    if (ev.name === lastEvent) break;
  }
  return { obs, agentUuid: data!.uuid };
}

describe('FreeSWITCH event parser against the recorded transcripts', () => {
  const files = readdirSync(TRANSCRIPTS_DIR).filter((f) => /^\d.*\.txt$/.test(f));

  it('F2: every message FreeSWITCH sent parses; every event has a name and a full inner body', () => {
    expect(files.length).to.be.greaterThan(15);
    let count = 0;
    for (const f of files) {
      for (const m of messages(f)) {
        expect(m.headers['Content-Type'], `${f}: Content-Type`).to.be.a('string');
        const ev = eventOfMessage(m);
        if (m.headers['Content-Type']?.startsWith('text/event-')) {
          expect(ev?.name, `${f}: Event-Name`).to.match(/^[A-Z_]+$/);
          const inner = ev!.headers['Content-Length'];
          if (inner) expect(Buffer.byteLength(ev!.body), `${f}: inner body`).to.equal(Number(inner));
          count++;
        }
      }
    }
    expect(count).to.be.greaterThan(200);
  });

  it('F2: a plain event\'s headers read on demand are the ones a full parse gives (first occurrence, decoded), for every recorded event', () => {
    let count = 0;
    for (const f of files) {
      for (const m of messages(f)) {
        if (m.headers['Content-Type'] !== 'text/event-plain') continue;
        const end = m.body.indexOf('\n\n');
        const eager = parseHeaderBlock(end < 0 ? m.body : m.body.slice(0, end), true);
        const lazy = parsePlainEvent(m.body);
        for (const [k, v] of Object.entries(eager)) expect(lazy.headers[k], `${f}: ${k}`).to.equal(v);
        expect(lazy.headers['No-Such-Header'], f).to.equal(undefined);
        const ch = parseChannelEvent(lazy);
        if (ch) for (const [k, v] of Object.entries(eager)) if (k.startsWith('variable_')) expect(ch.variables[k.slice(9)], `${f}: ${k}`).to.equal(v);
        expect(Object.entries(parsePlainEvent(m.body).headers), f).to.deep.equal(Object.entries(eager));
        count++;
      }
    }
    expect(count).to.be.greaterThan(150);
  });

  it('F2: a channel event\'s facts, read on demand, are those of its fully parsed headers, for every recorded event', () => {
    const micros = (v: string | undefined) => (v === undefined || v === '0' ? null : Math.floor(Number(v) / 1000));
    let count = 0;
    for (const f of files) {
      for (const m of messages(f)) {
        if (m.headers['Content-Type'] !== 'text/event-plain') continue;
        const end = m.body.indexOf('\n\n');
        const h = parseHeaderBlock(end < 0 ? m.body : m.body.slice(0, end), true);
        const ev = parsePlainEvent(m.body);
        expect(ev.subclass, f).to.equal(h['Event-Subclass'] ?? null);
        const ch = parseChannelEvent(ev);
        if (!h['Event-Name']!.startsWith('CHANNEL_')) continue;
        const facts = ch && [ch.name, ch.uuid, ch.otherLegUuid, ch.cause, ch.answerState, ch.at?.getTime() ?? null, ch.answeredAt?.getTime() ?? null,
          ch.bridgedAt?.getTime() ?? null, ch.hangupAt?.getTime() ?? null, ch.billsec, ch.application, ch.applicationUuid];
        expect(facts, `${f}: ${h['Event-Name']}`).to.deep.equal([h['Event-Name'], h['Unique-ID'], h['Other-Leg-Unique-ID'] ?? null, h['Hangup-Cause'] ?? null,
          h['Answer-State'] ?? null, micros(h['Event-Date-Timestamp']), micros(h['Caller-Channel-Answered-Time']), micros(h['Caller-Channel-Bridged-Time']),
          micros(h['Caller-Channel-Hangup-Time']), h['variable_billsec'] === undefined ? null : Number(h['variable_billsec']), h['Application'] ?? null,
          h['Application-UUID'] ?? null]);
        count++;
      }
    }
    expect(count).to.be.greaterThan(100);
  });

  const outcomes: [string, 'ok' | 'err', string][] = [
    ['04a-originate-user-not-registered', 'err', 'USER_NOT_REGISTERED'],
    ['04a2-originate-user-not-in-directory', 'err', 'SUBSCRIBER_ABSENT'],
    ['04b-originate-answered', 'ok', ''],
    ['04c-originate-486-busy', 'err', 'USER_BUSY'],
    ['04d-originate-603-decline', 'err', 'CALL_REJECTED'],
    ['04e-originate-no-answer-timeout', 'err', 'NO_ANSWER'],
    ['04f1-originate-480', 'err', 'NO_USER_RESPONSE'],
    ['04f2-originate-404', 'err', 'UNALLOCATED_NUMBER'],
    ['04f3-originate-503', 'err', 'NORMAL_TEMPORARY_FAILURE'],
    ['04g-originate-no-response', 'err', 'NORMAL_TEMPORARY_FAILURE'],
  ];
  for (const [file, kind, cause] of outcomes) {
    it(`A3: ${file} → originate ${kind === 'ok' ? 'answered' : `failed ${cause}`}`, () => {
      const job = originateJob(file);
      expect(job?.kind).to.equal(kind);
      if (job?.kind === 'err') expect(job.cause).to.equal(cause);
      if (job?.kind === 'ok') {
        const create = events(file).find((e) => e.name === 'CHANNEL_CREATE');
        expect(job.text).to.equal(create!.headers['Unique-ID']);
      }
    });
  }

  it('A3: 04a keeps our own Job-UUID header', () => {
    const job = originateJob('04a-originate-user-not-registered');
    expect(job?.jobUuid).to.equal('aaaaaaaa-0000-4000-8000-000000000001');
  });

  it('C6: 04b hangup complete → NORMAL_CLEARING, billsec 3, duplicated Hangup-Cause tolerated', () => {
    const hc = events('04b-originate-answered').find((e) => e.name === 'CHANNEL_HANGUP_COMPLETE');
    const ev = parseChannelEvent(hc!);
    expect(ev?.cause).to.equal('NORMAL_CLEARING');
    expect(ev?.billsec).to.equal(3);
    expect(ev?.answeredAt).to.be.instanceOf(Date);
    expect(ev!.hangupAt!.getTime()).to.be.greaterThan(ev!.answeredAt!.getTime());
  });

  it('A3: 04c hangup complete → USER_BUSY, billsec 0, never answered', () => {
    const ev = parseChannelEvent(events('04c-originate-486-busy').find((e) => e.name === 'CHANNEL_HANGUP_COMPLETE')!);
    expect(ev?.cause).to.equal('USER_BUSY');
    expect(ev?.billsec).to.equal(0);
    expect(ev?.answeredAt).to.equal(null);
  });

  it('A2: 02 sofia::register / unregister, plain and json, give the SIP user and state', () => {
    const regs = events('02-event-subscriptions')
      .map(parseRegistrationEvent)
      .filter((r) => r !== null);
    expect(regs).to.deep.equal([
      { sipUser: '1001@127.0.0.1', registered: true, contact: '"" <sip:1001@127.0.0.1:5070>', profile: 'internal' },
      { sipUser: '1001@127.0.0.1', registered: false, contact: '"" <sip:1001@127.0.0.1:5070>', profile: 'internal' },
      { sipUser: '1001@127.0.0.1', registered: true, contact: '"" <sip:1001@127.0.0.1:5070>', profile: 'internal' },
      { sipUser: '1001@127.0.0.1', registered: false, contact: '"" <sip:1001@127.0.0.1:5070>', profile: 'internal' },
    ]);
  });

  it('A2: 03 `sofia status profile internal reg` lists 1000@127.0.0.1; `show registrations` is not trusted', () => {
    const t = readTranscript('03-api-commands');
    const i = t.blocks.findIndex((b) => b.dir === 'out' && b.bytes.toString().startsWith('api sofia status profile internal reg'));
    const reply = parseEslMessage(t.blocks[i + 1]!.bytes.toString('utf8'));
    expect(parseSofiaStatusReg(reply.body)).to.deep.equal([
      { sipUser: '1000@127.0.0.1', contact: '"" <sip:1000@127.0.0.1:5080>', status: 'Registered(UDP)(unknown) EXP(2026-11-25 15:27:01) EXPSECS(3660)' },
    ]);
    expect(parseSofiaStatusReg('\n0 total.\n')).to.deep.equal([]);
  });

  it('F2: 05a outbound connect reply (CHANNEL_DATA) is decoded; the agent leg is answered', () => {
    const m = messages('05a-agent-first-subscriber-answers', 'outbound#1').find((x) => x.headers['Event-Name'] === 'CHANNEL_DATA');
    expect(m!.headers['Reply-Text']).to.equal('+OK\n');
    const data = parseChannelData(m!.headers);
    expect(data).to.include({ uuid: '5ab48f07-007c-49e4-9d91-e32f3874581b', answerState: 'answered', destinationNumber: 'agent', attemptId: null });
    expect(data!.coreUuid).to.equal('522d5737-73c1-4b27-8acb-837abf080a88');
    expect(data!.variables['current_application_data']).to.equal('127.0.0.1:8084 async full');
  });

  it('A5: the caller\'s SIP user is dialer_sip_user only when both parts are there (an unauthenticated caller gives "@domain")', () => {
    const m = messages('05a-agent-first-subscriber-answers', 'outbound#1').find((x) => x.headers['Event-Name'] === 'CHANNEL_DATA');
    const base = { ...m!.headers, variable_user_name: '', variable_domain_name: '', variable_sip_from_user: '', variable_sip_from_host: '' };
    expect(parseChannelData({ ...base, variable_dialer_sip_user: '1000@pbx.example' })!.callerSipUser).to.equal('1000@pbx.example');
    expect(parseChannelData({ ...base, variable_dialer_sip_user: '@pbx.example' })!.callerSipUser).to.equal(null);
    expect(parseChannelData({ ...base, variable_dialer_sip_user: '1000@' })!.callerSipUser).to.equal(null);
    expect(parseChannelData({ ...base, variable_dialer_sip_user: '@pbx.example', variable_sip_from_user: '1001', variable_sip_from_host: 'h' })!.callerSipUser)
      .to.equal('1001@h');
  });

  it('C6: 05a subscriber answered → NORMAL_CLEARING, talk 3 s (bridge to unbridge, not the agent billsec 4)', () => {
    const { obs } = observe('05a-agent-first-subscriber-answers');
    const out = memberOutcome(obs, null, 'UNKNOWN', new Date());
    expect(out.cause).to.equal('NORMAL_CLEARING');
    expect(out.talkSec).to.equal(3);
    expect(out.memberUuid).to.equal('f8a0aac6-9360-4546-9e27-58a88dab21e3');
    expect(out.answeredAt).to.be.instanceOf(Date);
    expect(obs.agentHangup?.billsec).to.equal(4);
  });

  it('C9: 05b subscriber busy without continue_on_fail → USER_BUSY, not answered; FreeSWITCH hung the agent up with USER_BUSY', () => {
    const { obs } = observe('05b-agent-first-subscriber-busy');
    const out = memberOutcome(obs, 'hint', 'UNKNOWN', new Date());
    expect(out).to.include({ cause: 'USER_BUSY', talkSec: 0, answeredAt: null, memberUuid: 'hint' });
    expect(obs.complete?.answerState).to.equal('hangup');
    expect(obs.agentHangup?.cause).to.equal('USER_BUSY');
  });

  it('A4: 05c loopback bridge → answered, NORMAL_CLEARING, talk 3 s, other leg is loopback-a', () => {
    const { obs } = observe('05c-agent-first-loopback-subscriber-answers');
    const out = memberOutcome(obs, null, 'UNKNOWN', new Date());
    expect(out).to.include({ cause: 'NORMAL_CLEARING', talkSec: 3, memberUuid: '07ec6a3b-6584-4aa8-9edb-d676eed1542f' });
  });

  it('S3, C6: 05c with the outbound socket lost after CHANNEL_BRIDGE: the subscriber leg\'s inbound HANGUP_COMPLETE gives the talk time from FreeSWITCH\'s own times (3 s)', () => {
    const { obs } = observe('05c-agent-first-loopback-subscriber-answers', 'CHANNEL_BRIDGE');
    const memberLeg = '07ec6a3b-6584-4aa8-9edb-d676eed1542f';
    const hangup = events('05c-agent-first-loopback-subscriber-answers', 'inbound#1').map(parseChannelEvent)
      .find((e) => e?.name === 'CHANNEL_HANGUP_COMPLETE' && e.uuid === memberLeg)!;
    // Read hours after the call: the time of reading plays no part.
    const out = memberOutcomeFromHangup(obs, hangup);
    expect(out).to.include({ cause: 'NORMAL_CLEARING', talkSec: 3, memberUuid: memberLeg, endKnown: true });
    expect(out.endedAt.getTime()).to.equal(hangup.hangupAt!.getTime());
  });

  it('S3, C6: 05c with the socket lost after CHANNEL_BRIDGE and no hangup anywhere (FreeSWITCH restarted): end unknown, talk up to the last event only', () => {
    const { obs } = observe('05c-agent-first-loopback-subscriber-answers', 'CHANNEL_BRIDGE');
    const giveUp = new Date(obs.bridge!.bridgedAt!.getTime() + 3_800);
    const out = memberOutcome(obs, null, 'UNKNOWN', giveUp);
    expect(out).to.include({ cause: 'UNKNOWN', talkSec: 0, endKnown: false });
    expect(out.endedAt.getTime()).to.equal(obs.bridge!.at!.getTime());
  });

  it('C9: 05d busy with continue_on_fail → USER_BUSY and the agent leg is still answered at bridge end', () => {
    const { obs } = observe('05d-agent-first-subscriber-busy-continue-on-fail');
    const out = memberOutcome(obs, null, 'UNKNOWN', new Date());
    expect(out).to.include({ cause: 'USER_BUSY', talkSec: 0, answeredAt: null });
    expect(obs.complete?.answerState).to.equal('answered');
    expect(obs.agentHangup?.cause).to.equal('NORMAL_CLEARING');
    const notice = messages('05d-agent-first-subscriber-busy-continue-on-fail', 'outbound#1').find((m) => m.headers['Content-Disposition'] === 'linger');
    expect(notice?.headers['Linger-Time']).to.equal('3');
  });

  it('F2: 06 after an inbound drop the parked call still exists (uuid_exists true); after an outbound drop it does not', () => {
    const t = readTranscript('06-esl-drop');
    const replies = t.blocks
      .map((b, i) => ({ b, next: t.blocks.slice(i + 1).find((n) => n.dir === 'in' && n.conn === b.conn) }))
      .filter(({ b }) => b.dir === 'out' && b.bytes.toString().startsWith('api uuid_exists'))
      .map(({ next }) => parseEslMessage(next!.bytes.toString('utf8')).body);
    expect(replies).to.deep.equal(['true', 'false', 'false']);
  });

  it('F2: 01 wrong password → -ERR invalid then a disconnect notice with the 67-byte goodbye', () => {
    const m = messages('01-inbound-auth', 'inbound#2');
    expect(m[1]!.headers['Reply-Text']).to.equal('-ERR invalid');
    expect(m[2]!.headers['Content-Type']).to.equal('text/disconnect-notice');
    expect(Buffer.byteLength(m[2]!.body)).to.equal(67);
  });
});
