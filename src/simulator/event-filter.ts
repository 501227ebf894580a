// What one event-socket listener lets through, as mod_event_socket 1.10.12 decides it
// (event_handler, parse_command): the subscribed event types (`event plain|json <names…>` add up,
// `ALL` takes every event, words after `CUSTOM` are subclasses, 02-event-subscriptions; `nixevent`
// takes types away, also after `myevents`), then the header filters, then `myevents`.
import type { SimEvent } from './event-render.js';

/** The channel event types `myevents` subscribes (mod_event_socket.c, "myevents"). */
const MYEVENTS_TYPES = [
  'CHANNEL_ANSWER', 'CHANNEL_APPLICATION', 'CHANNEL_BRIDGE', 'CHANNEL_CREATE', 'CHANNEL_DATA', 'CHANNEL_DESTROY',
  'CHANNEL_EXECUTE', 'CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE', 'CHANNEL_ORIGINATE',
  'CHANNEL_UUID', 'CHANNEL_OUTGOING', 'CHANNEL_PARK', 'CHANNEL_PROGRESS', 'CHANNEL_PROGRESS_MEDIA', 'CHANNEL_STATE',
  'CHANNEL_UNBRIDGE', 'CHANNEL_UNPARK', 'DETECTED_SPEECH', 'DTMF', 'NOTALK', 'TALK',
];

/**
 * One `filter <header> <value>`. The value may start with `+` (send on a match, the default) or `-`
 * (never send on a match); a value starting with `/` is a regular expression `/re/flags`, any other
 * is compared ignoring case. Header names are looked up ignoring case.
 */
interface HeaderFilter { name: string; value: string }

export class EventFilter {
  format: 'plain' | 'json' = 'plain';
  #all = false;
  readonly #names = new Set<string>();
  readonly #subclasses = new Set<string>();
  /** In the order added: the first positive match sends, a negative match stops it. */
  #filters: HeaderFilter[] = [];
  /** `myevents`: only this channel's events (and jobs it owns) */
  #mine: string | null = null;

  /**
   * `filter [add] <header> <value>` / `filter delete <header> [<value>]` / `filter delete all`;
   * returns the Reply-Text. The value is the rest of the line, spaces included.
   */
  filter(args: string[]): string {
    let [name = '', ...rest] = args;
    let value = rest.length > 0 ? rest.join(' ') : null;
    if (name.toLowerCase() === 'delete' && value !== null) {
      [name = '', ...rest] = value.split(' ');
      value = rest.length > 0 ? rest.join(' ') : null;
      if (name.toLowerCase() === 'all') this.#filters = [];
      else this.#filters = this.#filters.filter((f) => !(f.name.toLowerCase() === name.toLowerCase() && (value === null || f.value === value)));
      return `+OK filter deleted. [${name}][${value ?? ''}]`;
    }
    if (value === null || !name) return '-ERR invalid syntax';
    if (name.toLowerCase() === 'add') {
      [name = '', ...rest] = value.split(' ');
      // `filter add <header>` alone: FreeSWITCH adds no header without a value, yet says +OK
      if (rest.length === 0) return `+OK filter added. [${name}]=[(null)]`;
      value = rest.join(' ');
    }
    this.#filters.push({ name, value });
    return `+OK filter added. [${name}]=[${value}]`;
  }

  /** `myevents` on the outbound socket of channel `uuid`. */
  myevents(uuid: string): void {
    for (const n of MYEVENTS_TYPES) this.#names.add(n);
    this.#mine = uuid;
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
      else {
        // nixevent of one type under ALL: every other type stays subscribed
        if (this.#all) { this.#all = false; for (const n of KNOWN_TYPES) this.#names.add(n); }
        this.#names.delete(w);
      }
    }
    return verb === 'event' ? `+OK event listener enabled ${this.format}` : `+OK events nixed`;
  }

  /** Whether `myevents` was sent. */
  get mine(): boolean {
    return this.#mine !== null;
  }

  get any(): boolean {
    return this.#all || this.#names.size > 0 || this.#subclasses.size > 0;
  }

  /**
   * Whether a channel event of this type and channel could pass, before it is rendered: the type
   * and `myevents` decide alone (channel events carry no Job-Owner-UUID); the header filters need
   * the rendered event (wants).
   */
  mayWant(name: string, uuid: string): boolean {
    return this.#typeWanted({ name, subclass: null }) && (this.#mine === null || uuid === this.#mine);
  }

  wants(ev: SimEvent): boolean {
    if (!this.#typeWanted(ev) || !this.#passesFilters(ev)) return false;
    if (this.#mine === null) return true;
    return ev.uuid === this.#mine || header(ev, 'Job-Owner-UUID') === this.#mine;
  }

  #typeWanted(ev: Pick<SimEvent, 'name' | 'subclass'>): boolean {
    if (this.#all) return true;
    if (ev.name === 'CUSTOM') return ev.subclass !== null && (this.#subclasses.has(ev.subclass) || (this.#names.has('CUSTOM') && this.#subclasses.size === 0));
    return this.#names.has(ev.name);
  }

  #passesFilters(ev: SimEvent): boolean {
    if (this.#filters.length === 0) return true;
    let send = false;
    for (const f of this.#filters) {
      const have = header(ev, f.name);
      if (have === undefined) continue;
      const m = /^[+\- ]*/.exec(f.value)![0];
      const positive = !m.replace(/ /g, '').endsWith('-');
      if (send && positive) continue;
      const want = f.value.slice(m.length);
      const hit = f.value.startsWith('/') ? regexMatch(have, want) : have.toLowerCase() === want.toLowerCase();
      if (!hit) continue;
      if (!positive) return false;
      send = true;
    }
    return send;
  }
}

/** Event types a `nixevent` under `ALL` leaves subscribed (the ones the simulator sends). */
const KNOWN_TYPES = [...MYEVENTS_TYPES, 'BACKGROUND_JOB', 'CUSTOM', 'HEARTBEAT', 'API', 'SHUTDOWN', 'SHUTDOWN_REQUESTED', 'RE_SCHEDULE'];

function header(ev: SimEvent, name: string): string | undefined {
  const lower = name.toLowerCase();
  return ev.headers.find(([k]) => k.toLowerCase() === lower)?.[1];
}

/** switch_regex_perform: `/re/flags` (i, s) or a bare expression; a broken one matches nothing. */
function regexMatch(value: string, expr: string): boolean {
  let source = expr;
  let flags = '';
  if (expr.startsWith('/')) {
    const end = expr.lastIndexOf('/');
    if (end <= 0) return false;
    source = expr.slice(1, end);
    const opts = expr.slice(end + 1);
    flags = (opts.includes('i') ? 'i' : '') + (opts.includes('s') ? 's' : '');
  }
  try {
    return new RegExp(source, flags).test(value);
  } catch {
    return false;
  }
}
