/*
 * Registrations as FreeSWITCH reports them (A2: only registered phones are rung).
 * - Events: CUSTOM sofia::register (`username`/`from-user`, `realm`/`from-host`, `contact`),
 *   sofia::unregister (`expires: 0`), sofia::expire (`user`, `host`, `contact`; fired by
 *   sofia_reg_del_callback when a registration times out).
 * - Full list: `api sofia status profile <p> reg`, blocks of `Name:\tvalue` lines; `User:` is
 *   `ext@domain`. `show registrations` is not used: it read "0 total." while 1000 was registered.
 */
import type { EslEvent } from './event-parser.js';

export interface RegistrationChange {
  sipUser: string;
  registered: boolean;
  contact: string | null;
  profile: string | null;
}

const SUBCLASSES: Record<string, boolean> = {
  'sofia::register': true,
  'sofia::unregister': false,
  'sofia::expire': false,
};

export function parseRegistrationEvent(ev: EslEvent): RegistrationChange | null {
  if (ev.name !== 'CUSTOM' || ev.subclass === null || !(ev.subclass in SUBCLASSES)) return null;
  const h = ev.headers;
  const user = h['username'] ?? h['from-user'] ?? h['user'];
  const domain = h['realm'] ?? h['from-host'] ?? h['host'] ?? h['domain_name'];
  if (!user || !domain) return null;
  let registered = SUBCLASSES[ev.subclass]!;
  // A REGISTER with Expires: 0 is an unregistration even if it were reported as register.
  if (registered && h['expires'] === '0') registered = false;
  return { sipUser: `${user}@${domain}`, registered, contact: h['contact'] ?? null, profile: h['profile-name'] ?? null };
}

export interface RegistrationRow {
  sipUser: string;
  contact: string;
  status: string;
}

/** Parses the body of `sofia status profile <p> reg`. Unknown text gives an empty list. */
export function parseSofiaStatusReg(text: string): RegistrationRow[] {
  const rows: RegistrationRow[] = [];
  let cur: Partial<RegistrationRow> | null = null;
  const flush = () => {
    if (cur?.sipUser) rows.push({ sipUser: cur.sipUser, contact: cur.contact ?? '', status: cur.status ?? '' });
    cur = null;
  };
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const [, key, value] = m as unknown as [string, string, string];
    if (key === 'Call-ID') {
      flush();
      cur = {};
    } else if (cur && key === 'User') cur.sipUser = value.trim();
    else if (cur && key === 'Contact') cur.contact = value.trim();
    else if (cur && key === 'Status') cur.status = value.trim();
  }
  flush();
  return rows;
}
