// The simulated switch's shared state: scripts, registrations, channels, the event bus (with
// the delay/duplicate faults) and owned timers. Sessions and call flows act through it.
import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { AgentScript, Scenario, SimulatorOptions, SubscriberScript } from './types.js';
import type { SimChannel } from './channel.js';
import { coreHeaders, renderChannelEvent, type ChannelEventInput, type CoreInfo, type SimEvent } from './event-render.js';
import { TimerSet } from './timer-set.js';
import { runApi } from './api-commands.js';
import type { EslCommand } from './esl-frame.js';
import type { AgentCall } from './agent-call.js';
import type { PredictiveCall } from './predictive-call.js';
import { SwitchDb } from './switch-db.js';

/** A consumer of events: an inbound ESL session, or an outbound one after `myevents`. */
export interface EventSink {
  offer(ev: SimEvent): void;
  /** False when no channel event of this type and channel can reach this listener (it is then not rendered). */
  mayWant(name: string, uuid: string): boolean;
}

export interface OriginateRecord {
  jobUuid: string;
  originationUuid: string | null;
  command: string;
  at: number;
}

export interface ChannelView {
  uuid: string;
  name: string;
  state: string;
  variables: Record<string, string>;
  hangupCause?: string | null;
  /** The switch's own clock (µs since the epoch, 0 = not yet): the record a talk time is checked against. */
  answeredUs: number;
  hangupUs: number;
}

export type ResolvedOptions = Required<Omit<SimulatorOptions, 'scenario' | 'log'>>;

export class SimSwitch {
  readonly opts: ResolvedOptions;
  readonly log: Logger;
  readonly timers: TimerSet;
  /** A new one each (re)start, like FreeSWITCH's; events carry it as Core-UUID. */
  coreUuid = randomUUID();
  readonly agents = new Map<string, AgentScript>();
  readonly subscribers = new Map<string, SubscriberScript>();
  defaultSubscriber: SubscriberScript = {};
  unknownUsersAbsent = false;
  readonly registered = new Set<string>();
  readonly channels = new Map<string, SimChannel>();
  /** calls controlled from the switch side, by their (agent or phone) leg uuid */
  readonly calls = new Map<string, AgentCall>();
  /** predictive subscriber legs (09), by loopback-a's uuid */
  readonly predictive = new Map<string, PredictiveCall>();
  startedAtMs = Date.now();
  /** mod_db's table in the core database (switch-db.ts): kept across calls, like the sqlite file. */
  readonly db = new SwitchDb();
  /** `fsctl shutdown_check`: a shutdown was asked for and not cancelled. */
  shutdownRequested = false;
  readonly allChannels: SimChannel[] = [];
  readonly originateLog: OriginateRecord[] = [];
  readonly sinks = new Set<EventSink>();
  /** unscripted users that were unregistered on demand */
  readonly #unregistered = new Set<string>();
  readonly #delays = new Map<string, number[]>();
  readonly #dups = new Map<string, number>();
  #seq = 0;
  #lastUs = 0;
  #jobFlip = 0;

  constructor(opts: ResolvedOptions, scenario: Scenario, log: Logger, readonly emitter: EventEmitter) {
    this.opts = opts;
    this.log = log;
    this.timers = new TimerSet((err) => log.error({ err }, 'simulator step failed'));
    this.loadScenario(scenario);
  }

  loadScenario(s: Scenario): void {
    for (const [k, v] of Object.entries(s.agents ?? {})) this.setAgent(k, v);
    for (const [k, v] of Object.entries(s.subscribers ?? {})) this.subscribers.set(k, v);
    this.defaultSubscriber = s.defaultSubscriber ?? {};
    this.unknownUsersAbsent = s.unknownUsersAbsent ?? false;
  }

  /** 'ext@domain' key; a bare ext gets the configured domain. */
  userKey(user: string): string {
    return user.includes('@') ? user : `${user}@${this.opts.domain}`;
  }

  setAgent(user: string, s: AgentScript): void {
    const key = this.userKey(user);
    this.agents.set(key, s);
    if (s.registered === false) this.registered.delete(key);
    else this.registered.add(key);
  }

  /** undefined: not in the directory (SUBSCRIBER_ABSENT) */
  agentScript(user: string): AgentScript | undefined {
    const key = this.userKey(user);
    const s = this.agents.get(key);
    if (s) return s;
    return this.unknownUsersAbsent ? undefined : {};
  }

