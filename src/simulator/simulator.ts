// The FreeSWITCH simulator: a real TCP event socket (inbound) that also dials out to the app's
// outbound socket server, driven by scripted phones. See README of reference/freeswitch-esl.
import net from 'node:net';
import { EventEmitter } from 'node:events';
import { pino, type Logger } from 'pino';
import type { AgentScript, SimulatorOptions, SubscriberScript } from './types.js';
import { SimSwitch, type ChannelView, type OriginateRecord } from './sim-switch.js';
import { InboundSession } from './inbound-session.js';
import { dialServiceCode, type ServiceDialOptions } from './service-call.js';
import { OutboundSession } from './outbound-session.js';

export class Simulator extends EventEmitter {
  readonly #sw: SimSwitch;
  readonly #log: Logger;
  #server: net.Server | null = null;
  readonly #sessions = new Set<InboundSession>();
  #port: number;
  #closing: Promise<void> | null = null;

  constructor(opts: SimulatorOptions = {}) {
    super();
    this.#log = opts.log ?? pino({ level: 'silent' });
    this.#port = opts.port ?? 0;
    this.#sw = new SimSwitch({
      host: opts.host ?? '127.0.0.1', port: this.#port, password: opts.password ?? 'ClueCon',
      profile: opts.profile ?? 'internal', domain: opts.domain ?? '127.0.0.1', hostname: opts.hostname ?? 'fs-sim',
      agentContextSocket: opts.agentContextSocket ?? '127.0.0.1:8084', routeCallTimeoutSec: opts.routeCallTimeoutSec ?? 60,
      abandonMessageMs: opts.abandonMessageMs ?? 3000,
    }, opts.scenario ?? {}, this.#log, this);
  }

  async start(): Promise<{ host: string; port: number }> {
    const server = net.createServer((socket) => {
      const s = new InboundSession(this.#sw, socket, (gone) => this.#sessions.delete(gone));
      this.#sessions.add(s);
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, this.#sw.opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address() as net.AddressInfo;
    this.#port = addr.port;
    this.#sw.startedAtMs = Date.now();
    this.#log.info({ host: this.#sw.opts.host, port: this.#port }, 'simulator listening');
    return { host: this.#sw.opts.host, port: this.#port };
  }

  close(): Promise<void> {
    return (this.#closing ??= this.#shutdown());
  }

  async #shutdown(): Promise<void> {
    await this.#stopAll();
  }

  async #stopAll(): Promise<void> {
    for (const call of [...this.#sw.calls.values()]) {
      try { call.vanish(); } catch (err) { this.#log.warn({ err }, 'call cleanup failed'); }
    }
    for (const s of [...this.#sessions]) s.destroy();
    this.#sessions.clear();
    for (const sink of [...this.#sw.sinks]) if (sink instanceof OutboundSession) sink.destroy();
    this.#sw.sinks.clear();
    this.#sw.reset();
    const server = this.#server;
    this.#server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** All channels gone, all connections dropped, then listening again on the same port. */
  async restart(): Promise<void> {
    await this.#stopAll();
    await this.start();
  }

  /**
   * FreeSWITCH shuts down as 07a/07b show. `now` (`fsctl shutdown`, fs_cli `shutdown`) and
   * `restart`: SHUTDOWN, every call hung up with SYSTEM_SHUTDOWN, then after `noticeMs` (~800 ms
   * on the real switch) the notice "The system is being shut down." and the connections close;
   * `restart` listens again with a new Core-UUID. `elegant`: SHUTDOWN_REQUESTED at once, calls go
   * on (and new ones are still accepted), and the shutdown itself comes when the last channel is
   * gone; cancelShutdown() sends nothing. Resolves when the switch is down (or back, for restart).
   */
  shutdown(mode: 'now' | 'elegant' | 'restart' = 'now', noticeMs = 800): Promise<void> {
    const sw = this.#sw;
    sw.shutdownRequested = true;
    if (mode !== 'elegant') return this.#goDown(mode === 'restart', noticeMs);
    sw.coreEvent('SHUTDOWN_REQUESTED', ['switch_core.c', 'switch_core_session_ctl', '2822'], 'elegant');
    return new Promise<void>((resolve, reject) => {
      const check = () => {
        if (sw.shutdownRequested && sw.channels.size > 0) return;
        this.off('channel-hangup', check);
        if (sw.shutdownRequested) this.#goDown(false, noticeMs).then(resolve, reject);
        else resolve();
      };
      this.on('channel-hangup', check);
      check();
    });
  }

  /** `fsctl shutdown cancel` during an elegant shutdown: no event (07b); shutdown_check says false. */
  cancelShutdown(): void {
    this.#sw.shutdownRequested = false;
    this.emit('channel-hangup'); // wakes a pending elegant shutdown(), which then resolves
  }

  async #goDown(restart: boolean, noticeMs: number): Promise<void> {
    const sw = this.#sw;
    sw.coreEvent('SHUTDOWN', ['switch_core.c', 'switch_core_destroy', '3023'], 'System Shutting Down');
    for (const call of [...sw.predictive.values()]) call.hangup('SYSTEM_SHUTDOWN', 'local');
    for (const call of [...sw.calls.values()]) call.hangup('SYSTEM_SHUTDOWN');
    await new Promise((r) => setTimeout(r, noticeMs));
    for (const s of [...this.#sessions]) s.shutDown();
    await this.#stopAll();
    if (restart) await this.start();
  }

  // ---- scripts ----

  setAgent(sipUser: string, s: AgentScript): void {
    this.#sw.setAgent(sipUser, s);
  }

  setSubscriber(number: string, s: SubscriberScript): void {
    this.#sw.subscribers.set(number, s);
  }

  /** The script of every number that has none of its own (the scenario's defaultSubscriber). */
  setDefaultSubscriber(s: SubscriberScript): void {
    this.#sw.defaultSubscriber = s;
  }

  /** CUSTOM sofia::register, as 02 shows it. */
  register(sipUser: string): void {
    const key = this.#sw.userKey(sipUser);
    this.#sw.markRegistered(key, true);
    const [ext = '', domain = ''] = key.split('@');
    this.#sw.custom('sofia::register', ['sofia_reg.c', 'sofia_reg_handle_register_token', '2059'], [
      ['profile-name', this.#sw.opts.profile], ['from-user', ext], ['from-host', domain], ['presence-hosts', 'n/a'],
      ['contact', `"" <sip:${ext}@127.0.0.1:5080>`], ['call-id', `${Date.now()}@127.0.0.1`], ['rpid', 'unknown'],
      ['status', 'Registered(UDP)'], ['expires', '600'], ['to-user', ext], ['to-host', domain], ['network-ip', '127.0.0.1'],
      ['network-port', '5080'], ['username', ext], ['realm', domain], ['user-agent', 'SIPp-reg'], ...this.#userVars(ext, domain),
    ]);
  }

  /** CUSTOM sofia::unregister (expires 0). */
  unregister(sipUser: string): void {
    const key = this.#sw.userKey(sipUser);
    this.#sw.markRegistered(key, false);
    const [ext = '', domain = ''] = key.split('@');
    this.#sw.custom('sofia::unregister', ['sofia_reg.c', 'sofia_reg_handle_register_token', '2213'], [
      ['profile-name', this.#sw.opts.profile], ['username', ext], ['from-user', ext], ['from-host', domain],
      ['contact', `"" <sip:${ext}@127.0.0.1:5080>`], ['call-id', `${Date.now()}@127.0.0.1`], ['rpid', 'unknown'],
      ['realm', domain], ['network-ip', '127.0.0.1'], ['network-port', '5080'], ['user-agent', 'SIPp-reg'], ['expires', '0'],
      ...this.#userVars(ext, domain),
    ]);
  }

  #userVars(ext: string, domain: string): [string, string][] {
    return [
      ['sip_number_alias', ext], ['sip_auth_username', ext], ['sip_auth_realm', domain], ['number_alias', ext],
      ['user_name', ext], ['domain_name', domain], ['record_stereo', 'true'], ['toll_allow', 'domestic'],
      ['accountcode', ext], ['user_context', 'default'], ['effective_caller_id_name', `Extension ${ext}`],
      ['effective_caller_id_number', ext],
    ];
  }

  /** The phone dials a service number through the shipped dialplan extension (set, answer, socket). */
  dialServiceCode(sipUser: string, code: string, o: ServiceDialOptions = {}): Promise<{ hangupCause: string; played: string[] }> {
    return dialServiceCode(this.#sw, sipUser, code, o);
  }

  // ---- faults ----

  /** Destroys every inbound ESL connection; calls live on (06 A). */
  dropInbound(): void {
    for (const s of [...this.#sessions]) s.destroy();
  }

  /** The outbound socket of a call drops mid-call: a parked leg hangs up, a bridged call goes on (real 1.10.12). */
  closeOutbound(agentLegUuid: string): void {
    const call = this.#sw.calls.get(agentLegUuid);
    const session = call?.session;
    if (session instanceof OutboundSession) session.destroy();
  }

  delayNextEvent(eventName: string, ms: number): void {
    this.#sw.delayNext(eventName, ms);
  }

  duplicateNextEvent(eventName: string): void {
    this.#sw.duplicateNext(eventName);
  }

  // ---- inspection ----

  originates(): OriginateRecord[] {
    return [...this.#sw.originateLog];
  }

  channels(): ChannelView[] {
    return [...this.#sw.channels.values()].map((ch) => this.#sw.view(ch));
  }

  channelLog(): ChannelView[] {
    return this.#sw.allChannels.map((ch) => this.#sw.view(ch));
  }

  /** mod_db's rows of a realm in the switch's core database (`db` api, switch-db.ts). */
  dbRows(realm: string): Map<string, string> {
    return this.#sw.db.rows(realm);
  }

  get port(): number {
    return this.#port;
  }
}
