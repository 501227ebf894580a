/*
 * The `esl` package's FreeSwitchResponse, with events parsed by our own parser.
 *
 * Why: esl 11.2.1 parses a text/event-plain body with its header parser, which neither
 * URL-decodes the values nor keeps the inner body, so a plain BACKGROUND_JOB loses its
 * `+OK <uuid>` / `-ERR CAUSE`. Everything else (framing, command/reply and api/response
 * queueing, the CHANNEL_DATA reply of `connect`) is the package's.
 */
import type { Socket } from 'node:net';
import { FreeSwitchResponse, type FreeSwitchResponseLogger, type StringMap } from 'esl';
import type { Logger } from 'pino';
import { parseJsonEvent, parsePlainEvent, type EslEvent } from './event-parser.js';

export class EslSocket extends FreeSwitchResponse {
  #onEvent: ((ev: EslEvent) => void) | null = null;

  constructor(socket: Socket, log: Logger) {
    super(socket, eslLogger(log));
  }

  /** One listener for every event on this socket (plain or json). */
  onEvent(fn: (ev: EslEvent) => void): void {
    this.#onEvent = fn;
  }

  override process(headers: StringMap, body: string): void {
    const ct = headers['Content-Type'];
    if (ct === 'text/event-plain' || ct === 'text/event-json') {
      const ev = ct === 'text/event-plain' ? parsePlainEvent(body) : parseJsonEvent(body);
      if (ev && this.#onEvent) this.#onEvent(ev);
      return;
    }
    super.process(headers, body);
  }
}

/**
 * esl logs every write at debug and ordinary outcomes (an `-ERR` api reply, a socket closed while
 * waiting) at error; our own code logs what matters, so esl's output goes to trace/debug.
 */
export function eslLogger(log: Logger): FreeSwitchResponseLogger & { debug: (m: string, d?: unknown) => void } {
  return {
    debug: (msg, data) => log.trace({ esl: data }, msg),
    info: (msg, data) => log.trace({ esl: data }, msg),
    error: (msg, data) => log.debug({ esl: data }, msg),
  };
}
