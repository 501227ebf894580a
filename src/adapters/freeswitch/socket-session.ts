/*
 * One outbound-socket connection FreeSWITCH opened to us (`socket … async full`).
 *
 * Facts (05a-05d, 06): FreeSWITCH sends nothing until `connect`; the reply is CHANNEL_DATA.
 * `myevents` limits events to this channel, `linger` keeps the socket open after hangup so the
 * final events arrive, then a `text/disconnect-notice` (`Content-Disposition: linger`) comes.
 * `sendmsg` execute answers `+OK` at once; completion is CHANNEL_EXECUTE_COMPLETE whose
 * `Application-UUID` is the `Event-UUID` we sent. Closing the socket hangs a parked channel up, but
 * not a bridged one (real 1.10.12: the call goes on; agent-call.ts follows it on the inbound connection).
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { parseChannelData, parseChannelEvent, type ChannelData, type ChannelEvent } from './channel-event.js';
import { OutboundEsl, type CommandOutcome } from './outbound-esl.js';

export type ExecuteResult = { kind: 'done'; event: ChannelEvent } | { kind: 'timeout' } | { kind: 'gone'; reason: string };

/**
 * What `myevents` subscribes and this session never reads (it reads BRIDGE, UNBRIDGE, HANGUP,
 * HANGUP_COMPLETE and EXECUTE_COMPLETE): `nixevent` takes them away (mod_event_socket 1.10.12 keeps
 * the channel filter of myevents), so the switch does not send ~12 KB for each CHANNEL_STATE,
 * CHANNEL_EXECUTE, … of the agent leg.
 */
export const UNREAD_MYEVENTS = [
  'CHANNEL_ANSWER', 'CHANNEL_APPLICATION', 'CHANNEL_CREATE', 'CHANNEL_DATA', 'CHANNEL_DESTROY', 'CHANNEL_EXECUTE',
  'CHANNEL_ORIGINATE', 'CHANNEL_UUID', 'CHANNEL_OUTGOING', 'CHANNEL_PARK', 'CHANNEL_PROGRESS', 'CHANNEL_PROGRESS_MEDIA',
  'CHANNEL_STATE', 'CHANNEL_UNPARK', 'DETECTED_SPEECH', 'DTMF', 'NOTALK', 'TALK',
].join(' ');

export class SocketSession {
  readonly #conn: OutboundEsl;
  readonly #waits = new Map<string, (r: ExecuteResult) => void>();
  readonly #listeners = new Set<(ev: ChannelEvent) => void>();
  #gone: string | null = null;
  #goneWaiters: (() => void)[] = [];
  /** Last CHANNEL_HANGUP / HANGUP_COMPLETE of this channel. */
  hangup: ChannelEvent | null = null;
  data: ChannelData | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly log: Logger,
    private readonly commandTimeoutMs: number,
  ) {
    this.#conn = new OutboundEsl(socket, {
      event: (raw) => {
        const ev = parseChannelEvent(raw);
        if (!ev) return;
        if (ev.name === 'CHANNEL_HANGUP' || ev.name === 'CHANNEL_HANGUP_COMPLETE') this.hangup = ev;
        for (const fn of this.#listeners) fn(ev);
        if (ev.name === 'CHANNEL_EXECUTE_COMPLETE' && ev.applicationUuid) this.#waits.get(ev.applicationUuid)?.({ kind: 'done', event: ev });
      },
      // After the linger notice FreeSWITCH sends nothing more for this channel.
      disconnectNotice: () => this.#markGone('disconnect notice'),
    });
    socket.once('close', () => this.#markGone('socket closed'));
  }

  get gone(): string | null {
    return this.#gone;
  }

  /** Resolves when the channel can send nothing more (disconnect notice or socket close). */
  whenGone(): Promise<void> {
    return this.#gone ? Promise.resolve() : new Promise((r) => this.#goneWaiters.push(r));
  }

  onChannelEvent(fn: (ev: ChannelEvent) => void): void {
    this.#listeners.add(fn);
  }

  /**
   * `connect`, `myevents` (less what is not read), `linger`, written at once (FreeSWITCH answers
   * them in order, outbound-esl.ts): null when FreeSWITCH did not answer as expected.
   */
  async handshake(): Promise<ChannelData | null> {
    const [connect, ...rest] = await this.#conn.sendAll(
      [['connect'], ['myevents'], [`nixevent ${UNREAD_MYEVENTS}`], ['linger']],
      this.commandTimeoutMs,
    );
    const failed = [connect!, ...rest].find((o) => o.kind !== 'reply' || o.text.startsWith('-'));
    if (failed) {
      this.log.warn({ reply: failed.kind === 'reply' ? failed.text : failed.kind }, 'outbound socket handshake failed');
      return null;
    }
    this.data = parseChannelData((connect as Extract<CommandOutcome, { kind: 'reply' }>).headers);
    return this.data;
  }

  /** Runs an application and waits for its CHANNEL_EXECUTE_COMPLETE, at most `timeoutMs`. */
  async execute(app: string, arg: string, timeoutMs: number): Promise<ExecuteResult> {
    if (this.#gone) return { kind: 'gone', reason: this.#gone };
    const eventUuid = randomUUID();
    const done = new Promise<ExecuteResult>((resolve) => {
      const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
      const finish = (r: ExecuteResult) => {
        clearTimeout(timer);
        this.#waits.delete(eventUuid);
        resolve(r);
      };
      this.#waits.set(eventUuid, finish);
    });
    const r = await this.#conn.send(
      'sendmsg',
      { 'call-command': 'execute', 'execute-app-name': app, 'execute-app-arg': arg, 'Event-UUID': eventUuid },
      this.commandTimeoutMs,
    );
    if (r.kind !== 'reply' || r.text.startsWith('-')) {
      this.#waits.get(eventUuid)?.({ kind: 'gone', reason: `sendmsg failed: ${r.kind === 'reply' ? r.text : r.kind}` });
    }
    return done;
  }

  /**
   * `sendmsg hangup`; a channel already gone is fine (FreeSWITCH still replies +OK, 05b), so none is
   * sent once its CHANNEL_HANGUP came: after a bridge, hangup_after_bridge has ended the leg and the
   * HANGUP comes before the bridge's EXECUTE_COMPLETE (05c, real 1.10.12).
   */
  async hangupChannel(cause: string): Promise<void> {
    if (this.#gone || this.hangup) return;
    const r = await this.#conn.send('sendmsg', { 'call-command': 'hangup', 'hangup-cause': cause }, this.commandTimeoutMs);
    if (r.kind !== 'reply' || r.text.startsWith('-')) this.log.debug({ reply: r.kind === 'reply' ? r.text : r.kind }, 'sendmsg hangup failed');
  }

  /** Waits until the channel has hung up or the socket is gone, at most `timeoutMs`. */
  async waitHangup(timeoutMs: number): Promise<ChannelEvent | null> {
    if (this.hangup || this.#gone) return this.hangup;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.onChannelEvent((ev) => {
        if (ev.name === 'CHANNEL_HANGUP' || ev.name === 'CHANNEL_HANGUP_COMPLETE') done();
      });
      void this.whenGone().then(done);
    });
    return this.hangup;
  }

  /** Closes our side; with linger FreeSWITCH has already sent the final events. */
  close(): void {
    this.socket.destroy();
  }

  #markGone(reason: string): void {
    if (this.#gone) return;
    this.#gone = reason;
    for (const finish of [...this.#waits.values()]) finish({ kind: 'gone', reason });
    for (const w of this.#goneWaiters.splice(0)) w();
  }
}
