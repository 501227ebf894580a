/*
 * Channels followed through their node's inbound connection when no outbound socket reports on
 * them any more. On the real 1.10.12 a bridged call outlives its outbound socket and nothing of
 * the drop reaches the inbound connection (fixtures README, "Outbound drop during a bridge"), so
 * the call's end is the leg's CHANNEL_HANGUP_COMPLETE there. A missed event (the inbound
 * connection dropped meanwhile) is caught by `uuid_exists`, asked at the start, after every
 * heartbeat reply and after every reconnect. Nothing here is specific to one call flow: any leg
 * whose socket is gone can be followed this way.
 */
import type { HangupWatch, SeenHangup } from './hangup-watch.js';

export type LegEnd =
  /** Its CHANNEL_HANGUP_COMPLETE: the cause and FreeSWITCH's own times. */
  | { kind: 'hangup'; hangup: SeenHangup }
  /** FreeSWITCH says it is gone, but its end was never reported; it was up at `lastUpAt` (FreeSWITCH's clock). */
  | { kind: 'vanished'; lastUpAt: Date | null }
  /** FreeSWITCH could not be asked for `unreachableMs` (inbound connection down, no reply); up at `lastUpAt` at least. */
  | { kind: 'unreachable'; lastUpAt: Date | null }
  /** The watch was stopped (the adapter is closing): nothing is known. */
  | { kind: 'stopped' };

export interface LegWatchDeps {
  hangups: HangupWatch;
  /** `uuid_exists` on the node's inbound connection; 'unknown' when it cannot be asked. */
  exists(node: string, uuid: string): Promise<boolean | 'unknown'>;
  /** FreeSWITCH's time of the latest event received from `node`. */
  lastEventAt(node: string): Date | null;
}

export interface WatchOptions {
  /** How long the hangup event may still come once FreeSWITCH says the leg is gone. */
  graceMs: number;
  /** How long FreeSWITCH may stay unable to answer before the leg's end is given up as unknown. */
  unreachableMs: number;
}

interface Watch {
  node: string;
  check(): void;
  stop(): void;
}

export class LegWatch {
  readonly #watches = new Set<Watch>();
  #stopped = false;

  constructor(private readonly d: LegWatchDeps) {}

  /** Legs followed now. */
  get size(): number {
    return this.#watches.size;
  }

  /** Asks again about every leg followed on `node` (its heartbeat was answered, or it reconnected). */
  recheck(node: string): void {
    for (const w of [...this.#watches]) if (w.node === node) w.check();
  }

  /** Ends every watch with `stopped`, and every later one at once (the adapter is closing). */
  stopAll(): void {
    this.#stopped = true;
    for (const w of [...this.#watches]) w.stop();
  }

  /**
   * Follows `uuid` on `node` until it is over or cannot be known. `lastUpAt`: when it was last
   * known to be up (FreeSWITCH's time); every `uuid_exists` = true moves it to the latest event
   * time received from the node before the question.
   */
  untilEnd(node: string, uuid: string, o: WatchOptions, lastUpAt: Date | null): Promise<LegEnd> {
    if (this.#stopped) return Promise.resolve({ kind: 'stopped' });
    return new Promise((resolve) => {
      let done = false;
      let asking = false;
      let askAgain = false;
      let unreachable: NodeJS.Timeout | undefined;
      let grace: NodeJS.Timeout | undefined;
      let stopListening = (): void => undefined;
      const finish = (end: LegEnd) => {
        if (done) return;
        done = true;
        stopListening();
        clearTimeout(unreachable);
        clearTimeout(grace);
        this.#watches.delete(w);
        resolve(end);
      };
      const check = async (): Promise<void> => {
        if (done) return;
        if (asking) {
          askAgain = true;
          return;
        }
        asking = true;
        // A uuid is never reused: alive now, it was up at any instant since it was last known up.
        const before = this.d.lastEventAt(node);
        const alive = await this.d.exists(node, uuid);
        asking = false;
        if (done) return;
        if (alive === true) {
          if (before && (!lastUpAt || before > lastUpAt)) lastUpAt = before;
          clearTimeout(unreachable);
          unreachable = undefined;
        } else if (alive === false) {
          grace ??= setTimeout(() => finish({ kind: 'vanished', lastUpAt }), o.graceMs);
        } else {
          unreachable ??= setTimeout(() => finish({ kind: 'unreachable', lastUpAt }), o.unreachableMs);
        }
        if (askAgain) {
          askAgain = false;
          void check();
        }
      };
      const w: Watch = { node, check: () => void check(), stop: () => finish({ kind: 'stopped' }) };
      this.#watches.add(w);
      stopListening = this.d.hangups.listen(uuid, (hangup) => finish({ kind: 'hangup', hangup }));
      w.check();
    });
  }
}
