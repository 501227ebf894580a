import type { HeldCredentials } from './web-ticket.js';

/*
 * S1: the web client's session cookie. It holds the login's own key and signed access token
 * (`<key>.<token>`), so any API process can check it exactly like the X-Key / X-Access-Token
 * headers, with no server-side session table. It is read in two places only: POST
 * /api/v2/session/resume (which hands the pair back to the tab, to be held in memory and sent
 * as headers) and the /admin/queues dashboard. No /api route takes it as authentication, so a
 * forged cross-site request cannot act with it (SameSite=Strict keeps it home as well).
 *
 * A session cookie (no Max-Age, no Expires) ends with the browser session; the token inside
 * ends with the login, and logout revokes the key, so an old cookie opens nothing.
 */

export const SESSION_COOKIE = 'dialer_session';

// The key is a UUID (no dot); the token is `<expiresAtMs>.<mac>` (see access-token.ts).
const VALUE_RE = /^([0-9a-f-]{36})\.(\d{1,16}\.[A-Za-z0-9_-]{43})$/i;

/** Set-Cookie value that opens a session for this login. `secure`: the request came over https. */
export function sessionCookie(creds: HeldCredentials, secure: boolean): string {
  return `${SESSION_COOKIE}=${creds.key}.${creds.token}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** Set-Cookie value that removes the session cookie. */
export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}

/** The key and token in a Cookie header; undefined when absent or not of the expected shape. */
export function sessionFromCookie(header: string | undefined): HeldCredentials | undefined {
  const m = VALUE_RE.exec(cookieValue(header, SESSION_COOKIE) ?? '');
  return m ? { key: m[1]!, token: m[2]! } : undefined;
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** When the token says it expires (epoch ms in its first part). */
export function tokenExpiry(token: string): Date {
  return new Date(Number(token.split('.')[0]));
}
