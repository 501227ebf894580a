import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * S1: the access token is `<expiresAtMs>.<HMAC-SHA256(secret, key + "." + expiresAtMs)>`.
 * It is bound to one key (a login) and carries its own expiry, so a forged or
 * expired token is refused without a database read; revocation (logout) is
 * checked on the key row.
 */
export function signAccessToken(secret: string, key: string, expiresAt: Date): string {
  const exp = String(expiresAt.getTime());
  return `${exp}.${mac(secret, key, exp)}`;
}

export type TokenCheck =
  | { kind: 'valid'; expiresAt: Date }
  | { kind: 'malformed' }
  | { kind: 'forged' }
  | { kind: 'expired' };

export function checkAccessToken(secret: string, key: string, token: string, now: Date): TokenCheck {
  const m = /^(\d{1,16})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return { kind: 'malformed' };
  const exp = m[1]!;
  const given = Buffer.from(m[2]!, 'base64url');
  const expected = Buffer.from(mac(secret, key, exp), 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { kind: 'forged' };
  const expiresAt = new Date(Number(exp));
  if (expiresAt.getTime() <= now.getTime()) return { kind: 'expired' };
  return { kind: 'valid', expiresAt };
}

function mac(secret: string, key: string, exp: string): string {
  return createHmac('sha256', secret).update(`${key}.${exp}`).digest('base64url');
}
