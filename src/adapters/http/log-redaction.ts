/*
 * S1: what the request log must never hold in clear. pino-http logs every request header, so the
 * API's key and access token, cookies (the queue dashboard's session) and any Authorization header
 * are censored; a login body is never logged, and its password would be censored if it were.
 */

/** pino `redact` paths, applied to every line of the HTTP logger and its children. */
export const REDACTED: string[] = [
  'req.headers["x-key"]',
  'req.headers["x-access-token"]',
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.query.ticket',
  'req.body.password',
  'res.headers["set-cookie"]',
  'password',
  '*.password',
];

// A live-board or dashboard ticket stands for a login until it is redeemed (web-ticket.ts).
const TICKET_IN_URL = /([?&]ticket=)[^&#]*/gi;

/** pino-http request serializer (it gets the standard serialization): the URL without its ticket. */
export function withoutTicket<T extends { url?: string }>(req: T): T {
  if (typeof req.url === 'string') req.url = req.url.replace(TICKET_IN_URL, '$1[Redacted]');
  return req;
}
