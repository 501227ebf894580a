// Replays the `>>>` bytes of a recorded transcript against the simulator over TCP and pairs
// each recorded `<<<` message with the simulator's message of the same kind, so the
// conformance tests can compare their shapes. Used by simulator-conformance.test.ts.
import { pino } from 'pino';
import { Simulator, type Scenario, type SimulatorOptions } from '../../src/simulator/index.js';
import { RawEsl, RawOutboundServer } from '../helpers/raw-esl.js';
import { header, readTranscript, splitMessages, type EslMessage } from '../helpers/transcript.js';

export interface Pair {
  conn: string;
  kind: string;
  expected: EslMessage;
  actual: EslMessage;
}

export interface ReplayOptions {
  scenario?: Scenario;
  sim?: Partial<SimulatorOptions>;
  /** adapts a request (e.g. shorter originate_timeout); the app port is substituted already */
  rewrite?: (req: string) => string;
  /** recorded messages the simulator does not model (e.g. loopback relay legs) */
  skip?: (m: EslMessage, inner: EslMessage | null) => boolean;
  /** runs when the replay reaches a recorder note containing the key (awaited) */
  onNote?: Record<string, (sim: Simulator) => void | Promise<void>>;
}

export interface ReplayResult {
  pairs: Pair[];
  sim: Simulator;
  conns: Map<string, RawEsl>;
  agentUuids: Set<string>;
  close(): Promise<void>;
}

const UUID_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

export function inner(m: EslMessage): EslMessage | null {
  const ct = header(m, 'Content-Type');
  if (ct === 'text/event-plain') {
    const ev = splitMessages(m.body).messages[0];
    if (!ev) return null;
    const dec = (v: string) => { try { return decodeURIComponent(v); } catch { return v; } };
    return { headers: ev.headers.map(([k, v]): [string, string] => [k, dec(v)]), body: ev.body };
  }
  if (ct === 'text/event-json') {
    const obj = JSON.parse(m.body.toString()) as Record<string, string>;
    const { _body: body, ...rest } = obj;
    return { headers: Object.entries(rest), body: Buffer.from(body ?? '') };
  }
  return null;
}

export function kindOf(m: EslMessage, agentUuids: Set<string>): string {
  const ct = header(m, 'Content-Type') ?? '';
  const ev = inner(m);
  if (ev) {
    const name = header(ev, 'Event-Name') ?? '';
    const role = agentUuids.has(header(ev, 'Unique-ID') ?? '') ? 'agent' : 'other';
    const st = name === 'CHANNEL_STATE' ? header(ev, 'Channel-State') : '';
    return `event|${name}|${header(ev, 'Event-Subclass') ?? ''}|${header(ev, 'Application') ?? ''}|${role}|${st}`;
  }
  if (header(m, 'Event-Name') === 'CHANNEL_DATA') return 'channel-data';
  if (ct === 'text/disconnect-notice') return `notice|${header(m, 'Content-Disposition') ?? ''}`;
  return ct;
}

export async function replay(name: string, opts: ReplayOptions = {}): Promise<ReplayResult> {
  const t = readTranscript(name);
  const app = new RawOutboundServer();
  const appPort = await app.listen();
  const sim = new Simulator({
    log: pino({ level: 'silent' }), agentContextSocket: `127.0.0.1:${appPort}`, scenario: opts.scenario ?? {}, ...opts.sim,
  });
  const { port } = await sim.start();
  const conns = new Map<string, RawEsl>();
  const agentUuids = new Set<string>();
  for (const b of t.blocks) {
    const u = /origination_uuid=([0-9a-f-]{36})/.exec(b.bytes.toString())?.[1];
    if (b.dir === 'out' && u) agentUuids.add(u);
  }
  const pairs: Pair[] = [];
  const close = async () => {
    for (const c of conns.values()) c.close();
    await sim.close();
    await app.close();
  };
  const connFor = async (label: string, dir: 'in' | 'out'): Promise<RawEsl> => {
    const c = conns.get(label);
    if (c && !(c.closed && dir === 'out')) return c;
    const fresh = label.startsWith('outbound') ? await app.accept() : await RawEsl.connect(port);
    conns.set(label, fresh);
    return fresh;
  };
  try {
    for (const item of t.items) {
      if (item.kind === 'note') {
        const label = /\[([^\]]+)\]/.exec(item.text)?.[1];
        const c = label ? conns.get(label) : undefined;
        if (c && /destroys TCP socket/.test(item.text)) c.close();
        if (c && /(half-closes TCP|app closes it now)/.test(item.text)) c.socket.end();
        for (const [key, fn] of Object.entries(opts.onNote ?? {})) if (item.text.includes(key)) await fn(sim);
        continue;
      }
      if (item.dir === 'out') {
        let req = item.bytes.toString().replace(/127\.0\.0\.1:8084/g, `127.0.0.1:${appPort}`);
        if (opts.rewrite) req = opts.rewrite(req);
        (await connFor(item.conn, 'out')).send(req);
        continue;
      }
      const expected = splitMessages(item.bytes).messages[0];
      if (!expected) throw new Error(`unparsable recorded block in ${name}`);
      if (opts.skip?.(expected, inner(expected))) continue;
      const kind = kindOf(expected, agentUuids);
      const c = await connFor(item.conn, 'in');
      const actual = await c.next((m) => kindOf(m, agentUuids) === kind, 8000).catch((err: Error) => {
        throw new Error(`${name} [${item.conn}] +${item.ms}ms: no ${kind} from the simulator (${err.message})`);
      });
      pairs.push({ conn: item.conn, kind, expected, actual });
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { pairs, sim, conns, agentUuids, close };
}

export const normUuids = (s: string): string => s.replace(UUID_RE, '<uuid>');

export function names(m: EslMessage): string[] {
  return m.headers.map(([k]) => k);
}
