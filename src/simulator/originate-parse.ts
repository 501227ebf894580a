// Parses `originate {vars}<dial string> <app>` and bridge dial strings the way the recorded
// commands use them (README "Exact commands sent").

export type OriginateApp =
  | { kind: 'park' }
  | { kind: 'socket'; target: string; data: string }
  | { kind: 'dialplan'; extension: string; context: string };

export interface ParsedOriginate {
  vars: [string, string][];
  /** 'user' endpoint: ext and domain (domain may be null: `user/1000`) */
  user: { ext: string; domain: string | null } | null;
  dial: string;
  app: OriginateApp | null;
}

/**
 * Splits `{a=1,b=2}rest` into vars and rest. `\,` keeps a comma inside a value and `\s` is a
 * space, as FreeSWITCH reads them (the app sends lists such as export_vars=a\,b that way).
 */
export function splitVars(s: string): { vars: [string, string][]; rest: string } {
  const t = s.trim();
  if (!t.startsWith('{')) return { vars: [], rest: t };
  const end = t.indexOf('}');
  if (end === -1) return { vars: [], rest: t };
  const unescape = (v: string) => v.replace(/\\,/g, ',').replace(/\\s/g, ' ');
  const vars = t.slice(1, end).split(/(?<!\\),/).filter((kv) => kv.includes('=')).map((kv): [string, string] => {
    const i = kv.indexOf('=');
    return [kv.slice(0, i).trim(), unescape(kv.slice(i + 1).trim())];
  });
  return { vars, rest: t.slice(end + 1) };
}

export function parseOriginate(arg: string): ParsedOriginate | null {
  const { vars, rest } = splitVars(arg);
  const m = /^(\S+)\s*(.*)$/.exec(rest.trim());
  if (!m) return null;
  const dial = m[1] ?? '';
  const appStr = (m[2] ?? '').trim().replace(/^'(.*)'$/, '$1');
  const u = /^user\/([^@\s]+)(?:@(\S+))?$/.exec(dial);
  return { vars, user: u ? { ext: u[1] ?? '', domain: u[2] ?? null } : null, dial, app: parseApp(appStr) };
}

function parseApp(s: string): OriginateApp | null {
  if (s === '' ) return null;
  if (/^&park\(\)$/.test(s)) return { kind: 'park' };
  const sock = /^&socket\((.*)\)$/.exec(s);
  if (sock) {
    const data = (sock[1] ?? '').trim();
    return { kind: 'socket', target: data.split(/\s+/)[0] ?? '', data };
  }
  const dp = /^(\S+)(?:\s+(\S+))?(?:\s+(\S+))?$/.exec(s);
  if (dp && !s.startsWith('&')) return { kind: 'dialplan', extension: dp[1] ?? '', context: dp[3] ?? dp[2] ?? 'default' };
  return null;
}

/** The subscriber number in a bridge target: loopback/<num>/<ctx>, {…}sofia/<p>/<num>@host, sofia/gateway/<gw>/<num>. */
export function parseBridgeTarget(arg: string): { vars: [string, string][]; number: string; kind: 'loopback' | 'sofia' | 'gateway' | 'other' } {
  const { vars, rest } = splitVars(arg);
  const first = (rest.split('|')[0] ?? '').split(',')[0]?.trim() ?? '';
  let m = /^loopback\/([^/]+)(?:\/.*)?$/.exec(first);
  if (m) return { vars, number: m[1] ?? '', kind: 'loopback' };
  m = /^sofia\/gateway\/[^/]+\/([^@\s]+)/.exec(first);
  if (m) return { vars, number: m[1] ?? '', kind: 'gateway' };
  m = /^sofia\/[^/]+\/(?:sip:)?([^@\s]+)/.exec(first);
  if (m) return { vars, number: m[1] ?? '', kind: 'sofia' };
  return { vars, number: first.split('/').pop() ?? first, kind: 'other' };
}
