/*
 * Client-side CSV parsing for the upload preview only: the server parses the whole file again
 * (streamed) and is the one that accepts or rejects rows.
 */

/** Rows of `text` split on `sep` with RFC 4180 quotes; `complete` false drops a cut-off last line. */
export function parseCsv(text: string, sep: string, maxRows: number, complete: boolean): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  if (text.charCodeAt(0) === 0xfeff) i = 1; // BOM
  for (; i < text.length && rows.length < maxRows; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === sep) {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (rows.length < maxRows && complete && (cell !== '' || row.length > 0)) {
    row.push(cell);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

/**
 * The separator of the file's first line as the wizard's select names it (a tab as backslash-t):
 * the candidate found most often outside quotes, or undefined when none is there.
 */
export function guessSeparator(text: string): string | undefined {
  const counts = new Map<string, number>([[',', 0], [';', 0], ['\t', 0], ['|', 0]]);
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  const [best, n] = [...counts].reduce((a, b) => (b[1] > a[1] ? b : a));
  if (n === 0) return undefined;
  return best === '\t' ? '\\t' : best;
}

export const TARGETS = ['-', 'name', 'number', 'priority', 'expire_at', 'timezone', 'var'] as const;
export type Target = (typeof TARGETS)[number];

/** A cell that reads as a phone number: digits with the usual punctuation, at least five of them. */
const PHONE_LIKE = /^\+?[\d\s().-]*$/;
const isPhone = (cell: string) => PHONE_LIKE.test(cell.trim()) && (cell.match(/\d/g)?.length ?? 0) >= 5;

/**
 * Whether the first row names the columns: none of its cells reads as a phone number, while
 * a later row has one (a file of names only cannot be told, and is taken as data).
 */
export function looksLikeHeader(rows: string[][]): boolean {
  if (rows.length < 2) return false;
  return !rows[0]!.some(isPhone) && rows.slice(1).some((r) => r.some(isPhone));
}

/** Header names, lower case (English, Russian, Ukrainian), and the column each stands for. */
const HEADER_WORDS: Array<[RegExp, Target]> = [
  [/^(name|full ?name|fio|фио|имя|ім'?я|піб|клиент|клієнт|абонент|контакт)$/, 'name'],
  [/phone|number|^tel|msisdn|mobile|телефон|тел\.?$|номер|мобильн|мобільн/, 'number'],
  [/^(priority|приоритет|пріоритет)$/, 'priority'],
  [/^(expire_at|expires?|valid until|срок|действует до|діє до)$/, 'expire_at'],
  [/^(timezone|time zone|tz|часовой пояс|часовий пояс)$/, 'timezone'],
];

/** A first guess of each column's target from the header line (or the position). */
export function guessTargets(header: string[] | undefined, count: number): Array<{ target: Target; varName: string }> {
  const used = new Set<string>();
  return Array.from({ length: count }, (_v, i) => {
    const raw = (header?.[i] ?? '').trim();
    const hname = raw.toLowerCase();
    let target: Target = '-';
    if (header) {
      target = HEADER_WORDS.find(([re]) => re.test(hname))?.[1]
        ?? (/^[a-z_][a-z0-9_.-]{0,63}$/i.test(raw) ? 'var' : '-');
    } else target = i === 0 ? 'name' : i === 1 ? 'number' : '-';
    if (target !== 'number' && target !== 'var' && target !== '-' && used.has(target)) target = '-';
    used.add(target);
    return { target, varName: target === 'var' ? raw : '' };
  });
}
