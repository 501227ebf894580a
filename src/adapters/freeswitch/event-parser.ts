/*
 * Pure parsing of FreeSWITCH event-socket bytes into typed values (DESIGN §4).
 * Nothing here does I/O; the transcripts in reference/freeswitch-esl are its conformance tests.
 *
 * Facts this relies on (FreeSWITCH 1.10.12, recorded):
 * - text/event-plain: the outer body is a header block, every value URL-encoded, optionally
 *   followed by its own Content-Length and a body (BACKGROUND_JOB carries `+OK <uuid>\n` there).
 * - CHANNEL_HANGUP_COMPLETE carries `Hangup-Cause` twice; the first value wins.
 * - The outbound `connect` reply is one header block without Content-Length; `Content-Type` is
 *   not the first header and the values are URL-encoded (`Reply-Text: %2BOK%0A`).
 */

export type Headers = Record<string, string>;

/** One event as FreeSWITCH sent it: decoded headers plus the optional inner body. */
export interface EslEvent {
  name: string;
  subclass: string | null;
  headers: Headers;
  body: string;
}

/** One wire message: outer headers and body (body is '' when there is no Content-Length). */
export interface EslMessage {
  headers: Headers;
  body: string;
}

/**
 * A literal `%` can reach header values undecoded (SIP headers copied into variables); a value
 * that does not decode is kept raw rather than dropping the whole event.
 */
export function safeDecode(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Parses a header block (`Name: value` lines). The first occurrence of a name wins.
 * Scans with indexOf rather than splitting into lines first: every event of every channel of
 * the server passes here (~200 headers each), so it is the engine's hottest function.
 */
export function parseHeaderBlock(text: string, decode: boolean): Headers {
  const headers: Headers = {};
  for (let start = 0; start < text.length;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const i = text.indexOf(': ', start);
    if (i > start && i < end) {
      const name = text.slice(start, i);
      if (!Object.hasOwn(headers, name)) {
        const raw = text.slice(i + 2, end);
        headers[name] = decode ? safeDecode(raw) : raw;
      }
    }
    start = end + 1;
  }
  return headers;
}

/** Splits one complete ESL message (outer headers up to `\n\n`, then Content-Length bytes). */
export function parseEslMessage(raw: string): EslMessage {
  const end = raw.indexOf('\n\n');
  const headText = end < 0 ? raw : raw.slice(0, end);
  const rest = end < 0 ? '' : raw.slice(end + 2);
  const headers = parseHeaderBlock(headText, false);
  // Some replies (outbound `connect`) URL-encode every header; decode those when Reply-Text says so.
  if (headers['Reply-Text']?.startsWith('%')) {
    for (const k of Object.keys(headers)) headers[k] = safeDecode(headers[k]!);
  }
  const len = headers['Content-Length'];
  const body = len !== undefined && /^\d+$/.test(len) ? Buffer.from(rest, 'utf8').subarray(0, Number(len)).toString('utf8') : '';
  return { headers, body };
}

/**
 * The body of a `text/event-plain` message: URL-encoded headers, then an optional inner body.
 * The headers are found in the text when read, not parsed up front: a channel event carries ~200
 * (~12 KB) and the adapter reads about ten of them.
 */
export function parsePlainEvent(text: string): EslEvent {
  const found = text.indexOf('\n\n');
  const end = found < 0 ? text.length : found;
  const headers = lazyHeaders(text, end);
  let body = '';
  // A channel event ends with its blank line: only a message with more after it has an inner body.
  if (found >= 0 && found + 2 < text.length) {
    const len = headers['Content-Length'];
    if (len !== undefined && /^\d+$/.test(len)) body = Buffer.from(text.slice(end + 2), 'utf8').subarray(0, Number(len)).toString('utf8');
  }
  return new PlainEvent(headers, body);
}

/**
 * An event over lazily read headers: its subclass is looked up only when asked for (CUSTOM events
 * carry one; on a channel event the look-up would search all of its ~12 KB for nothing).
 */
class PlainEvent implements EslEvent {
  readonly name: string;

  constructor(readonly headers: Headers, readonly body: string) {
    this.name = headers['Event-Name'] ?? '';
  }

  get subclass(): string | null {
    return this.headers['Event-Subclass'] ?? null;
  }
}

/** The raw (not decoded) value of the first `name: value` line of the header block `text[0, end)`. */
export function rawHeader(text: string, end: number, name: string): string | undefined {
  const key = `${name}: `;
  let line = 0;
  if (!text.startsWith(key)) {
    const nl = text.indexOf(`\n${key}`);
    if (nl < 0) return undefined;
    line = nl + 1;
  }
  if (line >= end) return undefined;
  let eol = text.indexOf('\n', line);
  if (eol < 0 || eol > end) eol = end;
  return text.slice(line + key.length, eol);
}

/**
 * The target behind lazyHeaders' Proxy: one header block `text[0, end)`, each header looked up
 * in the text when first read (one search of the ~12 KB) and kept. One handler object serves every
 * block, so an event costs this object and its Proxy, not a set of closures.
 */
class HeaderBlock {
  /** Values read (decoded) or set, by name. */
  read: Map<string, string | undefined> | null = null;
  /** Every header, once the keys were listed. */
  all: Headers | null = null;

  constructor(readonly text: string, readonly end: number) {}

  get(name: string): string | undefined {
    if (this.all) return this.all[name];
    const read = (this.read ??= new Map());
    let v = read.get(name);
    if (v === undefined && !read.has(name)) {
      const raw = rawHeader(this.text, this.end, name);
      v = raw === undefined ? undefined : safeDecode(raw);
      read.set(name, v);
    }
    return v;
  }

  set(name: string, value: string): void {
    if (this.all) this.all[name] = value;
    else (this.read ??= new Map()).set(name, value);
  }

  full(): Headers {
    if (this.all) return this.all;
    const all = parseHeaderBlock(this.text.slice(0, this.end), true);
    for (const [k, v] of this.read ?? []) if (v !== undefined) all[k] = v;
    return (this.all = all);
  }
}

const blockHandler: ProxyHandler<HeaderBlock> = {
  get: (b, name) => (typeof name === 'string' ? b.get(name) : undefined),
  has: (b, name) => typeof name === 'string' && b.get(name) !== undefined,
  set: (b, name, value: string) => {
    if (typeof name !== 'string') return false;
    b.set(name, value);
    return true;
  },
  ownKeys: (b) => Reflect.ownKeys(b.full()),
  getOwnPropertyDescriptor: (b, name) => {
    const h = b.full();
    return typeof name === 'string' && Object.hasOwn(h, name) ? { value: h[name], enumerable: true, configurable: true, writable: true } : undefined;
  },
};

/**
 * A `Headers` record over a header block, read on demand: a header read is looked up in the text
 * (first occurrence, decoded) and kept; listing the keys (Object.entries, a deep comparison)
 * parses the whole block once.
 */
export function lazyHeaders(text: string, end: number): Headers {
  return new Proxy(new HeaderBlock(text, end), blockHandler) as unknown as Headers;
}

/** `variable_<name>` headers seen as `<name>`, read on demand like the headers themselves. */
export function variablesOf(h: Headers): Headers {
  const names = () => Object.keys(h).filter((k) => k.startsWith('variable_')).map((k) => k.slice(9));
  return new Proxy({} as Headers, {
    get: (_, name) => (typeof name === 'string' ? h[`variable_${name}`] : undefined),
    has: (_, name) => typeof name === 'string' && h[`variable_${name}`] !== undefined,
    ownKeys: () => names(),
    getOwnPropertyDescriptor: (_, name) => {
      const v = typeof name === 'string' ? h[`variable_${name}`] : undefined;
      return v === undefined ? undefined : { value: v, enumerable: true, configurable: true, writable: false };
    },
  });
}

/** The body of a `text/event-json` message; `_body` holds the inner body. */
export function parseJsonEvent(text: string): EslEvent | null {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    return null;
  }
  if (obj === null || typeof obj !== 'object') return null;
  const headers: Headers = {};
  let body = '';
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    if (k === '_body') body = String(v);
    else if (typeof v === 'string' || typeof v === 'number') headers[k] = String(v);
  }
  return toEvent(headers, body);
}

