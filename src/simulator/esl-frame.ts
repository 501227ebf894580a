// ESL framing on the FreeSWITCH side: commands from the client are a header block ended by a
// blank line (an optional Content-Length body follows, e.g. sendmsg with a body); replies are
// `Content-Type`-first header blocks. LF only: FreeSWITCH never sends CR (README).

export interface EslCommand {
  /** first line, e.g. `api status`, `sendmsg <uuid>` */
  line: string;
  /** following `Name: value` lines, in order */
  headers: [string, string][];
  body: string;
}

export const GOODBYE = 'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n';
/** The inbound notice body when the switch shuts down (07a, 07b). */
export const SHUTTING_DOWN = 'The system is being shut down.\n';

/** Accumulates bytes and yields complete commands. */
export class CommandReader {
  #buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): EslCommand[] {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    const out: EslCommand[] = [];
    for (;;) {
      // tolerate CRLF from hand-typed clients (telnet): normalise while looking for the end
      const end = this.#buf.indexOf('\n\n');
      const endCr = this.#buf.indexOf('\r\n\r\n');
      const useCr = endCr !== -1 && (end === -1 || endCr < end);
      const stop = useCr ? endCr : end;
      if (stop === -1) break;
      const head = this.#buf.subarray(0, stop).toString('utf8').replace(/\r/g, '');
      const [line = '', ...rest] = head.split('\n');
      const headers = rest.filter((l) => l.length > 0).map((l): [string, string] => {
        const i = l.indexOf(':');
        return i === -1 ? [l, ''] : [l.slice(0, i).trim(), l.slice(i + 1).trim()];
      });
      const bodyStart = stop + (useCr ? 4 : 2);
      const cl = Number(headers.find(([k]) => k.toLowerCase() === 'content-length')?.[1] ?? 0);
      if (this.#buf.length < bodyStart + cl) break;
      out.push({ line: line.trim(), headers, body: this.#buf.subarray(bodyStart, bodyStart + cl).toString('utf8') });
      this.#buf = this.#buf.subarray(bodyStart + cl);
    }
    return out;
  }
}

export function commandHeader(cmd: EslCommand, name: string): string | undefined {
  const n = name.toLowerCase();
  return cmd.headers.find(([k]) => k.toLowerCase() === n)?.[1];
}

export const authRequest = (): string => 'Content-Type: auth/request\n\n';

export const commandReply = (text: string, extra: [string, string][] = []): string =>
  `Content-Type: command/reply\nReply-Text: ${text}\n${extra.map(([k, v]) => `${k}: ${v}\n`).join('')}\n`;

export const apiResponse = (body: string): string =>
  `Content-Type: api/response\nContent-Length: ${Buffer.byteLength(body)}\n\n${body}`;

/** Inbound `exit`/wrong password/shutdown, and the outbound `disconnect` notice (with session uuid). */
export function disconnectNotice(sessionUuid?: string, body = GOODBYE): string {
  const head = sessionUuid
    ? `Content-Type: text/disconnect-notice\nControlled-Session-UUID: ${sessionUuid}\nContent-Disposition: disconnect\n`
    : 'Content-Type: text/disconnect-notice\n';
  return `${head}Content-Length: ${Buffer.byteLength(body)}\n\n${body}`;
}

/** Outbound socket with linger: sent at hangup, empty body (05a, 05d). */
export const lingerNotice = (uuid: string, channelName: string, lingerSec: number): string =>
  `Content-Type: text/disconnect-notice\nControlled-Session-UUID: ${uuid}\nContent-Disposition: linger\n` +
  `Channel-Name: ${channelName}\nLinger-Time: ${lingerSec}\nContent-Length: 0\n\n`;
