// Reader for the recorded FreeSWITCH wire transcripts (reference/freeswitch-esl/README.md):
// a `>>>`/`<<<` header line is followed by exactly N payload bytes plus one recorder `\n`,
// so blocks are cut by byte count, never by looking for delimiters.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** `out` = client → FreeSWITCH (`>>>`), `in` = FreeSWITCH → client (`<<<`). */
export type TranscriptDir = 'out' | 'in';

export interface TranscriptBlock {
  dir: TranscriptDir;
  /** milliseconds since the start of the recorded script */
  ms: number;
  /** connection label, e.g. `inbound#1`, `outbound#2` */
  conn: string;
  bytes: Buffer;
}

export interface TranscriptNote {
  ms: number;
  text: string;
}

export type TranscriptItem = ({ kind: 'block' } & TranscriptBlock) | ({ kind: 'note' } & TranscriptNote);

export interface Transcript {
  title: string;
  blocks: TranscriptBlock[];
  notes: TranscriptNote[];
  /** blocks and notes in file order */
  items: TranscriptItem[];
}

/**
 * The recorded transcripts, vendored byte for byte from reference/freeswitch-esl so the
 * conformance tests run from a clean clone; FS_TRANSCRIPTS_DIR points elsewhere.
 */
export const TRANSCRIPTS_DIR = process.env['FS_TRANSCRIPTS_DIR']
  ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'freeswitch-esl');

const BLOCK_RE = /^(>>>|<<<) \+(\d+)ms \[([^\]]+)\] (\d+) bytes$/;
const NOTE_RE = /^### \+(\d+)ms (.*)$/;

export function parseTranscript(buf: Buffer): Transcript {
  const blocks: TranscriptBlock[] = [];
  const notes: TranscriptNote[] = [];
  const items: TranscriptItem[] = [];
  let title = '';
  let pos = 0;
  while (pos < buf.length) {
    const nl = buf.indexOf(0x0a, pos);
    const lineEnd = nl === -1 ? buf.length : nl;
    const line = buf.subarray(pos, lineEnd).toString('utf8');
    pos = lineEnd + 1;
    const m = BLOCK_RE.exec(line);
    if (m) {
      const n = Number(m[4]);
      const bytes = Buffer.from(buf.subarray(pos, pos + n));
      if (bytes.length !== n) throw new Error(`transcript block truncated: ${line}`);
      const block: TranscriptBlock = { dir: m[1] === '>>>' ? 'out' : 'in', ms: Number(m[2]), conn: m[3] ?? '', bytes };
      blocks.push(block);
      items.push({ kind: 'block', ...block });
      pos += n + 1; // the recorder's extra '\n' after each payload
      continue;
    }
    const note = NOTE_RE.exec(line);
    if (note) {
      const n: TranscriptNote = { ms: Number(note[1]), text: note[2] ?? '' };
      notes.push(n);
      items.push({ kind: 'note', ...n });
      continue;
    }
    if (line.startsWith('# ') && title === '') title = line.slice(2);
    // anything else (blank separator lines) carries no bytes
  }
  return { title, blocks, notes, items };
}

export function readTranscript(name: string, dir = TRANSCRIPTS_DIR): Transcript {
  const file = name.endsWith('.txt') ? name : `${name}.txt`;
  return parseTranscript(readFileSync(path.join(dir, file)));
}

/** One ESL message: headers in wire order (duplicates kept), raw body if any. */
export interface EslMessage {
  headers: [string, string][];
  body: Buffer;
}

/** Splits a byte stream into ESL messages (header block up to `\n\n` plus Content-Length bytes). */
export function splitMessages(stream: Buffer): { messages: EslMessage[]; rest: Buffer } {
  const messages: EslMessage[] = [];
  let pos = 0;
  for (;;) {
    const end = stream.indexOf('\n\n', pos);
    if (end === -1) break;
    const headers = parseHeaderBlock(stream.subarray(pos, end).toString('utf8'));
    const cl = headers.find(([k]) => k === 'Content-Length');
    const len = cl ? Number(cl[1]) : 0;
    if (end + 2 + len > stream.length) break;
    messages.push({ headers, body: Buffer.from(stream.subarray(end + 2, end + 2 + len)) });
    pos = end + 2 + len;
  }
  return { messages, rest: Buffer.from(stream.subarray(pos)) };
}

export function parseHeaderBlock(text: string): [string, string][] {
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const i = l.indexOf(': ');
      return i === -1 ? [l, ''] : [l.slice(0, i), l.slice(i + 2)];
    });
}

export function header(msg: EslMessage, name: string): string | undefined {
  return msg.headers.find(([k]) => k === name)?.[1];
}

/** The blocks of one connection in order. */
export function blocksOf(t: Transcript, conn: string): TranscriptBlock[] {
  return t.blocks.filter((b) => b.conn === conn);
}

/** Concatenated bytes one side sent on one connection. */
export function streamOf(t: Transcript, conn: string, dir: TranscriptDir): Buffer {
  return Buffer.concat(t.blocks.filter((b) => b.conn === conn && b.dir === dir).map((b) => b.bytes));
}
