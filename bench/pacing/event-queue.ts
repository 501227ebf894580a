/**
 * The simulation's agenda: a binary min-heap of events by virtual time, ties broken by insertion
 * order so that a seed gives one run, whatever the heap's internal layout.
 */
export interface Timed {
  atSec: number;
}

interface Entry<E> {
  atSec: number;
  seq: number;
  event: E;
}

export class EventQueue<E extends Timed> {
  readonly #heap: Entry<E>[] = [];
  #seq = 0;

  get size(): number {
    return this.#heap.length;
  }

  push(event: E): void {
    const h = this.#heap;
    h.push({ atSec: event.atSec, seq: this.#seq++, event });
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  pop(): E | undefined {
    const h = this.#heap;
    const top = h[0];
    if (!top) return undefined;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top.event;
  }
}

function before<E>(a: Entry<E>, b: Entry<E>): boolean {
  return a.atSec < b.atSec || (a.atSec === b.atSec && a.seq < b.seq);
}
