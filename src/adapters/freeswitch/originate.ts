/*
 * The agent leg (DESIGN §2 step 3, A4, F2): `bgapi originate {…}user/<agent>
 * '&socket(<our outbound server> async full)'` with our own origination_uuid and Job-UUID.
 *
 * - Result: BACKGROUND_JOB `+OK <uuid>` at answer or `-ERR <CAUSE>`; its order with the
 *   CHANNEL_HANGUP events is not fixed (04e), so only the job (or the leg reaching our outbound
 *   socket, which proves the answer) settles it.
 * - Every originate has a deadline (ring time + margin) → `unknown`.
 * - F2: a leg uuid is sent at most once by this process. After a reconnect a pending leg is
 *   checked with `uuid_exists`: alive → keep waiting (its BACKGROUND_JOB reaches the new
 *   connection, jobs are broadcast to every subscriber); gone → what we saw before the drop
 *   (answer, hangup cause), USER_NOT_REGISTERED when the resync no longer lists the phone, or
 *   `unknown` (the engine frees the agent without a penalty).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AgentLegRequest, OriginateResult } from '../../app/ports/telephony.js';
import { bracketBlock, sanitizeValue, splitVariables } from './channel-vars.js';
import { parseBackgroundJob, type EslEvent } from './event-parser.js';
import { NodeDownError, type NodeConnection } from './node-connection.js';

/** Variables the adapter sets itself; a request cannot override them. */
const RESERVED = new Set(['origination_uuid', 'originate_timeout', 'ignore_early_media', 'dialer_attempt_id', 'continue_on_fail', 'hangup_after_bridge']);
const SIP_USER = /^[A-Za-z0-9_.+-]+@[A-Za-z0-9_.:[\]-]+$/;

export type OriginateCommand = { kind: 'ok'; command: string; dropped: { name: string; reason: string }[] } | { kind: 'invalid'; reason: string };

/** Builds the originate arguments (after `bgapi `). Pure. */
export function originateCommand(req: AgentLegRequest, advertise: string): OriginateCommand {
  if (!SIP_USER.test(req.sipUser)) return { kind: 'invalid', reason: `sip user ${JSON.stringify(req.sipUser)} is not ext@domain` };
  if (!/^[0-9a-fA-F-]{36}$/.test(req.legUuid)) return { kind: 'invalid', reason: 'leg uuid is not a uuid' };
  const own: [string, string][] = [
    ['origination_uuid', req.legUuid],
    ['originate_timeout', String(Math.max(1, Math.round(req.ringSec)))],
    ['ignore_early_media', 'true'],
    ['dialer_attempt_id', String(req.attemptId)],
    // For the bridge agent-call.ts runs on this leg: a failed bridge leaves the agent up (else
    // FreeSWITCH hangs it up with the subscriber's cause, 05b), and the leg ends with its bridge.
    // Set here rather than by two `set`s on the socket: a variable of the originate is a channel
    // variable like one `set` there (real 1.10.12: `bridge error/USER_BUSY` left the leg up with
    // continue_on_fail=true in the originate, hung it up USER_BUSY without), and each `set` cost a
    // command round trip and a CHANNEL_EXECUTE_COMPLETE of the whole channel.
    ['continue_on_fail', 'true'],
    ['hangup_after_bridge', 'true'],
    ['origination_caller_id_number', sanitizeValue(req.callerIdNumber).trim() || '0000000000'],
    ['origination_caller_id_name', sanitizeValue(req.callerIdName).trim() || 'Dialer'],
  ];
  const extra = Object.fromEntries(Object.entries(req.variables).filter(([k]) => !RESERVED.has(k) && !k.startsWith('origination_caller_id_')));
  const { accepted, rejected } = splitVariables(extra);
  const command = `originate ${bracketBlock([...own, ...accepted])}user/${req.sipUser} '&socket(${advertise} async full)'`;
  return { kind: 'ok', command, dropped: rejected };
}

export interface OriginatorOptions {
  /** Added to the ring time for the originate deadline. @defaultValue 10 (s) */
  marginSec?: number;
  /** Deadline for FreeSWITCH to accept the bgapi. @defaultValue 5000 (ms) */
  ackTimeoutMs?: number;
  /** Deadline of `uuid_exists` after a reconnect. @defaultValue 3000 (ms) */
  existsTimeoutMs?: number;
}

