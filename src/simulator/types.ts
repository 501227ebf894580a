import type { Logger } from 'pino';

/** One SIP user's phone, keyed by 'ext@domain' (e.g. '1000@127.0.0.1'). */
export interface AgentScript {
  /** @defaultValue true; false → originate gives -ERR USER_NOT_REGISTERED */
  registered?: boolean;
  /**
   * @defaultValue 'answer'. busy/dnd → 486 USER_BUSY, reject → 603 CALL_REJECTED,
   * no-answer → rings until originate_timeout → NO_ANSWER, unavailable → 480 NO_USER_RESPONSE;
   * a SIP code gives that final response (404 UNALLOCATED_NUMBER, 503 NORMAL_TEMPORARY_FAILURE, …);
   * unreachable → the registered contact does not respond at all: NORMAL_TEMPORARY_FAILURE, no ringing
   */
  answer?: 'answer' | 'busy' | 'reject' | 'no-answer' | 'unavailable' | 'dnd' | 'unreachable' | 404 | 480 | 486 | 503 | 603;
  /** ring time before the answer/refusal, ms. @defaultValue 50 */
  afterMs?: number;
  /** the agent hangs up this long after answering, ms (never when absent) */
  hangupAfterMs?: number;
}

/** A dialled number's behaviour. */
export interface SubscriberScript {
  /** @defaultValue 'answer' */
  outcome?: 'answer' | 'busy' | 'no-answer' | 'reject' | 404 | 480 | 486 | 503 | 603;
  /** ring time, ms. @defaultValue 50 */
  afterMs?: number;
  /** after answer the subscriber hangs up after this, ms. @defaultValue 1000 */
  talkMs?: number;
  /** the key the subscriber presses while a predictive call's information message plays (its opt-out) */
  optOutDigit?: string;
}

export interface Scenario {
  agents?: Record<string, AgentScript>;
  subscribers?: Record<string, SubscriberScript>;
  defaultSubscriber?: SubscriberScript;
  /** a user not in `agents` is not in the directory (-ERR SUBSCRIBER_ABSENT) instead of a default phone */
  unknownUsersAbsent?: boolean;
}

export interface SimulatorOptions {
  /** @defaultValue '127.0.0.1' */
  host?: string;
  /** inbound ESL port; 0 = ephemeral. @defaultValue 0 */
  port?: number;
  /** @defaultValue 'ClueCon' */
  password?: string;
  /** sofia profile name. @defaultValue 'internal' */
  profile?: string;
  /** directory domain. @defaultValue '127.0.0.1' */
  domain?: string;
  /** FreeSWITCH-Hostname / Switchname. @defaultValue 'fs-sim' */
  hostname?: string;
  /** host:port the 'dialer-agent' context hands answered legs to. @defaultValue '127.0.0.1:8084' */
  agentContextSocket?: string;
  /** call_timeout of the simulated outbound route, seconds (fractions allowed). @defaultValue 60 */
  routeCallTimeoutSec?: number;
  /** how long the information message of the dialer-abandon extension plays, ms. @defaultValue 3000 */
  abandonMessageMs?: number;
  scenario?: Scenario;
  log?: Logger;
}
