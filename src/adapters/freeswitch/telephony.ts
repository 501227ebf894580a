/*
 * FreeSWITCH implementation of the telephony port (src/app/ports/telephony.ts): one inbound
 * connection per node (F2, F3), the outbound socket server, registrations and the reconciliation
 * after a reconnect (missed events are not replayed: ask `uuid_exists`, settle what ended), and the
 * calls followed on the inbound connection after their outbound socket was lost (LegWatch).
 */
import type { Logger } from 'pino';
import type { FreeSwitchNode } from '../../config.js';
import type { NodeFact } from '../../domain/dial-reason.js';
import type {
  AdoptedCall, AgentLegRequest, ConnectResult, HeldCall, MemberLegRequest, NailedLegRequest, OriginateResult, PredictiveEnd, Telephony, TelephonyEvent, TelephonyHandler,
} from '../../app/ports/telephony.js';
import { followAdoptedCall, heldCallOfDump } from './adopted-call.js';
import type { EslEvent } from './event-parser.js';
import { HangupWatch } from './hangup-watch.js';
import { LegWatch } from './leg-watch.js';
import { LiveLegs } from './live-legs.js';
import { NodeConnection, type ReconnectOptions } from './node-connection.js';
import { Originator, type OriginatorOptions } from './originate.js';
import { memberLegCommand, nailedLegCommand, PredictiveLegs, RING_MARGIN_SEC } from './predictive-legs.js';
import { OutboundServer, splitHostPort } from './outbound-server.js';
import { Registrations } from './registrations.js';
import { DEFAULT_SERVICE_CODES, type ServiceCodeMap } from './service-codes.js';
import { DEFAULT_SESSION_TIMEOUTS, type SessionContext, type SessionTimeouts } from './session-context.js';

export interface FreeSwitchTelephonyOptions {
  nodes: FreeSwitchNode[];
  /** `listen`: where the outbound server binds; `advertise`: the address put in `&socket(…)`. Port 0 on both: a free port. */
  outbound: { listen: string; advertise: string };
  sofiaProfile: string;
  /** Dialplan context of the subscriber route, used as `loopback/<number>/<routeContext>`. */
  routeContext: string;
  /** The root logger: the adapter binds `component: freeswitch` itself. */
  log: Logger;
  /** @defaultValue DEFAULT_SERVICE_CODES (`*100` login, `*101` logout, `*102` break) */
  serviceCodes?: ServiceCodeMap;
  reconnect?: ReconnectOptions;
  originate?: OriginatorOptions;
  session?: Partial<SessionTimeouts>;
  /** Deadline of every `api` command. @defaultValue 5000 (ms) */
  apiTimeoutMs?: number;
  /** How long an answered leg whose hangup came before any socket session waits for one. @defaultValue 3000 (ms) */
  sessionGraceMs?: number;
}

export class FreeSwitchTelephony implements Telephony {
  readonly #nodes = new Map<string, NodeConnection>();
  readonly #coreUuids = new Map<string, string>();
  /** node → the connection (NodeConnection.attempts) whose registration resync is done: only then is it offered calls (A2) */
  readonly #synced = new Map<string, number>();
  readonly #legs = new LiveLegs();
  readonly #hangups = new HangupWatch();
  readonly #watch: LegWatch;
  /** Legs of calls given up while their node was unreachable (uuid → node): checked when it is back. */
  readonly #givenUp = new Map<string, string>();
  readonly #originator: Originator;
  readonly #predictive: PredictiveLegs;
  readonly #ctx: SessionContext;
  readonly #registrations: Registrations;
  readonly #server: OutboundServer;
  readonly #log: Logger;
  readonly #apiMs: number;
  #handler: TelephonyHandler | null = null;
  #advertise: string;
  #closing: Promise<void> | null = null;
  /** When each node was last seen change between up and down (nodeHealth). */
  readonly #health = new Map<string, { up: boolean; since: Date }>();