/**
 * One leg to originate, whatever its kind: the agent leg (A4), a nailed-up agent leg or a
 * predictive subscriber leg (P3). `sipUser`: the phone, when the leg rings one (its registration
 * explains a lost USER_NOT_REGISTERED after a reconnect). `settleOnAnswer`: the outcome is given
 * at CHANNEL_ANSWER, which comes before the job's `+OK` (09), for legs where every millisecond
 * after the answer counts.
 */
export interface LegOrder {
  attemptId: number;
  legUuid: string;
  node: string;
  ringSec: number;
  sipUser: string | null;
  settleOnAnswer?: boolean;
  build: (advertise: string) => OriginateCommand;
}

interface Pending {
  req: LegOrder;
  jobUuid: string;
  settle: (r: OriginateResult) => void;
  answered: boolean;
  cause: string | null;
}

export class Originator {
  readonly #byLeg = new Map<string, Pending>();
  readonly #legOfJob = new Map<string, string>();
  /** Legs this process sent, with when; F2 forbids a second send of the same uuid. */
  readonly #sent = new Map<string, { atMs: number; result: Promise<OriginateResult> }>();
  readonly #o: Required<OriginatorOptions>;

  constructor(
    private readonly connection: (node: string) => NodeConnection | undefined,
    private readonly advertise: () => string,
    private readonly log: Logger,
    opts: OriginatorOptions = {},
  ) {
    this.#o = { marginSec: opts.marginSec ?? 10, ackTimeoutMs: opts.ackTimeoutMs ?? 5_000, existsTimeoutMs: opts.existsTimeoutMs ?? 3_000 };
  }

  originate(req: AgentLegRequest): Promise<OriginateResult> {
    return this.originateLeg({ ...req, build: (advertise) => originateCommand(req, advertise) });
  }

  /** F2 for any leg: each uuid is sent at most once by this process. */
  originateLeg(req: LegOrder): Promise<OriginateResult> {
    this.#prune();
    const prior = this.#sent.get(req.legUuid);
    if (prior) return prior.result;
    const result = this.#originate(req);
    this.#sent.set(req.legUuid, { atMs: Date.now(), result });
    return result;
  }

