// S4: `api uuid_dump` as the real 1.10.12 answers it after the dialer was killed mid-bridge
// (08-adopt-bridged-call.txt), and what the adapter reads from it to adopt the call.
import { expect } from 'chai';
import { pino } from 'pino';
import { heldCallOfDump } from '../../src/adapters/freeswitch/adopted-call.js';
import { Simulator } from '../../src/simulator/index.js';
import { RawOutboundServer, type RawEsl } from '../helpers/raw-esl.js';
import { blocksOf, header, readTranscript, splitMessages } from '../helpers/transcript.js';
import { TestEsl, is } from './simulator-esl-client.js';

const A = '1000@127.0.0.1';
const U = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** The recorded replies of 08's second inbound connection (the restarted process), in order. */
function recordedReplies(): string[] {
  const t = readTranscript('08-adopt-bridged-call.txt');
  const stream = Buffer.concat(blocksOf(t, 'inbound#2').filter((b) => b.dir === 'in').map((b) => b.bytes));
  return splitMessages(stream).messages.filter((m) => header(m, 'Content-Type') === 'api/response').map((m) => m.body.toString());
}

const names = (body: string) => body.split('\n').filter((l) => l.includes(': ')).map((l) => l.slice(0, l.indexOf(': ')));

describe('simulator: uuid_dump (S4, 08)', () => {
  const [, agentDump, memberDump, , unknownDump] = recordedReplies();
  let sim: Simulator;
  let app: RawOutboundServer;
  let esl: TestEsl;
  const open: RawEsl[] = [];

  afterEach(async () => {
    esl?.close();
    for (const c of open.splice(0)) c.close();
    await sim?.close();
    await app?.close();
  });

  it('S4: the recorded dump of a bridged agent leg whose dialer died says bridged, to loopback-a, since Caller-Channel-Bridged-Time', () => {
    const held = heldCallOfDump(agentDump!);
    expect(held).to.deep.include({ kind: 'bridged', memberUuid: 'd553f0f3-983f-4533-9143-65beb2e689ef' });
    expect(held.kind === 'bridged' && held.answeredAt.getTime()).to.equal(Math.floor(1796413126044363 / 1000));
    expect(held.kind === 'bridged' && held.upAt?.getTime()).to.equal(Math.floor(1796413130564368 / 1000));
    expect(memberDump).to.contain('Channel-Name: loopback/5551234-a');
    expect(unknownDump).to.equal('-ERR No such channel!\n');
    expect(heldCallOfDump(unknownDump!)).to.deep.equal({ kind: 'gone' });
  });

  it('S4: the simulator answers uuid_dump as the real switch: a CHANNEL_DATA body ending in a blank line, the recorded headers, read alike', async () => {
    app = new RawOutboundServer();
    const appPort = await app.listen();
    sim = new Simulator({ log: pino({ level: 'silent' }), scenario: { agents: { [A]: { afterMs: 5 } }, subscribers: { 555: { afterMs: 5, talkMs: 60_000 } } },
      agentContextSocket: `127.0.0.1:${appPort}` });
    const { port } = await sim.start();
    esl = await TestEsl.login(port);
    esl.raw.send(`bgapi originate {origination_uuid=${U(1)},originate_timeout=5}user/1000 agent XML dialer-agent\n\n`);
    const o = await app.accept();
    open.push(o);
    o.send('connect\n\n');
    await o.next();
    o.send('myevents\n\n');
    await o.next();
    o.send(`sendmsg\ncall-command: execute\nexecute-app-name: bridge\nexecute-app-arg: {origination_uuid=${U(2)},loopback_bowout=false}loopback/555/dialer-out\nEvent-UUID: ${U(3)}\n\n`);
    await esl.event(is('CHANNEL_BRIDGE', U(1)));
    // As when the dialer is killed: the socket goes, the bridged call stays.
    o.close();
    await new Promise((r) => setTimeout(r, 100));
    const dump = await esl.api(`uuid_dump ${U(1)}`);
    expect(dump.startsWith('Event-Name: CHANNEL_DATA\n')).to.equal(true);
    expect(dump.endsWith('\n\n')).to.equal(true);
    const recorded = names(agentDump!);
    for (const n of ['Event-Calling-Function', 'Channel-State', 'Unique-ID', 'Answer-State', 'Caller-Channel-Answered-Time',
      'Caller-Channel-Bridged-Time', 'Other-Leg-Unique-ID', 'variable_bridge_uuid']) {
      expect(recorded, n).to.include(n);
      expect(names(dump), n).to.include(n);
    }
    expect(dump).to.contain('Event-Calling-Function: uuid_dump_function\n');
    expect(dump).to.contain('Channel-State: CS_EXECUTE\n');
    expect(dump).to.not.contain('Hangup-Cause');
    const held = heldCallOfDump(dump);
    expect(held).to.deep.include({ kind: 'bridged', memberUuid: U(2) });
    expect(await esl.api(`uuid_dump ${U(9)}`)).to.equal(unknownDump);
  });
  it('S4: an agent leg with nobody to talk to reads as unbridged: ringing (not answered), or answered and parked', async () => {
    sim = new Simulator({ log: pino({ level: 'silent' }), scenario: { agents: { [A]: { afterMs: 60_000 }, '1001@127.0.0.1': { afterMs: 5 } } } });
    const { port } = await sim.start();
    esl = await TestEsl.login(port);
    esl.raw.send(`bgapi originate {origination_uuid=${U(4)},originate_timeout=90}user/1000 &park()\n\n`);
    esl.raw.send(`bgapi originate {origination_uuid=${U(5)},originate_timeout=90}user/1001 &park()\n\n`);
    await esl.event(is('CHANNEL_ANSWER', U(5)));
    expect(heldCallOfDump(await esl.api(`uuid_dump ${U(4)}`))).to.deep.equal({ kind: 'unbridged', agentAnswered: false });
    expect(heldCallOfDump(await esl.api(`uuid_dump ${U(5)}`))).to.deep.equal({ kind: 'unbridged', agentAnswered: true });
  });
});
