/*
 * Answered agent legs this process is responsible for, per node, so that `agent-hangup` is
 * emitted exactly once per leg whichever source learns of the end first: its outbound socket
 * session (normal case), the inbound CHANNEL_HANGUP_COMPLETE of a leg that never reached the
 * socket, or `uuid_exists` = false after an inbound reconnect (events of the gap are lost).
 */
export interface LiveLeg {
  legUuid: string;
  node: string;
  attemptId: number;
  /** An outbound socket session is driving this leg now. */
  session: boolean;
  /** A session ever attached (the answer reached our socket). */
  everSession: boolean;
}

export class LiveLegs {
  readonly #legs = new Map<string, LiveLeg>();
  /** Recently settled legs: a late `track` (originate resolving after a fast call) must not revive them. */
  readonly #settled = new Set<string>();

  track(legUuid: string, node: string, attemptId: number): LiveLeg | undefined {
    if (this.#settled.has(legUuid)) return undefined;
    let leg = this.#legs.get(legUuid);
    if (!leg) this.#legs.set(legUuid, (leg = { legUuid, node, attemptId, session: false, everSession: false }));
    return leg;
  }

  get(legUuid: string): LiveLeg | undefined {
    return this.#legs.get(legUuid);
  }

  attachSession(legUuid: string): void {
    const leg = this.#legs.get(legUuid);
    if (leg) leg.session = leg.everSession = true;
  }

  detachSession(legUuid: string): void {
    const leg = this.#legs.get(legUuid);
    if (leg) leg.session = false;
  }

  /** Removes the leg; true only for the first caller (the one that must emit agent-hangup). */
  settle(legUuid: string): boolean {
    if (!this.#legs.delete(legUuid)) return false;
    this.#settled.add(legUuid);
    if (this.#settled.size > 10_000) this.#settled.delete(this.#settled.values().next().value!);
    return true;
  }

  on(node: string): LiveLeg[] {
    return [...this.#legs.values()].filter((l) => l.node === node);
  }

  all(): LiveLeg[] {
    return [...this.#legs.values()];
  }
}
