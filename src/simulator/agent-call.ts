// One call controlled from the switch side: an originated agent leg (park or socket) or a
// phone's service-number call. Owns the leg's lifecycle, the socket app queue and the hangup
// sequence, in the orders the transcripts show (04b/04c/04e, 05a/05b/05d, 06).
import { randomUUID } from 'node:crypto';
import type { SimChannel } from './channel.js';
import { q850Of, type Refusal } from './causes.js';
import type { AppRun } from './event-render.js';
import type { SimSwitch } from './sim-switch.js';
import { startBridge, type BridgeRun } from './bridge-run.js';

export interface AppRequest {
  name: string;
  arg: string;
  eventUuid: string;
}

/** The outbound socket seen from the call (outbound-session.ts). */
export interface ControlSession {
  /** after CHANNEL_HANGUP_COMPLETE: linger notice, or disconnect and close */
  channelGone(): void;
  close(): void;
}

export type CallApp = { kind: 'park' } | { kind: 'socket'; target: string; data: string };

export class AgentCall {
  session: ControlSession | null = null;
  bridge: BridgeRun | null = null;
  readonly played: string[] = [];
  readonly socketAppUuid = randomUUID();
  /** the app sent `resume`: closing the socket leaves the call up */
  resumed = false;
  /** the outbound socket closed while a bridge ran: the leg hangs up when the bridge returns */
  #socketLost = false;
  #queue: AppRequest[] = [];
  #running: { req: AppRequest; run: AppRun } | null = null;
  #ringTimer: NodeJS.Timeout | null = null;
  #endWaiters: (() => void)[] = [];

  constructor(readonly sw: SimSwitch, readonly ch: SimChannel, readonly app: CallApp) {}

  get ended(): boolean {
    return this.ch.ended;
  }

  onEnd(fn: () => void): void {
    if (this.ended) fn();
    else this.#endWaiters.push(fn);
  }

  /** the last B leg, kept for Other-Leg-* headers after it is gone */
  otherLeg: SimChannel | null = null;

  event(name: string, extra: { app?: AppRun; state?: string } = {}): void {
    const other = this.ch.otherUuid ? this.otherLeg : null;
    this.sw.channelEvent({ name, channel: this.ch, other, ...extra });
  }

  ringTimer(t: NodeJS.Timeout): void {
    this.#ringTimer = t;
  }

  markProgress(): void {
    this.ch.progressUs = this.sw.nowUs();
    this.ch.state = 'CS_CONSUME_MEDIA';
    this.event('CHANNEL_PROGRESS');
  }

