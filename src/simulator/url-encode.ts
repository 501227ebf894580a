// FreeSWITCH's switch_url_encode (switch_utils.c): only this "unsafe" set, control bytes and
// non-ASCII are %XX-encoded; '/', ',', '(', ')' and friends stay literal, which is what the
// transcripts show (e.g. `loopback/9196/default%20%26park()`). An existing %XX is kept as is
// (double_encode = false).
const UNSAFE = new Set('\r\n "#%&+:;<=>?@[\\]^`{|}'.split(''));
const HEX = /^[0-9a-fA-F]{2}$/;

/** Nothing to encode: printable ASCII outside the unsafe set (most header values). */
const PLAIN = /^[^\x00-\x1f\x7f-\uffff "#%&+:;<=>?@[\\\]^`{|}]*$/;

export function fsUrlEncode(value: string): string {
  if (PLAIN.test(value)) return value;
  const bytes = Buffer.from(value, 'utf8');
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    const ch = String.fromCharCode(b);
    if (ch === '%' && HEX.test(String.fromCharCode(bytes[i + 1] ?? 0, bytes[i + 2] ?? 0))) {
      out += ch;
      continue;
    }
    if (b < 32 || b > 126 || UNSAFE.has(ch)) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    else out += ch;
  }
  return out;
}
