// The event-socket framing (esl-connection.ts) on recorded bytes, outbound (05c) and inbound (03):
// replies matched to commands by order, events between them, messages split across TCP chunks at any byte.
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { expect } from 'chai';
import type { EslEvent } from '../../src/adapters/freeswitch/event-parser.js';
import { parseBackgroundJob, parseChannelData, parseEslMessage } from '../../src/adapters/freeswitch/event-parser.js';
import { EslConnection, type CommandOutcome } from '../../src/adapters/freeswitch/esl-connection.js';
import { SocketSession } from '../../src/adapters/freeswitch/socket-session.js';
import pino from 'pino';
import { readTranscript } from '../helpers/transcript.js';

class FakeSocket extends EventEmitter {
  written: string[] = [];
  destroyed = false;
  setNoDelay(): this { return this; }
  setKeepAlive(): this { return this; }
  write(s: string): boolean {
    this.written.push(s);
    return true;
  }
}

/** What FreeSWITCH sent on 05c's outbound socket up to the bridge's reply: connect … 7 replies. */
function recordedStart(): Buffer {
  const blocks = readTranscript('05c-agent-first-loopback-subscriber-answers').blocks.filter((b) => b.conn === 'outbound#1' && b.dir === 'in');
  return Buffer.concat(blocks.slice(0, 12).map((b) => b.bytes));
}

function rig() {
  const sock = new FakeSocket();
  const events: EslEvent[] = [];
  let notices = 0;
  const esl = new EslConnection(sock as unknown as Socket, { event: (e) => events.push(e), disconnectNotice: () => notices++ });
  return { sock, esl, events, notices: () => notices };
}

const reply = (o: CommandOutcome | undefined) => (o?.kind === 'reply' ? o.text : o?.kind);

describe('FreeSWITCH outbound socket framing', () => {
  for (const chunk of [1, 7, 4096, 1 << 20]) {
    it(`F2: commands written at once get their replies in order, events between them, in chunks of ${chunk} bytes (05c)`, async () => {
      const { sock, esl, events } = rig();
      const handshake = esl.sendAll([['connect'], ['myevents'], ['linger'], ['divert_events on']], 1000);
      const sets = esl.sendAll([
        ['sendmsg', { 'call-command': 'execute', 'execute-app-name': 'set', 'execute-app-arg': 'a=1', 'Event-UUID': 'x' }],
        ['sendmsg', { 'call-command': 'execute', 'execute-app-name': 'set', 'execute-app-arg': 'b=2' }],
        ['sendmsg', { 'call-command': 'execute', 'execute-app-name': 'bridge', 'execute-app-arg': 'loopback/5551234/dialer-out' }],
      ], 1000);
      expect(sock.written).to.have.length(2);
      expect(sock.written[0]).to.equal('connect\n\nmyevents\n\nlinger\n\ndivert_events on\n\n');
      expect(sock.written[1]).to.match(/^sendmsg\ncall-command: execute\nexecute-app-name: set\nexecute-app-arg: a=1\nEvent-UUID: x\n\nsendmsg\n/);
      const bytes = recordedStart();
      for (let i = 0; i < bytes.length; i += chunk) sock.emit('data', bytes.subarray(i, i + chunk));
      const [connect, ...rest] = await handshake;
      expect(rest.map(reply)).to.deep.equal(['+OK Events Enabled', '+OK will linger', '+OK events diverted']);
      expect(reply(connect)).to.equal('+OK\n');
      const data = connect?.kind === 'reply' ? parseChannelData(connect.headers) : null;
      expect(data).to.include({ uuid: '26089011-28af-49be-8001-812fb8ee5bec', answerState: 'answered' });
      expect((await sets).map(reply)).to.deep.equal(['+OK', '+OK', '+OK']);
      expect(events.map((e) => e.name)).to.deep.equal(['CHANNEL_EXECUTE', 'CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_EXECUTE', 'CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_EXECUTE']);
      expect(events[1]!.headers['Application-UUID']).to.equal('0e000001-0000-4000-8000-000000000001');
    });
  }

  it('F2: a command given up on keeps its place: its late reply is not taken for the next command\'s', async () => {
    const { sock, esl } = rig();
    const first = await esl.send('linger', undefined, 5);
    expect(first.kind).to.equal('timeout');
    const second = esl.send('myevents', undefined, 1000);
    sock.emit('data', Buffer.from('Content-Type: command/reply\nReply-Text: +OK will linger\n\nContent-Type: command/reply\nReply-Text: +OK Events Enabled\n\n'));
    expect(reply(await second)).to.equal('+OK Events Enabled');
  });

  it('F2: the linger notice is handed on; a closed socket ends the commands waiting', async () => {
    const { sock, esl, notices } = rig();
    const waiting = esl.send('sendmsg', { 'call-command': 'hangup', 'hangup-cause': 'NORMAL_CLEARING' }, 1000);
    sock.emit('data', Buffer.from('Content-Type: text/disconnect-notice\nControlled-Session-UUID: u\nContent-Disposition: linger\nChannel-Name: x\nLinger-Time: -1\nContent-Length: 0\n\n'));
    expect(notices()).to.equal(1);
    sock.emit('close');
    expect(await waiting).to.deep.equal({ kind: 'closed', written: true });
    expect(await esl.send('linger', undefined, 1000)).to.deep.equal({ kind: 'closed', written: false });
  });
});

