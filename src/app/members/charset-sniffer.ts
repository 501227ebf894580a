import { isAscii, isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

/*
 * Wrong-charset detection for the CSV import (S2). Decoders do not fail: a
 * windows-1251 file read as UTF-8 turns into U+FFFD, a UTF-8 file read as
 * windows-1251 into mojibake ("Іван" → "Р†РІР°РЅ"). So the raw bytes are
 * watched on their way to the decoder:
 * - named UTF-8: the first byte sequence that is not UTF-8 is an error;
 * - named an ASCII-based charset (windows-1251, koi8-r, iso-8859-1, …): a file
 *   that is valid UTF-8 from start to end and has characters beyond ASCII is
 *   UTF-8. Text in a single-byte charset with letters beyond ASCII is almost
 *   never valid UTF-8 for more than a few bytes.
 */

/** How the bytes of a named charset are checked. */
export type CharsetFamily = 'utf-8' | 'ascii-based' | 'other';

const ASCII_PROBE = 'Ann Lee,5550001;"x"\t-\r\n';

export function charsetFamily(charset: string): CharsetFamily {
  const name = charset.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (name === 'utf8' || name === 'unicode11utf8') return 'utf-8';
  // UTF-16/32 and the like decode ASCII bytes into other characters: nothing to compare with.
  return iconv.decode(Buffer.from(ASCII_PROBE, 'latin1'), charset) === ASCII_PROBE ? 'ascii-based' : 'other';
}

/**
 * Reads the bytes of a file chunk by chunk: whether they are valid UTF-8, the
 * line of the first byte that is not, and the line of the first character
 * beyond ASCII. Costs a native scan per chunk; nothing of the file is kept but
 * an unfinished character at a chunk's end.
 */
export class Utf8Sniffer {
  /** Line (1-based) of the first invalid byte, once one is seen. */
  firstInvalidLine: number | undefined;
  /** Line (1-based) of the first multi-byte character, once one is seen. */
  firstMultibyteLine: number | undefined;
  #line = 1;
  #carry: Buffer | undefined;

  push(chunk: Buffer): void {
    if (this.firstInvalidLine !== undefined) return;
    const buf = this.#carry ? Buffer.concat([this.#carry, chunk]) : chunk;
    const cut = unfinishedTail(buf);
    const body = cut === buf.length ? buf : buf.subarray(0, cut);
    // The carried bytes are all above 0x7F, so none of them is a line break counted twice.
    this.#carry = cut === buf.length ? undefined : Buffer.from(buf.subarray(cut));
    if (!isUtf8(body)) {
      this.firstInvalidLine = this.#line + countLineBreaks(body, firstInvalidOffset(body));
      return;
    }
    if (this.firstMultibyteLine === undefined && !isAscii(body)) {
      this.firstMultibyteLine = this.#line + countLineBreaks(body, body.findIndex((b) => b > 0x7f));
    }
    this.#line += countLineBreaks(body, body.length);
  }

  /** The file ended: a character cut off at the end is invalid. */
  end(): void {
    if (this.firstInvalidLine === undefined && this.#carry) this.firstInvalidLine = this.#line;
    this.#carry = undefined;
  }

  /** Every byte so far is UTF-8 and some character is beyond ASCII. */
  get looksUtf8(): boolean {
    return this.firstInvalidLine === undefined && this.firstMultibyteLine !== undefined;
  }
}

function countLineBreaks(buf: Buffer, end: number): number {
  let n = 0;
  for (let at = buf.indexOf(0x0a); at !== -1 && at < end; at = buf.indexOf(0x0a, at + 1)) n++;
  return n;
}

/** Where a multi-byte character starts that the chunk does not finish (buf.length when none). */
function unfinishedTail(buf: Buffer): number {
  for (let i = buf.length - 1; i >= 0 && i >= buf.length - 3; i--) {
    const b = buf[i]!;
    if (b < 0x80) return buf.length;
    if (b >= 0xc0) return sequenceLength(b) > buf.length - i ? i : buf.length;
  }
  return buf.length;
}

function sequenceLength(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 1;
}

/** Offset of the first byte that does not start a valid UTF-8 sequence (RFC 3629: no overlongs, no surrogates). */
function firstInvalidOffset(buf: Buffer): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const len = sequenceLength(b);
    if (len === 1 || i + len > buf.length) return i;
    // The second byte's range depends on the lead byte (overlongs, surrogates, > U+10FFFF).
    const lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    const second = buf[i + 1]!;
    if (second < lo || second > hi) return i;
    for (let k = 2; k < len; k++) {
      const c = buf[i + k]!;
      if (c < 0x80 || c > 0xbf) return i;
    }
    i += len;
  }
  return buf.length;
}
