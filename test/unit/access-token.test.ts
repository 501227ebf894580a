import { expect } from 'chai';
import { checkAccessToken, signAccessToken } from '../../src/app/auth/access-token.js';
import { hashPassword, verifyPassword } from '../../src/app/auth/password.js';

describe('access token and password (S1)', () => {
  const secret = 'unit-secret-0123456789';
  const key = '8fd26a17-eb28-4c74-aa6f-a3794f4f466c';
  const now = new Date('2026-11-25T12:00:00Z');
  const later = new Date('2026-11-25T13:00:00Z');

  it('S1: a token is valid for its key until it expires', () => {
    const token = signAccessToken(secret, key, later);
    expect(checkAccessToken(secret, key, token, now)).to.deep.equal({ kind: 'valid', expiresAt: later });
    expect(checkAccessToken(secret, key, token, later).kind).to.equal('expired');
  });

  it('S1: another key, another secret or a changed expiry makes it forged', () => {
    const token = signAccessToken(secret, key, later);
    expect(checkAccessToken(secret, 'another-key', token, now).kind).to.equal('forged');
    expect(checkAccessToken('other-secret-0123456789', key, token, now).kind).to.equal('forged');
    const [, mac] = token.split('.');
    const stretched = `${later.getTime() + 86_400_000}.${mac}`;
    expect(checkAccessToken(secret, key, stretched, now).kind).to.equal('forged');
  });

  it('S1: anything not shaped like a token is malformed', () => {
    for (const t of ['', 'abc', '123.', '.abc', `${later.getTime()}.short`, 'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.e30.x']) {
      expect(checkAccessToken(secret, key, t, now).kind, t).to.equal('malformed');
    }
  });

  it('S1: a password hash verifies the password and nothing else; salts differ', async () => {
    const h1 = await hashPassword('correct horse');
    const h2 = await hashPassword('correct horse');
    expect(h1).to.match(/^scrypt\$16384\$8\$1\$/);
    expect(h1).not.to.equal(h2);
    expect(await verifyPassword('correct horse', h1)).to.equal(true);
    expect(await verifyPassword('correct horsE', h1)).to.equal(false);
    expect(await verifyPassword('correct horse', 'plain-text')).to.equal(false);
  });
});