  constructor(private readonly o: FreeSwitchTelephonyOptions) {
    // One key, one meaning: `component` names the subsystem once; its parts use other keys (`node`, `side`).
    this.#log = o.log.child({ component: 'freeswitch' });
    this.#apiMs = o.apiTimeoutMs ?? 5_000;
    this.#advertise = o.outbound.advertise;
    this.#originator = new Originator((n) => this.#nodes.get(n), () => this.#advertise, this.#log, o.originate);
    this.#predictive = new PredictiveLegs((n) => this.#nodes.get(n), (ev) => this.#emit(ev), this.#log.child({ side: 'predictive' }), { apiTimeoutMs: this.#apiMs });
    this.#registrations = new Registrations(o.sofiaProfile, (ev) => this.#emit(ev), this.#log, this.#apiMs);
    this.#watch = new LegWatch({
      hangups: this.#hangups,
      exists: (n, u) => this.exists(n, u),
      lastEventAt: (n) => this.#nodes.get(n)?.lastEventAt ?? null,
    });
    const ctx: SessionContext = {
      handler: { planBridge: (a, u) => this.#h().planBridge(a, u), onServiceCode: (n, s, c) => this.#h().onServiceCode(n, s, c), onEvent: (e) => this.#emit(e) },
      emit: (ev) => this.#emit(ev),
      legs: this.#legs,
      hangups: this.#hangups,
      watch: this.#watch,
      kill: (n, u, c) => this.kill(n, u, c),
      exists: (n, u) => this.exists(n, u),
      givenUp: (n, uuids) => {
        for (const u of uuids) this.#givenUp.set(u, n);
        if (this.#givenUp.size > 10_000) this.#givenUp.delete(this.#givenUp.keys().next().value!);
      },
      originator: this.#originator,
      routeContext: o.routeContext,
      serviceCodes: o.serviceCodes ?? DEFAULT_SERVICE_CODES,
      nodeOf: (core, sipUser, remote) => this.#nodeOf(core, sipUser, remote),
      timeouts: { ...DEFAULT_SESSION_TIMEOUTS, ...o.session },
      log: this.#log.child({ side: 'outbound' }),
    };
    this.#ctx = ctx;
    this.#server = new OutboundServer(ctx);
  }

  /** Address FreeSWITCH is told to connect to (the bound port when configured as 0). */
  get advertise(): string {
    return this.#advertise;
  }

  async start(handler: TelephonyHandler): Promise<void> {
    if (this.#handler) throw new Error('FreeSwitchTelephony.start() called twice');
    this.#handler = handler;
    const bound = await this.#server.start(this.o.outbound.listen);
    const [advHost, advPort] = splitHostPort(this.o.outbound.advertise);
    if (advPort === 0) this.#advertise = `${advHost}:${bound.port}`;
    for (const node of this.o.nodes) {
      const conn = new NodeConnection(node, this.#log.child({ node: node.name }), this.o.reconnect);
      this.#nodes.set(node.name, conn);
      conn.onEvent((ev) => this.#onNodeEvent(conn, ev));
      conn.onUp((reconnected) => void this.#onUp(conn, reconnected));
      // A missed CHANNEL_HANGUP_COMPLETE of a followed leg is noticed at the next heartbeat.
      conn.onBeat(() => this.#watch.recheck(node.name));
      conn.onDown((reason) => void this.#emit({ kind: 'node-down', node: node.name, reason }));
      // The switch's own notice: not offered from now on; calls in progress end as they will.
      conn.onShutdown((reason) => void this.#emit(reason === null
        ? { kind: 'node-up', node: node.name, reconnected: false }
        : { kind: 'node-down', node: node.name, reason }));
      conn.start();
    }
    this.nodeHealth(); // a node never reached is down since the start
  }

  originateAgent(req: AgentLegRequest): Promise<OriginateResult> {
    return this.#originator.originate(req).then((r) => {
      if (r.kind === 'answered') this.#legs.track(req.legUuid, req.node, req.attemptId);
      return r;
    });
  }

  originateNailedLeg(req: NailedLegRequest): Promise<OriginateResult> {
    // tracked before the send: a phone that answers and hangs up at once still reports
    this.#predictive.trackNailed(req.legUuid, req.agentId, req.node);
    return this.#originator.originateLeg({
      attemptId: 0, legUuid: req.legUuid, node: req.node, ringSec: req.ringSec, sipUser: req.sipUser, build: () => nailedLegCommand(req),
    });
  }

  originateMemberLeg(req: MemberLegRequest): Promise<OriginateResult> {
    this.#predictive.trackMember(req.legUuid, req.attemptId, req.node);
    return this.#originator.originateLeg({
      attemptId: req.attemptId, legUuid: req.legUuid, node: req.node, ringSec: req.minRingSec + RING_MARGIN_SEC, sipUser: null,
      settleOnAnswer: true, build: () => memberLegCommand(req, this.o.routeContext),
    });
  }

  connectMemberLeg(node: string, memberUuid: string, agentLegUuid: string): Promise<ConnectResult> {
    return this.#predictive.connect(node, memberUuid, agentLegUuid);
  }

  abandonMemberLeg(node: string, memberUuid: string): Promise<ConnectResult> {
    return this.#predictive.abandon(node, memberUuid);
  }

  followMemberLeg(node: string, memberUuid: string, attemptId: number): void {
    this.#predictive.trackMember(memberUuid, attemptId, node);
    // ended between the look that found it and now: the reconnect check's logic reports it
    void this.exists(node, memberUuid).then((alive) => {
      if (alive === false) void this.#predictive.afterReconnect(node, async (u) => (u === memberUuid ? false : 'unknown'));
    });
  }

  memberLegRecord(node: string, memberUuid: string): Promise<PredictiveEnd | null | 'unknown'> {
    return this.#predictive.record(node, memberUuid);
  }

  memberLegRecords(node: string): Promise<{ ends: PredictiveEnd[]; more: boolean } | 'unknown'> {
    return this.#predictive.records(node);
  }

  forgetMemberLeg(node: string, memberUuid: string): Promise<boolean> {
    return this.#predictive.forget(node, memberUuid);
  }

  moduleLoaded(node: string, module: string): Promise<boolean | 'unknown'> {
    return this.#predictive.moduleLoaded(node, module);
  }

  async exists(node: string, uuid: string): Promise<boolean | 'unknown'> {
    const conn = this.#nodes.get(node);
    if (!conn?.isUp) return 'unknown';
    try {
      const body = (await conn.api(`uuid_exists ${uuid}`, this.#apiMs)).trim();
      return body === 'true' ? true : body === 'false' ? false : 'unknown';
    } catch {
      return 'unknown';
    }
  }

  async inspect(node: string, agentLegUuid: string): Promise<HeldCall> {
    const conn = this.#nodes.get(node);
    if (!conn?.isUp) return { kind: 'unknown' };
    let held: HeldCall;
    try {
      held = heldCallOfDump(await conn.api(`uuid_dump ${agentLegUuid}`, this.#apiMs));
    } catch {
      return { kind: 'unknown' };
    }
    if (held.kind !== 'bridged') return held;
    const alive = await this.exists(node, held.memberUuid);
    return alive === true ? held : alive === false ? { kind: 'unbridged', agentAnswered: true } : { kind: 'unknown' };
  }

  adopt(call: AdoptedCall): void {
    followAdoptedCall(this.#ctx, call)
      .catch((err) => this.#log.error({ err, attemptId: call.attemptId }, 'following an adopted call failed'));
  }

  async kill(node: string, uuid: string, cause: string): Promise<void> {
    const conn = this.#nodes.get(node);
    if (!conn?.isUp) return;
    try {
      const body = await conn.api(`uuid_kill ${uuid} ${/^[A-Z_]+$/.test(cause) ? cause : 'NORMAL_CLEARING'}`, this.#apiMs);
      if (body.startsWith('-ERR') && !/No such channel/i.test(body)) this.#log.warn({ node, uuid, reply: body.trim() }, 'uuid_kill refused');
    } catch (err) {
      this.#log.warn({ err, node, uuid }, 'uuid_kill failed');
    }
  }

  /** Nodes that are connected, not shutting down, and whose registrations were read again on this connection. */
  upNodes(): string[] {
    return [...this.#nodes.values()]
      .filter((c) => c.isUp && c.shuttingDown === null && this.#synced.get(c.name) === c.attempts).map((c) => c.name);
  }

  /** Each node's state as upNodes() sees it, with when this process first saw it so. */
  nodeHealth(): NodeFact[] {
    const up = new Set(this.upNodes());
    return this.o.nodes.map(({ name }) => {
      const was = this.#health.get(name);
      const now = { up: up.has(name), since: was?.since ?? new Date() };
      if (was && was.up !== now.up) now.since = new Date();
      if (!was || was.up !== now.up) this.#health.set(name, now);
      return { node: name, ...now };
    });
  }

  /** Legs followed on the inbound connections after their outbound socket was lost (inspection and tests). */
  get followedLegs(): number {
    return this.#watch.size;
  }

  /** The inbound connection of a node (inspection and tests). */
  connection(node: string): NodeConnection | undefined {
    return this.#nodes.get(node);
  }

  close(): Promise<void> {
    return (this.#closing ??= this.#shutdown());
  }

  async #shutdown(): Promise<void> {
    // Calls followed after a lost socket are left live: the recovery of their attempts deals with them (S3).
    this.#watch.stopAll();
    try {
      await this.#server.close();
    } catch (err) {
      this.#log.warn({ err }, 'closing the outbound server failed');
    }
    this.#originator.close();
    for (const conn of this.#nodes.values()) conn.close();
  }

  #h(): TelephonyHandler {
    if (!this.#handler) throw new Error('FreeSwitchTelephony used before start()');
    return this.#handler;
  }

  /** Also while closing: results of calls that end during shutdown must still reach the engine. */
  async #emit(ev: TelephonyEvent): Promise<void> {
    if (ev.kind === 'node-up' || ev.kind === 'node-down') this.nodeHealth(); // notes when it changed
    if (!this.#handler) return;
    try {
      await this.#handler.onEvent(ev);
    } catch (err) {
      this.#log.error({ err, event: ev.kind }, 'telephony event handler failed');
    }
  }

  #onNodeEvent(conn: NodeConnection, ev: EslEvent): void {
    const core = ev.headers['Core-UUID'];
    if (core) this.#coreUuids.set(core, conn.name);
    this.#originator.onEvent(ev);
    this.#registrations.onEvent(conn.name, ev);
    this.#hangups.onEvent(ev);
    this.#predictive.onEvent(conn.name, ev);
    if (ev.name === 'CHANNEL_HANGUP_COMPLETE') this.#maybeSettleWithoutSession(ev);
  }

  /** An answered leg that ended before any socket session took it (e.g. hung up at once). */
  #maybeSettleWithoutSession(ev: EslEvent): void {
    const uuid = ev.headers['Unique-ID'];
    const leg = uuid ? this.#legs.get(uuid) : undefined;
    if (!leg || leg.everSession) return;
    const timer = setTimeout(() => {
      const now = this.#legs.get(leg.legUuid);
      if (!now || now.everSession || !this.#legs.settle(leg.legUuid)) return;
      const cause = ev.headers['Hangup-Cause'] ?? 'NORMAL_CLEARING';
      void this.#emit({ kind: 'agent-hangup', attemptId: leg.attemptId, agentLegUuid: leg.legUuid, cause, at: new Date() });
    }, this.o.sessionGraceMs ?? 3_000);
    timer.unref();
  }

  async #onUp(conn: NodeConnection, reconnected: boolean): Promise<void> {
    // A2: registrations of the gap (a restart forgets them all) are read before the node is
    // offered calls again, so no agent is dispatched on a registration that is gone.
    const connection = conn.attempts;
    // Events of the gap are lost: the legs followed there are asked about again.
    this.#watch.recheck(conn.name);
    const synced = await this.#registrations.resync(conn);
    // Not read, or lost again meanwhile: the next connection's own resync announces the node.
    if (!synced || !conn.isUp || conn.attempts !== connection) return;
    await this.#hangUpGivenUp(conn.name);
    this.#synced.set(conn.name, connection);
    await this.#emit({ kind: 'node-up', node: conn.name, reconnected });
    if (!reconnected) return;
    await this.#originator.afterReconnect(conn, (sipUser) => this.#registrations.nodesOf(sipUser).includes(conn.name));
    await this.#predictive.afterReconnect(conn.name, (uuid) => this.exists(conn.name, uuid));
    for (const leg of this.#legs.on(conn.name)) {
      // A leg driven by a socket session reports there (separate TCP connection); others are asked.
      if (leg.session) continue;
      const alive = await this.exists(conn.name, leg.legUuid);
      if (alive === false && this.#legs.settle(leg.legUuid)) {
        this.#log.warn({ legUuid: leg.legUuid, attemptId: leg.attemptId }, 'leg ended while the event socket was down');
        await this.#emit({ kind: 'agent-hangup', attemptId: leg.attemptId, agentLegUuid: leg.legUuid, cause: 'UNKNOWN', at: new Date() });
      }
    }
  }

  /**
   * S3: a call whose end could not be known while its node was unreachable was settled, and its
   * agent and member may be dialled again: before the node is offered calls again, whatever is
   * left of it is hung up, so that nobody is in two calls at once.
   */
  async #hangUpGivenUp(node: string): Promise<void> {
    for (const [uuid, n] of [...this.#givenUp]) {
      if (n !== node) continue;
      const alive = await this.exists(node, uuid);
      if (alive === 'unknown') continue;
      this.#givenUp.delete(uuid);
      if (!alive) continue;
      this.#log.warn({ node, uuid }, 'a call given up while its node was unreachable is still up: hanging it up');
      await this.kill(node, uuid, 'NORMAL_CLEARING');
    }
  }

  #nodeOf(core: string | null, sipUser: string | null, remote: string | null): string {
    const byCore = core ? this.#coreUuids.get(core) : undefined;
    if (byCore) return byCore;
    const byReg = sipUser ? this.#registrations.nodesOf(sipUser) : [];
    if (byReg.length === 1) return byReg[0]!;
    const byHost = this.o.nodes.filter((n) => remote !== null && remote.replace(/^::ffff:/, '') === n.host);
    if (byHost.length === 1) return byHost[0]!.name;
    return byReg[0] ?? byHost[0]?.name ?? this.o.nodes[0]?.name ?? 'unknown';
  }
}