  isRegistered(user: string): boolean {
    const key = this.userKey(user);
    // an unscripted user is a default phone: registered unless unregister() was called for it
    return this.registered.has(key) || (!this.agents.has(key) && !this.unknownUsersAbsent && !this.#unregistered.has(key));
  }

  markRegistered(user: string, on: boolean): void {
    const key = this.userKey(user);
    if (on) { this.registered.add(key); this.#unregistered.delete(key); }
    else { this.registered.delete(key); this.#unregistered.add(key); }
  }

  subscriberScript(num: string): SubscriberScript {
    return this.subscribers.get(num) ?? this.defaultSubscriber;
  }

  /** Microseconds, strictly increasing, like Event-Date-Timestamp. */
  nowUs(): number {
    this.#lastUs = Math.max(this.#lastUs + 1, Date.now() * 1000);
    return this.#lastUs;
  }

  core(): CoreInfo {
    return { coreUuid: this.coreUuid, hostname: this.opts.hostname, seq: ++this.#seq, nowUs: this.nowUs() };
  }

  addChannel(ch: SimChannel): void {
    this.channels.set(ch.uuid, ch);
    this.allChannels.push(ch);
    this.emitter.emit('channel-create', ch.uuid);
  }

  /** The channel is gone (after CHANNEL_HANGUP_COMPLETE). */
  removeChannel(ch: SimChannel): void {
    this.channels.delete(ch.uuid);
    this.emitter.emit('channel-hangup', ch.uuid, ch.hangupCause);
  }

  channelEvent(input: ChannelEventInput): void {
    // Numbered whether or not anybody listens, as the switch numbers every event it fires.
    const core = this.core();
    // Most of a call's events reach no listener (filters, myevents, nixevent): not rendered.
    // With a delay or a duplicate pending for the type, the listeners at delivery decide.
    const { name, channel } = input;
    if (!this.#delays.has(name) && !this.#dups.has(name) && !this.#anyMayWant(name, channel.uuid)) return;
    this.publish(renderChannelEvent(input, core));
  }

  #anyMayWant(name: string, uuid: string): boolean {
    for (const s of this.sinks) if (s.mayWant(name, uuid)) return true;
    return false;
  }

  /** `api` / `bgapi` sent on any event-socket connection, inbound or outbound. */
  api(c: EslCommand, verb: string, write: (s: string) => void): void {
    runApi(this, c, verb, write);
  }

  backgroundJob(jobUuid: string, command: string, arg: string | null, body: string): void {
    const hs = coreHeaders('BACKGROUND_JOB', this.core(), ['mod_event_socket.c', 'api_exec', '1572']);
    hs.push(['Job-UUID', jobUuid], ['Job-Command', command]);
    if (arg !== null && arg !== '') hs.push(['Job-Command-Arg', arg]);
    this.publish({ name: 'BACKGROUND_JOB', subclass: null, uuid: null, headers: hs, body });
  }

  custom(subclass: string, calling: [string, string, string], headers: [string, string][]): void {
    const hs = coreHeaders('CUSTOM', this.core(), calling, subclass);
    hs.push(...headers);
    this.publish({ name: 'CUSTOM', subclass, uuid: null, headers: hs, body: null });
  }

  /** A core event with an Event-Info, as SHUTDOWN and SHUTDOWN_REQUESTED are (07a, 07b). */
  coreEvent(name: string, calling: [string, string, string], info: string): void {
    const hs = coreHeaders(name, this.core(), calling);
    hs.push(['Event-Info', info]);
    this.publish({ name, subclass: null, uuid: null, headers: hs, body: null });
  }

  /** FreeSWITCH does not fix BACKGROUND_JOB's place among the hangup events (04c vs 04e): alternate. */
  jobBeforeHangup(): boolean {
    return (this.#jobFlip++ % 2) === 1;
  }

  delayNext(eventName: string, ms: number): void {
    const q = this.#delays.get(eventName) ?? [];
    q.push(ms);
    this.#delays.set(eventName, q);
  }

  duplicateNext(eventName: string): void {
    this.#dups.set(eventName, (this.#dups.get(eventName) ?? 0) + 1);
  }

  publish(ev: SimEvent): void {
    const delays = this.#delays.get(ev.name);
    const ms = delays?.shift();
    if (delays && delays.length === 0) this.#delays.delete(ev.name);
    const dup = this.#dups.get(ev.name) ?? 0;
    if (dup > 0) {
      if (dup === 1) this.#dups.delete(ev.name);
      else this.#dups.set(ev.name, dup - 1);
    }
    const deliver = () => {
      const sinks = [...this.sinks];
      for (const s of sinks) s.offer(ev);
      if (dup > 0) for (const s of sinks) s.offer(ev);
    };
    if (ms !== undefined) this.timers.after(ms, deliver);
    else deliver();
  }

  view(ch: SimChannel): ChannelView {
    return {
      uuid: ch.uuid, name: ch.name, state: ch.ended ? 'CS_DESTROY' : ch.state,
      variables: Object.fromEntries(ch.vars), hangupCause: ch.hangupCause, answeredUs: ch.answeredUs, hangupUs: ch.hangupUs,
    };
  }

  /** The switch is gone: calls, timers and faults cleared; the next start is a new core (restart). */
  reset(): void {
    this.coreUuid = randomUUID();
    this.shutdownRequested = false;
    this.#seq = 0;
    this.timers.clear();
    this.channels.clear();
    this.calls.clear();
    this.predictive.clear();
    this.#delays.clear();
    this.#dups.clear();
  }
}

/** The predictive call one of whose legs (loopback-a, loopback-b, the SIP leg) is `uuid`. */
export function predictiveOf(sw: SimSwitch, uuid: string): PredictiveCall | undefined {
  return sw.predictive.get(uuid) ?? [...sw.predictive.values()].find((c) => c.holds(uuid));
}
