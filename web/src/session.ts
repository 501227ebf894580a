/**
 * The login of this tab (S1): the key and token live in this module's memory only, are sent as
 * X-Key and X-Access-Token headers, and never go into a URL or Web Storage. A reload gets them
 * back from the server through the HttpOnly session cookie set at log-in
 * (POST /api/v2/session/resume), which scripts cannot read.
 */
export interface Session {
  key: string;
  token: string;
  expires: string;
  role: 'admin' | 'operator' | 'api' | 'agent';
  username: string;
}

let current: Session | undefined;

export function currentSession(): Session | undefined {
  return current && Date.parse(current.expires) > Date.now() ? current : undefined;
}

export function saveSession(s: Session): void {
  current = s;
}

export function clearSession(): void {
  current = undefined;
}

/** After a reload: the login behind the session cookie, if it is still good. */
export async function resumeSession(): Promise<Session | undefined> {
  try {
    const res = await fetch('/api/v2/session/resume', { method: 'POST', headers: { Accept: 'application/json' }, signal: AbortSignal.timeout(15_000) });
    current = res.ok ? ((await res.json()) as Session) : undefined;
  } catch {
    current = undefined;
  }
  return current;
}
