/**
 * The login of this tab: held in sessionStorage (gone when the tab closes), sent as X-Key and
 * X-Access-Token headers, never put in a URL.
 */
export interface Session {
  key: string;
  token: string;
  expires: string;
  role: 'admin' | 'operator' | 'api';
  username: string;
}

const KEY = 'dialer.session';

export function currentSession(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return undefined;
    const s = JSON.parse(raw) as Session;
    return Date.parse(s.expires) > Date.now() ? s : undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(s: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(s));
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}
