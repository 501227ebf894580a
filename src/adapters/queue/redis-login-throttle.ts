import { connectRedis, type RedisConnection, type RedisTarget } from './redis-connection.js';
import type { Logger } from 'pino';
import type { LoginLimits, LoginThrottle } from '../../app/ports/login-throttle.js';

export interface RedisLoginThrottleOptions {
  redisUrl: RedisTarget;
  /** The deployment's key prefix (hash-tagged: every key of a check lives in one cluster slot). */
  prefix: string;
  limits: LoginLimits;
  log: Logger;
  /** Deadline of each Redis command, ms. @defaultValue 2000 */
  commandTimeoutMs?: number;
}

/** An address that logged in as a user stays known to it this long. */
const KNOWN_MS = 30 * 86_400_000;

// KEYS: user+address, address, user counters, then the user's known-address marker.
// ARGV: their limits. The longest wait of a counter at or over its limit, ms (0: may try); the
// user counter does not hold back an address the user logged in from before.
const WAIT = `
local wait = 0
for i = 1, 3 do
  local n = tonumber(redis.call('GET', KEYS[i]) or '0')
  if n >= tonumber(ARGV[i]) and not (i == 3 and redis.call('EXISTS', KEYS[4]) == 1) then
    local t = redis.call('PTTL', KEYS[i])
    if t > wait then wait = t end
  end
end
return wait`;

// KEYS: the three counters; ARGV[1]: window, ms. A window starts at its first failure.
const FAIL = `
for _, k in ipairs(KEYS) do
  if redis.call('INCR', k) == 1 then redis.call('PEXPIRE', k, ARGV[1]) end
end
return 0`;

type ThrottleRedis = RedisConnection & {
  loginWait(k1: string, k2: string, k3: string, k4: string, a: number, b: number, c: number): Promise<number>;
  loginFail(k1: string, k2: string, k3: string, windowMs: number): Promise<number>;
};

/**
 * S5: the failed-login counters in Redis, so the limits hold across every API process of a
 * deployment (several processes on one Redis; per-process counters would multiply each limit
 * by the number of processes, and forget everything on restart). Fixed windows: INCR with an
 * expiry set at the first failure, checked and counted by one script each.
 *
 * Three counters: a user from one address (the guessing of one account), an address whatever
 * the user (one client spraying accounts), and a user from everywhere (guessing spread over
 * many addresses). The last one would let anyone lock a user out by failing on purpose, so it
 * does not apply to addresses the user has logged in from in the last 30 days: the real user at
 * their usual place still gets in while a spread attack is held back everywhere else.
 *
 * Redis unreachable: logins are let through (logged); the hash gate still bounds their cost.
 */
export class RedisLoginThrottle implements LoginThrottle {
  readonly #redis: ThrottleRedis;
  #closing: Promise<void> | undefined;

  constructor(private readonly o: RedisLoginThrottleOptions) {
    const t = o.commandTimeoutMs ?? 2_000;
    const redis = connectRedis(o.redisUrl, { commandTimeout: t, connectTimeout: t, maxRetriesPerRequest: 1, lazyConnect: true });
    redis.on('error', (err) => o.log.debug({ err }, 'login throttle: redis error'));
    redis.defineCommand('loginWait', { numberOfKeys: 4, lua: WAIT });
    redis.defineCommand('loginFail', { numberOfKeys: 3, lua: FAIL });
    this.#redis = redis as ThrottleRedis;
  }

  async waitSec(user: string, address: string): Promise<number> {
    const k = this.#keys(user, address);
    const l = this.o.limits;
    try {
      const ms = await this.#redis.loginWait(k.userAddress, k.address, k.user, k.known, l.perUserAddress, l.perAddress, l.perUser);
      return Math.ceil(ms / 1000);
    } catch (err) {
      this.o.log.warn({ err }, 'login throttle unavailable: login not limited');
      return 0;
    }
  }

  async failed(user: string, address: string): Promise<void> {
    const k = this.#keys(user, address);
    await this.#redis.loginFail(k.userAddress, k.address, k.user, this.o.limits.windowSec * 1000)
      .catch((err: unknown) => this.o.log.warn({ err }, 'login throttle unavailable: failure not counted'));
  }

  async succeeded(user: string, address: string): Promise<void> {
    const k = this.#keys(user, address);
    await this.#redis.multi().del(k.userAddress).set(k.known, '1', 'PX', KNOWN_MS).exec()
      .catch((err: unknown) => this.o.log.warn({ err }, 'login throttle unavailable: success not recorded'));
  }

  close(): Promise<void> {
    return (this.#closing ??= this.#redis.quit().then(() => undefined, () => this.#redis.disconnect()));
  }

  #keys(user: string, address: string) {
    const base = `${this.o.prefix}:login`;
    const u = encodeURIComponent(user);
    const a = encodeURIComponent(address);
    return { userAddress: `${base}:fails:ua:${u}:${a}`, address: `${base}:fails:a:${a}`, user: `${base}:fails:u:${u}`, known: `${base}:known:${u}:${a}` };
  }
}
