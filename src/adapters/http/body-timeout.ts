import type { NextFunction, Request, Response } from 'express';
import { ApiError } from './api-error.js';
import { sendApiError } from './error-middleware.js';

export interface BodyTimeoutOptions {
  /** Longest silence between two pieces of a body, ms (408 after it). */
  idleMs: number;
  /** Longest time to receive a whole body, ms, for every route but the long ones. */
  deadlineMs: number;
  /** Routes whose body may take longer than the deadline (the CSV import) as long as it keeps coming. */
  long: RegExp;
}

/**
 * S5: a request body that stops coming is cut off. The server's own requestTimeout must allow a
 * long CSV import, so without this a client sending a byte now and then holds a socket (and a
 * request's memory) for as long. Progress is the socket's byte count; a body the route has not
 * read yet (bytes buffered, the socket paused) is the server's slowness, not the client's, and
 * does not count as silence. On either limit the client gets 408 if nothing was answered yet,
 * and the connection is closed: the rest of that body will never be read.
 */
export function bodyTimeout(o: BodyTimeoutOptions) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!hasBody(req)) {
      next();
      return;
    }
    const socket = req.socket;
    let lastRead = socket.bytesRead;
    let idle: NodeJS.Timeout | undefined;
    const deadline = o.long.test(req.url ?? '') ? undefined : setTimeout(() => cutOff('deadline'), o.deadlineMs);
    const stop = () => {
      clearTimeout(idle);
      clearTimeout(deadline);
    };
    const check = () => {
      if (req.complete || socket.destroyed) return;
      const read = socket.bytesRead;
      if (read !== lastRead || req.readableLength > 0) {
        lastRead = read;
        idle = setTimeout(check, o.idleMs);
        return;
      }
      cutOff('idle');
    };
    const cutOff = (why: 'idle' | 'deadline') => {
      stop();
      if (req.complete || socket.destroyed) return;
      const message = why === 'idle'
        ? `request body stopped: nothing received for ${o.idleMs / 1000} s`
        : `request body too slow: not complete within ${o.deadlineMs / 1000} s`;
      req.log?.warn({ why }, 'request body timed out');
      // The request itself is destroyed, not only its socket: a route still reading it (the CSV
      // import) must see an error and end; once its answer is sent Node no longer aborts it.
      const abort = () => req.destroy(Object.assign(new Error(message), { code: 'BODY_TIMEOUT' }));
      if (res.headersSent) {
        abort();
        return;
      }
      res.setHeader('Connection', 'close');
      res.once('finish', abort);
      sendApiError(res, new ApiError(408, 'REQUEST_TIMEOUT', message,
        why === 'idle' ? { idle_timeout_sec: o.idleMs / 1000 } : { body_timeout_sec: o.deadlineMs / 1000 }));
    };
    idle = setTimeout(check, o.idleMs);
    req.once('end', stop);
    req.once('close', stop);
    next();
  };
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
