import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** Replaces (or appends) the `## <title>` section of BENCHMARKS.md, nothing else in it. */
export function writeSection(title: string, body: string): void {
  const file = new URL('../BENCHMARKS.md', import.meta.url);
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\n';
  const section = `## ${title}\n\n${body.trimEnd()}\n`;
  const re = new RegExp(`## ${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n[\\s\\S]*?(?=\\n## |$)`);
  const next = re.test(old) ? old.replace(re, section) : `${old.trimEnd()}\n\n${section}`;
  writeFileSync(file, next);
  console.log(`BENCHMARKS.md: "${title}" section written`);
}
