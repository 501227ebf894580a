import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/* The member file of the import benches: bench/data/members-<N>.csv (git-ignored; 1M rows = 45 MB). */

const DATA_DIR = join(dirname(fileURLToPath(import.meta.url)), 'data');
export const COLUMNS = 'name,number,priority,timezone,var:debt';
const ZONES = ['Europe/Kyiv', 'Europe/Berlin', 'America/New_York', ''];

/** Row i of the data set, as CSV fields and as the values both paths store. */
export function row(i: number) {
  return {
    name: `Member ${i}`,
    number: `7${String(i).padStart(10, '0')}`,
    priority: i % 10,
    timezone: ZONES[i % ZONES.length]!,
    debt: String((i * 37) % 100_000),
  };
}

export async function generate(rows: number): Promise<string> {
  await mkdir(DATA_DIR, { recursive: true });
  const file = join(DATA_DIR, `members-${rows}.csv`);
  if (existsSync(file)) return file;
  const tmp = `${file}.${process.pid}.tmp`;
  const out = createWriteStream(tmp);
  let chunk = '';
  for (let i = 1; i <= rows; i++) {
    const r = row(i);
    chunk += `${r.name},${r.number},${r.priority},${r.timezone},${r.debt}\n`;
    if (chunk.length > 1 << 16 || i === rows) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end();
  await once(out, 'finish');
  await rename(tmp, file);
  return file;
}