function toEvent(headers: Headers, body: string): EslEvent {
  return { name: headers['Event-Name'] ?? '', subclass: headers['Event-Subclass'] ?? null, headers, body };
}

/** An event message of either format, or null when the message is not an event. */
export function eventOfMessage(msg: EslMessage): EslEvent | null {
  const ct = msg.headers['Content-Type'];
  if (ct === 'text/event-plain') return parsePlainEvent(msg.body);
  if (ct === 'text/event-json') return parseJsonEvent(msg.body);
  return null;
}

/** Result of a BACKGROUND_JOB: `+OK <uuid>` or `-ERR <CAUSE>` (DESIGN §4; not in order with hangups). */
export type JobResult =
  | { kind: 'ok'; jobUuid: string; text: string }
  | { kind: 'err'; jobUuid: string; cause: string };

export function parseBackgroundJob(ev: EslEvent): JobResult | null {
  if (ev.name !== 'BACKGROUND_JOB') return null;
  const jobUuid = ev.headers['Job-UUID'];
  if (!jobUuid) return null;
  const text = ev.body.trim();
  if (text.startsWith('-ERR')) {
    const cause = text.slice(4).trim().split(/\s+/)[0] || 'UNKNOWN';
    return { kind: 'err', jobUuid, cause };
  }
  return { kind: 'ok', jobUuid, text: text.startsWith('+OK') ? text.slice(3).trim() : text };
}
