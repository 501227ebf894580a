// Small raw ESL driver for the simulator behaviour tests (no library: bytes on TCP).
import { RawEsl } from '../helpers/raw-esl.js';
import { header, type EslMessage } from '../helpers/transcript.js';
import { inner } from './simulator-replay.js';

export const ALL_CHANNEL_EVENTS = 'CHANNEL_CREATE CHANNEL_PROGRESS CHANNEL_ANSWER CHANNEL_HANGUP CHANNEL_HANGUP_COMPLETE '
  + 'CHANNEL_BRIDGE CHANNEL_UNBRIDGE BACKGROUND_JOB CUSTOM sofia::register sofia::unregister';

export class TestEsl {
  constructor(readonly raw: RawEsl) {}

  static async login(port: number, events = ALL_CHANNEL_EVENTS, format: 'plain' | 'json' = 'plain'): Promise<TestEsl> {
    const raw = await RawEsl.connect(port);
    await raw.next();
    raw.send('auth ClueCon\n\n');
    const ok = await raw.next();
    if (header(ok, 'Reply-Text') !== '+OK accepted') throw new Error('auth failed');
    const c = new TestEsl(raw);
    if (events) await c.reply(`event ${format} ${events}`);
    return c;
  }

  async reply(cmd: string): Promise<string> {
    this.raw.send(`${cmd}\n\n`);
    const m = await this.raw.next((x) => header(x, 'Content-Type') === 'command/reply');
    return header(m, 'Reply-Text') ?? '';
  }

  async api(cmd: string): Promise<string> {
    this.raw.send(`api ${cmd}\n\n`);
    const m = await this.raw.next((x) => header(x, 'Content-Type') === 'api/response');
    return m.body.toString();
  }

  /** bgapi and the job's BACKGROUND_JOB body. */
  async bgapi(cmd: string, timeoutMs = 5000): Promise<string> {
    const reply = await this.reply(`bgapi ${cmd}`);
    const job = /Job-UUID: (\S+)/.exec(reply)?.[1];
    const ev = await this.event((e) => header(e, 'Event-Name') === 'BACKGROUND_JOB' && header(e, 'Job-UUID') === job, timeoutMs);
    return ev.body.toString();
  }

  /** The next event (decoded headers) matching. */
  async event(match: (ev: EslMessage) => boolean, timeoutMs = 5000): Promise<EslMessage> {
    const m = await this.raw.next((x) => {
      const ev = inner(x);
      return ev !== null && match(ev);
    }, timeoutMs);
    return inner(m) as EslMessage;
  }

  /** Every event received so far (decoded), in arrival order. */
  events(): EslMessage[] {
    return this.raw.received.map(inner).filter((e): e is EslMessage => e !== null);
  }

  close(): void {
    this.raw.close();
  }
}

export const evName = (e: EslMessage): string => header(e, 'Event-Name') ?? '';
export const is = (name: string, uuid?: string) => (e: EslMessage): boolean =>
  evName(e) === name && (uuid === undefined || header(e, 'Unique-ID') === uuid);
