// The outbound socket's framing (outbound-esl.ts) on the recorded bytes of 05c: replies matched to
// commands by order, events between them, messages split across TCP chunks at any byte.
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { expect } from 'chai';
import type { EslEvent } from '../../src/adapters/freeswitch/event-parser.js';
import { parseChannelData } from '../../src/adapters/freeswitch/channel-event.js';
import { OutboundEsl, type CommandOutcome } from '../../src/adapters/freeswitch/outbound-esl.js';
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
  const esl = new OutboundEsl(sock as unknown as Socket, { event: (e) => events.push(e), disconnectNotice: () => notices++ });
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
    expect((await waiting).kind).to.equal('closed');
    expect((await esl.send('linger', undefined, 1000)).kind).to.equal('closed');
  });
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
