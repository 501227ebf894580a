// One client connection to the inbound event socket (01, 02, 03): auth/request greeting,
// auth, event subscriptions, api/bgapi, exit.
import type net from 'node:net';
import { randomUUID } from 'node:crypto';
import { authRequest, CommandReader, commandHeader, commandReply, disconnectNotice, SHUTTING_DOWN, type EslCommand } from './esl-frame.js';
import { frameEvent, type SimEvent } from './event-render.js';
import { EventFilter } from './event-filter.js';
import type { EventSink, SimSwitch } from './sim-switch.js';

export class InboundSession implements EventSink {
  readonly #reader = new CommandReader();
  readonly #filter = new EventFilter();
  #authed = false;
  #closing = false;

  constructor(readonly sw: SimSwitch, readonly socket: net.Socket, readonly onGone: (s: InboundSession) => void) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => {
      for (const c of this.#reader.push(d)) {
        try {
          this.#command(c);
        } catch (err) {
          // a simulator bug must not take the test process down: answer like a failed command
          sw.log.error({ err, line: c.line }, 'inbound command failed');
          this.#write(commandReply(`-ERR ${err instanceof Error ? err.message : String(err)}`));
        }
      }
    });
    socket.on('error', (err) => sw.log.debug({ err }, 'inbound socket error'));
    socket.on('end', () => {
      // 01: a client half-close gets the goodbye notice before FreeSWITCH closes
      this.#write(disconnectNotice());
      this.close();
    });
    socket.on('close', () => {
      sw.sinks.delete(this);
      onGone(this);
    });
    sw.sinks.add(this);
    this.#write(authRequest());
  }

  mayWant(name: string, uuid: string): boolean {
    return this.#authed && !this.#closing && this.#filter.mayWant(name, uuid);
  }

  offer(ev: SimEvent): void {
    if (this.#authed && !this.#closing && this.#filter.wants(ev)) this.#write(frameEvent(ev, this.#filter.format));
  }

  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.socket.end();
    this.sw.timers.after(50, () => this.socket.destroy());
  }

  /** The switch shuts down: the notice, then it closes the connection (07a). */
  shutDown(): void {
    if (this.#authed) this.#write(disconnectNotice(undefined, SHUTTING_DOWN));
    this.destroy();
  }

  destroy(): void {
    this.#closing = true;
    this.socket.destroy();
  }

  #write(s: string): void {
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(s);
  }

  #command(c: EslCommand): void {
    if (this.#closing) return;
    const [verb = '', ...args] = c.line.split(/\s+/);
    if (!this.#authed) {
      if (verb !== 'auth') return this.#write(commandReply('-ERR command not found'));
      if (args.join(' ') === this.sw.opts.password) {
        this.#authed = true;
        return this.#write(commandReply('+OK accepted'));
      }
      this.#write(commandReply('-ERR invalid'));
      this.#write(disconnectNotice());
      return this.close();
    }
    switch (verb) {
      case 'api': case 'bgapi':
        return this.sw.api(c, verb, (s) => this.#write(s));
      case 'event': case 'nixevent': case 'noevents':
        return this.#write(commandReply(this.#filter.command(verb, args)));
      case 'exit':
        this.#write(commandReply('+OK bye'));
        this.#write(disconnectNotice());
        return this.close();
      case 'log': case 'nolog':
        return this.#write(commandReply(verb === 'log' ? '+OK log level 7 [7]' : '+OK no longer logging'));
      case 'filter':
        return this.#write(commandReply(this.#filter.filter(args)));
      case 'sendmsg': {
        const uuid = args[0] ?? '';
        const call = this.sw.calls.get(uuid);
        if (!call) return this.#write(commandReply('-ERR invalid session id'));
        this.#write(commandReply('+OK'));
        const cmd = (commandHeader(c, 'call-command') ?? '').toLowerCase();
        if (cmd === 'hangup') call.hangup(commandHeader(c, 'hangup-cause') ?? 'NORMAL_CLEARING');
        else if (cmd === 'execute') {
          call.enqueue({ name: commandHeader(c, 'execute-app-name') ?? '', arg: commandHeader(c, 'execute-app-arg') ?? c.body,
            eventUuid: commandHeader(c, 'Event-UUID') ?? randomUUID() });
        }
        return;
      }
      default:
        return this.#write(commandReply('-ERR command not found'));
    }
  }
}
