/* What an outbound socket session needs from the adapter around it. */
import type { Logger } from 'pino';
import type { TelephonyEvent, TelephonyHandler } from '../../app/ports/telephony.js';
import type { HangupWatch } from './hangup-watch.js';
import type { LegWatch } from './leg-watch.js';
import type { LiveLegs } from './live-legs.js';
import type { Originator } from './originate.js';
import type { ServiceCodeMap } from './service-codes.js';

/** Deadlines of an outbound socket session; every wait on FreeSWITCH or the engine has one. */
export interface SessionTimeouts {
  /** connect/myevents/linger/sendmsg replies. @defaultValue 5000 (ms) */
  commandMs: number;
  /** `set`, `playback`… completion. @defaultValue 10000 (ms) */
  executeMs: number;
  /** The engine's planBridge / onServiceCode. @defaultValue 10000 (ms) */
  handlerMs: number;
  /** Longest bridged call; the agent leg is hung up after it. @defaultValue 14400 (s) */
  maxCallSec: number;
  /** Wait for the channel to hang up after we asked. @defaultValue 5000 (ms) */
  hangupMs: number;
  /**
   * After the outbound socket was lost: how long a leg's CHANNEL_HANGUP_COMPLETE may still come on
   * the inbound connection once FreeSWITCH says the leg is gone. @defaultValue 3000 (ms)
   */
  lostLegMs: number;
  /**
   * After the outbound socket was lost: how long a call stays live while FreeSWITCH cannot say
   * whether its legs exist (inbound connection down); then its end is unknown. @defaultValue 60000 (ms)
   */
  unreachableLegMs: number;
}

export const DEFAULT_SESSION_TIMEOUTS: SessionTimeouts = {
  commandMs: 5_000,
  executeMs: 10_000,
  handlerMs: 10_000,
  maxCallSec: 4 * 3600,
  hangupMs: 5_000,
  lostLegMs: 3_000,
  unreachableLegMs: 60_000,
};

export interface SessionContext {
  handler: TelephonyHandler;
  /** Delivers one event to the engine; never rejects. */
  emit(ev: TelephonyEvent): Promise<void>;
  legs: LiveLegs;
  hangups: HangupWatch;
  /** Follows legs on the inbound connection once their socket is gone. */
  watch: LegWatch;
  /** `uuid_kill` through the node's inbound connection (a leg with no socket left). */
  kill(node: string, uuid: string, cause: string): Promise<void>;
  /** `uuid_exists` through the node's inbound connection; 'unknown' when it cannot be asked. */
  exists(node: string, uuid: string): Promise<boolean | 'unknown'>;
  /** A call whose end could not be known while its node was unreachable: checked when the node is back. */
  givenUp(node: string, uuids: string[]): void;
  originator: Originator;
  routeContext: string;
  serviceCodes: ServiceCodeMap;
  /** Name of the node a session's channel lives on (by Core-UUID, registration, address). */
  nodeOf(coreUuid: string | null, sipUser: string | null, remoteAddress: string | null): string;
  timeouts: SessionTimeouts;
  log: Logger;
}

/** Resolves with the promise's value, or null after `ms` or on rejection (logged). */
export async function withDeadline<T>(p: Promise<T>, ms: number, log: Logger, what: string): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<null>((resolve) => {
        timer = setTimeout(() => {
          log.warn({ ms, what }, 'engine gave no answer before the deadline');
          resolve(null);
        }, ms);
      }),
    ]);
  } catch (err) {
    log.error({ err, what }, 'engine call failed');
    return null;
  } finally {
    clearTimeout(timer);
  }
}
