// FreeSWITCH's side of `socket <host:port> async full`: connect to the app, wait for
// `connect`, answer with CHANNEL_DATA, then myevents / linger / divert_events / sendmsg as in
// 05a–05d; closing the socket hangs a parked channel up (06 B1/B2), a bridged one only when its
// bridge ends (seen on the real 1.10.12).
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { CommandReader, commandHeader, commandReply, disconnectNotice, lingerNotice, type EslCommand } from './esl-frame.js';
import { channelDataReply, frameEvent, renderChannelEvent, type SimEvent } from './event-render.js';
import type { AgentCall, ControlSession } from './agent-call.js';
import type { EventSink, SimSwitch } from './sim-switch.js';
import { EventFilter } from './event-filter.js';

/** How long the simulated switch waits for the app to accept the TCP connection, then for `connect`. */
const CONNECT_TIMEOUT_MS = 5000;

export class OutboundSession implements ControlSession, EventSink {
  readonly #socket: net.Socket;
  readonly #reader = new CommandReader();
  #connected = false;
  readonly #filter = new EventFilter();
  /** null: no linger; -1: linger without limit; n: seconds */
  #linger: number | null = null;
  #closed = false;
  #gone = false;
  #connectDeadline: NodeJS.Timeout | null = null;

  constructor(readonly sw: SimSwitch, readonly call: AgentCall, host: string, port: number) {
    this.#socket = net.connect({ host, port });
    this.#socket.setNoDelay(true);
    const deadline = sw.timers.after(CONNECT_TIMEOUT_MS, () => this.#socket.destroy(new Error('connect timeout')));
    this.#socket.once('connect', () => {
      sw.timers.cancel(deadline);
      this.#connectDeadline = sw.timers.after(CONNECT_TIMEOUT_MS, () => this.#socket.destroy());
      sw.emitter.emit('outbound-connect', call.ch.uuid);
    });
    this.#socket.on('data', (d: Buffer) => {
      for (const c of this.#reader.push(d)) {
        try {
          this.#command(c);
        } catch (err) {
          // a simulator bug must not take the test process down: answer like a failed command
          sw.log.error({ err, line: c.line }, 'outbound command failed');
          this.#write(commandReply(`-ERR ${err instanceof Error ? err.message : String(err)}`));
        }
      }
    });
    this.#socket.on('error', (err) => sw.log.debug({ err, uuid: call.ch.uuid }, 'outbound socket error'));
    this.#socket.on('end', () => {
      // the app half-closed: FreeSWITCH answers with the goodbye notice (05a, after linger)
      if (this.#gone && !this.#socket.destroyed) this.#write(disconnectNotice(call.ch.uuid));
      this.close();
    });
    this.#socket.on('close', () => {
      sw.timers.cancel(deadline);
      this.#closed = true;
      sw.sinks.delete(this);
      // 06: the app went away while the channel was up → hung up (NORMAL_CLEARING) unless resumed
      // or bridged (then at the bridge's end)
      call.socketClosed();
    });
    sw.sinks.add(this);
  }

  mayWant(name: string, uuid: string): boolean {
    return this.#connected && !this.#closed && !this.#gone && this.#filter.mayWant(name, uuid);
  }

  offer(ev: SimEvent): void {
    // 05a: after HANGUP_COMPLETE only the disconnect notices come (no CHANNEL_DESTROY)
    if (!this.#connected || this.#closed || this.#gone) return;
    if (this.#filter.wants(ev)) this.#write(frameEvent(ev, this.#filter.format));
  }

  channelGone(): void {
    this.#gone = true;
    if (this.#closed) return;
    if (this.#linger === null) {
      this.#write(disconnectNotice(this.call.ch.uuid));
      this.close();
      return;
    }
    this.#write(lingerNotice(this.call.ch.uuid, this.call.ch.name, this.#linger));
    if (this.#linger >= 0) {
      this.sw.timers.after(this.#linger * 1000, () => {
        this.#write(disconnectNotice(this.call.ch.uuid));
        this.close();
      });
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.end();
    this.sw.timers.after(50, () => this.#socket.destroy());
  }

  /** Fault: the socket drops mid-call (a parked channel goes down with it, a bridged one talks on). */
  destroy(): void {
    this.#socket.destroy();
  }

  #write(s: string): void {
    if (!this.#socket.destroyed && this.#socket.writable) this.#socket.write(s);
  }

  #command(c: EslCommand): void {
    const [verb = '', ...args] = c.line.split(/\s+/);
    if (!this.#connected) {
      if (verb !== 'connect') return this.#write(commandReply('-ERR command not found'));
      this.#connected = true;
      this.sw.timers.cancel(this.#connectDeadline);
      const ev = renderChannelEvent({ name: 'CHANNEL_DATA', channel: this.call.ch }, this.sw.core());
      return this.#write(channelDataReply(ev));
    }
    switch (verb) {
      case 'connect': {
        const ev = renderChannelEvent({ name: 'CHANNEL_DATA', channel: this.call.ch }, this.sw.core());
        return this.#write(channelDataReply(ev));
      }
      case 'myevents':
        if (this.#filter.mine) return this.#write(commandReply('-ERR aready enabled.'));
        this.#filter.myevents(this.call.ch.uuid);
        this.sw.timers.after(10, () => this.call.parkIfIdle());
        return this.#write(commandReply('+OK Events Enabled'));
      case 'linger': {
        const n = args[0] !== undefined ? Number(args[0]) : NaN;
        this.#linger = Number.isFinite(n) && n > 0 ? n : -1;
        return this.#write(commandReply(this.#linger > 0 ? `+OK will linger ${this.#linger} seconds` : '+OK will linger'));
      }
      case 'nolinger':
        this.#linger = null;
        return this.#write(commandReply('+OK will not linger'));
      case 'divert_events':
        return this.#write(commandReply(args[0] === 'on' ? '+OK events diverted' : '+OK events not diverted'));
      case 'resume':
        this.call.resumed = true;
        return this.#write(commandReply('+OK'));
      case 'event': case 'nixevent': case 'noevents':
        return this.#write(commandReply(this.#filter.command(verb, args)));
      case 'filter':
        return this.#write(commandReply(this.#filter.filter(args)));
      case 'sendmsg':
        return this.#sendmsg(c);
      case 'api': case 'bgapi':
        return this.sw.api(c, verb, (s) => this.#write(s));
      case 'exit':
        this.#write(commandReply('+OK bye'));
        this.#write(disconnectNotice());
        return this.close();
      default:
        return this.#write(commandReply('-ERR command not found'));
    }
  }

  #sendmsg(c: EslCommand): void {
    const cmd = (commandHeader(c, 'call-command') ?? '').toLowerCase();
    this.#write(commandReply('+OK'));
    if (cmd === 'execute') {
      this.call.enqueue({
        name: commandHeader(c, 'execute-app-name') ?? '',
        arg: commandHeader(c, 'execute-app-arg') ?? c.body,
        eventUuid: commandHeader(c, 'Event-UUID') ?? randomUUID(),
      });
    } else if (cmd === 'hangup') {
      // 05b: on an already hung-up channel this still answers +OK and does nothing
      this.call.hangup(commandHeader(c, 'hangup-cause') ?? 'NORMAL_CLEARING');
    }
  }
}