  /** Legs still waiting for their outcome on a node. */
  pendingOn(node: string): string[] {
    return [...this.#byLeg.values()].filter((p) => p.req.node === node).map((p) => p.req.legUuid);
  }

  /** Node of a leg still waiting for its outcome. */
  nodeOfPending(legUuid: string): string | undefined {
    return this.#byLeg.get(legUuid)?.req.node;
  }

  /** The leg reached our outbound socket: it was answered, whatever the job says later. */
  markAnswered(legUuid: string): void {
    this.#byLeg.get(legUuid)?.settle({ kind: 'answered', legUuid });
  }

  onEvent(ev: EslEvent): void {
    const job = parseBackgroundJob(ev);
    if (job) {
      const leg = this.#legOfJob.get(job.jobUuid);
      const p = leg ? this.#byLeg.get(leg) : undefined;
      if (!p) return;
      p.settle(job.kind === 'ok' ? { kind: 'answered', legUuid: p.req.legUuid } : { kind: 'failed', legUuid: p.req.legUuid, cause: job.cause });
      return;
    }
    const uuid = ev.headers['Unique-ID'];
    const p = uuid ? this.#byLeg.get(uuid) : undefined;
    if (!p) return;
    if (ev.name === 'CHANNEL_ANSWER') p.answered = true;
    if (ev.name === 'CHANNEL_ANSWER' && p.req.settleOnAnswer) p.settle({ kind: 'answered', legUuid: p.req.legUuid });
    if (ev.name === 'CHANNEL_HANGUP_COMPLETE' && ev.headers['Hangup-Cause']) p.cause = ev.headers['Hangup-Cause'];
  }

  /**
   * After a reconnect: ask FreeSWITCH about each pending leg of that node, never re-send (F2).
   * `registered` answers from the registrations read on this connection.
   */
  async afterReconnect(conn: NodeConnection, registered: (sipUser: string) => boolean = () => true): Promise<void> {
    for (const leg of this.pendingOn(conn.name)) {
      const p = this.#byLeg.get(leg);
      if (!p) continue;
      let body: string;
      try {
        body = (await conn.api(`uuid_exists ${leg}`, this.#o.existsTimeoutMs)).trim();
      } catch (err) {
        this.log.warn({ err, legUuid: leg }, 'uuid_exists failed after reconnect; the deadline will settle the leg');
        continue;
      }
      if (body === 'true') continue;
      if (p.answered) p.settle({ kind: 'answered', legUuid: leg });
      else if (p.cause) p.settle({ kind: 'failed', legUuid: leg, cause: p.cause });
      // Its `-ERR USER_NOT_REGISTERED` (a job without any channel event) fell in the gap.
      else if (p.req.sipUser !== null && !registered(p.req.sipUser)) p.settle({ kind: 'failed', legUuid: leg, cause: 'USER_NOT_REGISTERED' });
      else p.settle({ kind: 'unknown', legUuid: leg, reason: 'leg gone after the event socket reconnected' });
    }
  }

  close(): void {
    for (const p of [...this.#byLeg.values()]) p.settle({ kind: 'unknown', legUuid: p.req.legUuid, reason: 'adapter closing' });
  }

  async #originate(req: LegOrder): Promise<OriginateResult> {
    const log = this.log.child({ attemptId: req.attemptId, legUuid: req.legUuid, node: req.node });
    const conn = this.connection(req.node);
    // A switch that announced its shutdown is down for new calls (a claim made just before the notice).
    if (!conn?.isUp || conn.shuttingDown !== null) return { kind: 'failed', legUuid: req.legUuid, cause: 'NODE_DOWN' };
    const cmd = req.build(this.advertise());
    if (cmd.kind === 'invalid') {
      log.error({ reason: cmd.reason }, 'originate refused');
      return { kind: 'failed', legUuid: req.legUuid, cause: 'INVALID_NUMBER_FORMAT' };
    }
    for (const d of cmd.dropped) log.warn({ variable: d.name, reason: d.reason }, 'channel variable not passed to FreeSWITCH');
    const jobUuid = randomUUID();
    const done = new Promise<OriginateResult>((resolve) => {
      const timer = setTimeout(
        () => p.settle({ kind: 'unknown', legUuid: req.legUuid, reason: 'no BACKGROUND_JOB before the deadline' }),
        (req.ringSec + this.#o.marginSec) * 1000,
      );
      const p: Pending = {
        req,
        jobUuid,
        answered: false,
        cause: null,
        settle: (r) => {
          if (this.#byLeg.get(req.legUuid) !== p) return;
          clearTimeout(timer);
          this.#byLeg.delete(req.legUuid);
          this.#legOfJob.delete(jobUuid);
          resolve(r);
        },
      };
      // Stored before sending: a BACKGROUND_JOB can arrive before bgapi's promise resolves.
      this.#byLeg.set(req.legUuid, p);
      this.#legOfJob.set(jobUuid, req.legUuid);
    });
    try {
      await conn.bgapi(cmd.command, jobUuid, this.#o.ackTimeoutMs);
      log.debug({ jobUuid }, 'originate sent');
    } catch (err) {
      if (err instanceof NodeDownError) {
        this.#byLeg.get(req.legUuid)?.settle({ kind: 'failed', legUuid: req.legUuid, cause: 'NODE_DOWN' });
      } else {
        // Possibly received by FreeSWITCH: never re-send; reconnect check or deadline settles it.
        log.warn({ err }, 'originate not acknowledged; waiting for its outcome');
      }
    }
    const r = await done;
    log.info({ outcome: r.kind, cause: r.kind === 'failed' ? r.cause : undefined }, req.sipUser !== null ? 'agent leg outcome' : 'subscriber leg outcome');
    return r;
  }

  #prune(): void {
    const old = Date.now() - 6 * 3600_000;
    for (const [leg, s] of this.#sent) {
      if (s.atMs >= old) break;
      if (!this.#byLeg.has(leg)) this.#sent.delete(leg);
    }
  }
}
