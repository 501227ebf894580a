/**
 * S5: failed logins counted per user and per client address (redis-login-throttle.ts: shared
 * by every API process of a deployment). A throttle that cannot answer (its store is down)
 * lets logins through: the hashing is still bounded by the HashGate.
 */
export interface LoginThrottle {
  /** Seconds before this user may try again from this address; 0 when it may now. */
  waitSec(username: string, address: string): Promise<number>;
  failed(username: string, address: string): Promise<void>;
  /** The pair's failures are forgotten and the address is remembered as one this user logs in from. */
  succeeded(username: string, address: string): Promise<void>;
}

/** S5: how many failed logins a window allows (README, DIALER_LOGIN_*). */
export interface LoginLimits {
  /** Length of a window, from its first failure, seconds. */
  windowSec: number;
  /** Failures of one user from one address. */
  perUserAddress: number;
  /** Failures from one address, whatever the user. */
  perAddress: number;
  /** Failures of one user from all addresses; beyond it only addresses it logged in from before may try. */
  perUser: number;
}