  markAnswered(): void {
    this.sw.timers.cancel(this.#ringTimer);
    this.ch.answeredUs = this.sw.nowUs();
    this.ch.answerState = 'answered';
    this.ch.setVar('endpoint_disposition', 'ANSWER');
    this.event('CHANNEL_ANSWER');
  }

  // ---- socket app queue: FreeSWITCH runs queued `execute` messages one after another ----

  /** The socket app parks the leg when the app has not queued anything yet (06 B2: CHANNEL_PARK). */
  parkIfIdle(): void {
    if (!this.#running && this.#queue.length === 0 && !this.#executed && !this.ended) this.event('CHANNEL_PARK');
  }

  #executed = false;

  enqueue(req: AppRequest): void {
    this.#executed = true;
    this.#queue.push(req);
    if (!this.#running) this.sw.timers.after(2, () => this.#next());
  }

  #next(): void {
    if (this.#running || this.ended) return;
    const req = this.#queue.shift();
    if (!req) return;
    const run: AppRun = { name: req.name, data: req.arg, uuid: req.eventUuid };
    this.#running = { req, run };
    // every execute re-sets these, which moves them behind earlier `set`s (05a)
    this.ch.setVar('current_loop', '1');
    this.ch.setVar('total_loops', '1');
    this.ch.setVar('current_application', req.name);
    this.ch.setVar('current_application_data', req.arg);
    this.event('CHANNEL_EXECUTE', { app: run });
    switch (req.name) {
      case 'set': case 'export': {
        const eq = req.arg.indexOf('=');
        if (eq > 0) this.ch.setAppVar(req.arg.slice(0, eq), req.arg.slice(eq + 1));
        if (eq > 0 && req.name === 'export') this.ch.exported.set(req.arg.slice(0, eq).replace(/^nolocal:/, ''), req.arg.slice(eq + 1));
        return this.completeApp();
      }
      case 'unset':
        this.ch.vars.delete(req.arg);
        this.ch.appVars.delete(req.arg);
        return this.completeApp();
      case 'answer':
        if (this.ch.answerState !== 'answered') this.markAnswered();
        return this.completeApp();
      case 'playback':
        this.played.push(req.arg);
        this.sw.timers.after(20, () => this.completeApp('FILE PLAYED'));
        return;
      case 'sleep':
        this.sw.timers.after(Number(req.arg) || 0, () => this.completeApp());
        return;
      case 'hangup':
        this.hangup(req.arg.trim() || 'NORMAL_CLEARING');
        return;
      case 'bridge':
        this.bridge = startBridge(this, req.arg);
        return;
      case 'park':
        this.event('CHANNEL_PARK');
        return;
      default:
        return this.completeApp();
    }
  }

  /** CHANNEL_EXECUTE_COMPLETE for the running app, then the next queued one. */
  completeApp(response?: string): void {
    const r = this.#running;
    if (!r) return;
    this.#running = null;
    if (r.req.name === 'bridge') this.bridge = null;
    this.event('CHANNEL_EXECUTE_COMPLETE', { app: { ...r.run, response: response ?? '_none_' } });
    if (this.ended) return;
    // back in the socket app with no socket: it ends the call as for a parked leg
    if (this.#socketLost) this.sw.timers.after(5, () => this.hangup('NORMAL_CLEARING'));
    else this.sw.timers.after(2, () => this.#next());
  }

  /**
   * The outbound socket closed under a live call (06 B1/B2): a parked leg is hung up with
   * NORMAL_CLEARING at once (real: ~35 ms), but a running `bridge` goes on — on the real 1.10.12
   * every leg of a bridged call stayed up, talking, and nothing reached the inbound connection
   * (fixtures README, "Outbound drop during a bridge"). The leg hangs up when the bridge returns.
   */
  socketClosed(): void {
    if (this.ended || this.resumed) return;
    this.#socketLost = true;
    if (this.#running?.req.name !== 'bridge') this.sw.timers.after(5, () => this.hangup('NORMAL_CLEARING'));
  }

  // ---- ends ----

  /** A refused or unanswered leg (never answered): HANGUP, HANGUP_COMPLETE, job result order varies. */
  refuse(r: Refusal, job: () => void): void {
    if (this.ended) return;
    const before = this.sw.jobBeforeHangup();
    if (r.sip !== null) {
      this.ch.setVar('sip_term_status', String(r.sip));
      this.ch.setVar('proto_specific_hangup_cause', `sip:${r.sip}`);
      this.ch.setVar('sip_invite_failure_status', String(r.sip));
      this.ch.setVar('sip_hangup_disposition', 'recv_refuse');
    } else {
      this.ch.setVar('sip_invite_failure_status', '487');
      this.ch.setVar('sip_hangup_disposition', 'send_cancel');
    }
    this.#markHangup(r.cause);
    this.event('CHANNEL_HANGUP');
    if (before) job();
    this.#complete();
    if (!before) job();
  }

  /**
   * Hang the leg up now: `local` for uuid_kill, sendmsg hangup, a closed socket (06), else the
   * phone's BYE (04b) — their variables differ.
   */
  hangup(cause: string, local = true): void {
    if (this.ended) return;
    if (local && this.ch.variant === null) this.ch.variant = 'local';
    this.sw.timers.cancel(this.#ringTimer);
    if (this.ch.answerState !== 'answered') {
      // still ringing (uuid_kill before answer): no socket yet
      this.#markHangup(cause);
      this.event('CHANNEL_HANGUP');
      this.#complete();
      return;
    }
    const b = this.bridge;
    if (b && b.bridged) this.event('CHANNEL_UNBRIDGE');
    this.#markHangup(cause);
    this.ch.setVar('sip_hangup_disposition', local ? 'send_bye' : 'recv_bye');
    this.event('CHANNEL_HANGUP');
    if (b) b.agentGone();
    this.#socketTail();
  }

  /** After the B leg ended (hangup_after_bridge or a failed bridge without continue_on_fail). */
  hangupAfterBridge(cause: string): void {
    if (this.ended) return;
    this.#markHangup(cause);
    this.event('CHANNEL_HANGUP');
    this.#socketTail();
  }

  #socketTail(): void {
    if (this.#running) this.completeApp();
    this.#queue = [];
    if (this.app.kind === 'socket') {
      this.event('CHANNEL_UNPARK');
      const run: AppRun = { name: 'socket', data: this.app.data, uuid: this.socketAppUuid, response: '_none_' };
      this.event('CHANNEL_EXECUTE_COMPLETE', { app: run });
      this.event('CHANNEL_STATE', { state: 'CS_HANGUP' });
      this.event('CHANNEL_STATE', { state: 'CS_REPORTING' });
    }
    this.#complete();
  }

  /** restart(): the switch is gone; no events, but waiters learn the call ended. */
  vanish(): void {
    if (this.ended) return;
    this.#markHangup('CRASH');
    this.session?.close();
    const ws = this.#endWaiters;
    this.#endWaiters = [];
    for (const w of ws) w();
  }

  #markHangup(cause: string): void {
    this.ch.hangupCause = cause;
    this.ch.hangupUs = this.sw.nowUs();
    this.ch.answerState = 'hangup';
    this.ch.state = 'CS_HANGUP';
    this.ch.setVar('hangup_cause', cause);
    this.ch.setVar('hangup_cause_q850', String(q850Of(cause)));
  }

  #complete(): void {
    this.ch.state = 'CS_REPORTING';
    this.event('CHANNEL_HANGUP_COMPLETE');
    this.sw.removeChannel(this.ch);
    this.sw.timers.after(1, () => this.event('CHANNEL_DESTROY'));
    this.session?.channelGone();
    const ws = this.#endWaiters;
    this.#endWaiters = [];
    for (const w of ws) w();
  }
}
