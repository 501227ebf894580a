import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { pino } from 'pino';
import { freePort } from '../../src/adapters/free-port.js';
import { RedisLoginThrottle } from '../../src/adapters/queue/redis-login-throttle.js';

const LIMITS = { windowSec: 60, perUserAddress: 2, perAddress: 100, perUser: 100 };
const silent = pino({ level: 'silent' });

describe('failed-login counters in Redis (S5)', () => {
  const open: RedisLoginThrottle[] = [];
  const throttle = (prefix: string, redisUrl = 'redis://127.0.0.1:6379') => {
    const t = new RedisLoginThrottle({ redisUrl, prefix, limits: LIMITS, log: silent, commandTimeoutMs: 500 });
    open.push(t);
    return t;
  };
  after(async () => {
    await Promise.all(open.map((t) => t.close()));
  });

  it('S5: two API processes on one Redis share the counts: the limit holds across them', async () => {
    const prefix = `{dialer-lt-${randomBytes(4).toString('hex')}}`;
    const a = throttle(prefix);
    const b = throttle(prefix);
    await a.failed('id:1', '10.0.0.1');
    expect(await b.waitSec('id:1', '10.0.0.1')).to.equal(0);
    await b.failed('id:1', '10.0.0.1');
    const wait = await a.waitSec('id:1', '10.0.0.1');
    expect(wait).to.be.within(1, 60);
    // A success forgets the pair's failures.
    await b.succeeded('id:1', '10.0.0.1');
    expect(await a.waitSec('id:1', '10.0.0.1')).to.equal(0);
  });

  it('S5: with Redis unreachable logins are let through (the hash gate still bounds them)', async () => {
    const t = throttle(`{dialer-lt-${randomBytes(4).toString('hex')}}`, `redis://127.0.0.1:${await freePort()}`);
    for (let i = 0; i < 3; i++) await t.failed('id:1', '10.0.0.1');
    expect(await t.waitSec('id:1', '10.0.0.1')).to.equal(0);
    await t.succeeded('id:1', '10.0.0.1');
  });
});
