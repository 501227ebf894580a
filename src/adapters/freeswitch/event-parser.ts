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
  const len = headers['Content-Length'];
  if (found >= 0 && len !== undefined && /^\d+$/.test(len)) {
    body = Buffer.from(text.slice(end + 2), 'utf8').subarray(0, Number(len)).toString('utf8');
  }
  return toEvent(headers, body);
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

/** The decoded value of the first `name: value` line of the header block `text[0, end)`. */
function findHeader(text: string, end: number, name: string): string | undefined {
  const raw = rawHeader(text, end, name);
  return raw === undefined ? undefined : safeDecode(raw);
}

/**
 * A `Headers` record over a header block, read on demand: a header read is looked up in the text
 * (first occurrence, decoded) and kept; listing the keys (Object.entries, a deep comparison)
 * parses the whole block once.
 */
export function lazyHeaders(text: string, end: number): Headers {
  const read = new Map<string, string | undefined>();
  let all: Headers | null = null;
  const full = () => (all ??= Object.assign(parseHeaderBlock(text.slice(0, end), true), Object.fromEntries([...read].filter(([, v]) => v !== undefined))));
  const get = (name: string) => {
    if (all) return all[name];
    if (!read.has(name)) read.set(name, findHeader(text, end, name));
    return read.get(name);
  };
  return new Proxy({} as Headers, {
    get: (_, name) => (typeof name === 'string' ? get(name) : undefined),
    has: (_, name) => typeof name === 'string' && get(name) !== undefined,
    set: (_, name, value: string) => {
      if (typeof name !== 'string') return false;
      if (all) all[name] = value;
      else read.set(name, value);
      return true;
    },
    ownKeys: () => Reflect.ownKeys(full()),
    getOwnPropertyDescriptor: (_, name) => {
      const h = full();
      return typeof name === 'string' && Object.hasOwn(h, name) ? { value: h[name], enumerable: true, configurable: true, writable: true } : undefined;
    },
  });
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

/** FreeSWITCH microsecond timestamps (`*-Time`, `Event-Date-Timestamp`); 0 or absent → null. */
export function microsToDate(v: string | undefined): Date | null {
  if (v === undefined || !/^\d+$/.test(v) || v === '0') return null;
  return new Date(Math.floor(Number(v) / 1000));
}

function intOrNull(v: string | undefined): number | null {
  return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : null;
}

/** The facts of a channel event the dialer uses. */
export interface ChannelEvent {
  name: string;
  uuid: string;
  otherLegUuid: string | null;
  /** `Hangup-Cause` (present on HANGUP / HANGUP_COMPLETE and later events of a dead channel). */
  cause: string | null;
  answerState: string | null;
  at: Date | null;
  answeredAt: Date | null;
  bridgedAt: Date | null;
  hangupAt: Date | null;
  /** `variable_billsec`: this leg's talk seconds, from its own answer. */
  billsec: number | null;
  application: string | null;
  applicationUuid: string | null;
  /** `variable_*` headers without the prefix (read on demand). */
  variables: Headers;
}

export function parseChannelEvent(ev: EslEvent): ChannelEvent | null {
  const h = ev.headers;
  const uuid = h['Unique-ID'];
  if (!ev.name.startsWith('CHANNEL_') || !uuid) return null;
  const variables = variablesOf(h);
  return {
    name: ev.name,
    uuid,
    otherLegUuid: h['Other-Leg-Unique-ID'] ?? null,
    cause: h['Hangup-Cause'] ?? null,
    answerState: h['Answer-State'] ?? null,
    at: microsToDate(h['Event-Date-Timestamp']),
    answeredAt: microsToDate(h['Caller-Channel-Answered-Time']),
    bridgedAt: microsToDate(h['Caller-Channel-Bridged-Time']),
    hangupAt: microsToDate(h['Caller-Channel-Hangup-Time']),
    billsec: intOrNull(variables['billsec']),
    application: h['Application'] ?? null,
    applicationUuid: h['Application-UUID'] ?? null,
    variables,
  };
}

/** What the outbound `connect` reply (CHANNEL_DATA) says about the channel. */
export interface ChannelData {
  uuid: string;
  /** `Core-UUID` of the FreeSWITCH that runs the channel (tells nodes apart, F3). */
  coreUuid: string | null;
  answerState: string | null;
  destinationNumber: string | null;
  /** `variable_dialer_attempt_id` set by our originate; null for calls the dialer did not place. */
  attemptId: number | null;
  /** SIP user of the calling phone (`ext@domain`) for calls a phone placed (service codes, A5). */
  callerSipUser: string | null;
  variables: Headers;
}

/**
 * `headers` are the decoded CHANNEL_DATA headers. The caller's SIP user is read from, in order:
 * `dialer_sip_user` (exported by our dialplan), `user_name`@`domain_name` (set when the phone
 * authenticated), `sip_from_user`@`sip_from_host`.
 */
export function parseChannelData(headers: Headers): ChannelData | null {
  const uuid = headers['Unique-ID'] ?? headers['Channel-Unique-ID'];
  if (!uuid) return null;
  // Read by name, not listed: the outbound `connect` reply's headers are looked up when read (~200).
  const variables = variablesOf(headers);
  const rawAttempt = variables['dialer_attempt_id'];
  const attemptId = rawAttempt !== undefined && /^\d+$/.test(rawAttempt) ? Number(rawAttempt) : null;
  const pair = (u: string | undefined, d: string | undefined) => (u && d ? `${u}@${d}` : null);
  // The dialplan builds dialer_sip_user from ${user_name}@${domain_name}: "@domain" (or "user@")
  // when the caller did not authenticate, which must not name anybody.
  const exported = /^[^@]+@[^@]+$/.test(variables['dialer_sip_user'] ?? '') ? variables['dialer_sip_user']! : null;
  const callerSipUser =
    exported ??
    pair(variables['user_name'], variables['domain_name']) ??
    pair(variables['sip_from_user'], variables['sip_from_host']);
  return {
    uuid,
    coreUuid: headers['Core-UUID'] ?? null,
    answerState: headers['Answer-State'] ?? null,
    destinationNumber: headers['Caller-Destination-Number'] ?? headers['Channel-Destination-Number'] ?? null,
    attemptId,
    callerSipUser,
    variables,
  };
}