describe('FreeSWITCH inbound connection framing', () => {
  for (const chunk of [1, 7, 4096]) {
    it(`F2: 03's commands written at once get their recorded replies in order (api bodies, -ERR ones included; command replies), the greeting, jobs and the notice handed on, in chunks of ${chunk} bytes`, async () => {
      const blocks = readTranscript('03-api-commands').blocks.filter((b) => b.conn === 'inbound#1');
      const sock = new FakeSocket();
      const events: EslEvent[] = [];
      let greetings = 0;
      let notices = 0;
      const esl = new EslConnection(sock as unknown as Socket, { event: (e) => events.push(e), disconnectNotice: () => notices++, authRequest: () => greetings++ });
      const sent = blocks.filter((b) => b.dir === 'out').map((b) => b.bytes.toString('utf8'));
      const commands = sent.map((text) => {
        const [line, ...headers] = text.replace(/\n\n$/, '').split('\n');
        return [line!, headers.length > 0 ? Object.fromEntries(headers.map((h) => h.split(': ') as [string, string])) : undefined] as const;
      });
      const outcomes = esl.sendAll(commands, 1000);
      expect(sock.written.join('')).to.equal(sent.join(''));
      const received = blocks.filter((b) => b.dir === 'in').map((b) => b.bytes);
      const expected = received.map((b) => parseEslMessage(b.toString('utf8')))
        .filter((m) => m.headers['Content-Type'] === 'command/reply' || m.headers['Content-Type'] === 'api/response')
        .map((m) => (m.headers['Content-Type'] === 'api/response' ? m.body : m.headers['Reply-Text']));
      const bytes = Buffer.concat(received);
      for (let i = 0; i < bytes.length; i += chunk) sock.emit('data', bytes.subarray(i, i + chunk));
      const replies = (await outcomes).map(reply);
      expect(replies).to.deep.equal(expected);
      expect(replies).to.include('-ERR no_such_command Command not found!\n');
      expect(replies).to.include('+OK Job-UUID: 11111111-2222-3333-4444-555555555555');
      expect(greetings).to.equal(1);
      expect(events.map((e) => parseBackgroundJob(e)?.kind)).to.deep.equal(['ok', 'err']);
      expect(notices).to.equal(1);
    });
  }
});

describe('FreeSWITCH outbound socket session', () => {
  const hangupEvent = (uuid: string) => {
    const body = `Event-Name: CHANNEL_HANGUP\nUnique-ID: ${uuid}\nHangup-Cause: NORMAL_CLEARING\n\n`;
    return Buffer.from(`Content-Length: ${Buffer.byteLength(body)}\nContent-Type: text/event-plain\n\n${body}`);
  };

  it('F2: no `sendmsg hangup` for a channel whose CHANNEL_HANGUP came (hangup_after_bridge ended it); one while it is up', async () => {
    const sock = new FakeSocket();
    const session = new SocketSession(sock as unknown as Socket, pino({ level: 'silent' }), 1000);
    const up = session.hangupChannel('NORMAL_CLEARING');
    expect(sock.written).to.deep.equal(['sendmsg\ncall-command: hangup\nhangup-cause: NORMAL_CLEARING\n\n']);
    sock.emit('data', Buffer.from('Content-Type: command/reply\nReply-Text: +OK\n\n'));
    await up;
    sock.emit('data', hangupEvent('u-1'));
    expect(session.hangup?.name).to.equal('CHANNEL_HANGUP');
    await session.hangupChannel('NORMAL_CLEARING');
    expect(sock.written).to.have.length(1);
  });
});
