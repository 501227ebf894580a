// `event plain|json <names…>` subscriptions: names add up across commands, `ALL` takes every
// event, words after `CUSTOM` are subclasses (02-event-subscriptions).
import type { SimEvent } from './event-render.js';

export class EventFilter {
  format: 'plain' | 'json' = 'plain';
  #all = false;
  readonly #names = new Set<string>();
  readonly #subclasses = new Set<string>();
  /** `filter <header> <value>`: when any is set, only matching events pass (mod_event_socket) */
  readonly #filters: [string, string][] = [];

  /** `filter <header> <value>` / `filter delete <header> [<value>]`; returns the Reply-Text. */
  filter(args: string[]): string {
    if (args[0] === 'delete') {
      const [, name = '', value] = args;
      for (let i = this.#filters.length - 1; i >= 0; i--) {
        const f = this.#filters[i];
        if (f && f[0] === name && (value === undefined || f[1] === value)) this.#filters.splice(i, 1);
      }
      return `+OK filter deleted. [${name}]=[${value ?? ''}]`;
    }
    const [name = '', ...rest] = args;
    const value = rest.join(' ');
    if (!name) return '-ERR invalid syntax';
    this.#filters.push([name, value]);
    return `+OK filter added. [${name}]=[${value}]`;
  }

  /** Applies event / nixevent / noevents and returns the Reply-Text. */
  command(verb: string, args: string[]): string {
    if (verb === 'noevents') {
      this.#all = false;
      this.#names.clear();
      this.#subclasses.clear();
      return '+OK no longer listening for events';
    }
    const words = args.filter((w) => w.length > 0);
    if (verb === 'event') {
      const fmt = words.shift() ?? 'plain';
      if (fmt !== 'plain' && fmt !== 'json') return '-ERR invalid format';
      this.format = fmt;
    }
    let custom = false;
    for (const w of words) {
      if (w === 'CUSTOM') { custom = true; if (verb === 'event') this.#names.add('CUSTOM'); continue; }
      const isSub = custom && w.includes('::');
      if (verb === 'event') {
        if (w === 'ALL') this.#all = true;
        else if (isSub) this.#subclasses.add(w);
        else this.#names.add(w);
      } else if (isSub) this.#subclasses.delete(w);
      else if (w === 'ALL') { this.#all = false; this.#names.clear(); }
      else this.#names.delete(w);
    }
    return verb === 'event' ? `+OK event listener enabled ${this.format}` : `+OK events disabled`;
  }

  get any(): boolean {
    return this.#all || this.#names.size > 0 || this.#subclasses.size > 0;
  }

  wants(ev: SimEvent): boolean {
    if (this.#filters.length > 0 && !this.#filters.some(([k, v]) => ev.headers.some(([hk, hv]) => hk === k && hv === v))) return false;
    if (this.#all) return true;
    if (ev.name === 'CUSTOM') return ev.subclass !== null && (this.#subclasses.has(ev.subclass) || (this.#names.has('CUSTOM') && this.#subclasses.size === 0));
    return this.#names.has(ev.name);
  }
}
