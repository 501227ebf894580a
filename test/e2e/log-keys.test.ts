import { Writable } from 'node:stream';
import { expect } from 'chai';
import { pino } from 'pino';
import { startStack, type Stack } from '../helpers/stack.js';
import { addMembers, createAgents, createCampaign, memberDone, number, run } from '../helpers/e2e-fixtures.js';

/**
 * The keys that appear more than once in one object of a JSON text, with their path
 * (`component`, `err.code`). Read from the raw text: JSON.parse keeps the last one silently.
 */
export function duplicateKeys(text: string): string[] {
  let i = 0;
  const found: string[] = [];
  const ws = () => { while (/\s/.test(text[i] ?? '')) i++; };
  const str = (): string => {
    const start = i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      ws();
      if (text[i] === '}') { i++; return; }
      for (;;) {
        ws();
        const key = str();
        if (seen.has(key)) found.push(path + key);
        seen.add(key);
        ws();
        i++; // ':'
        value(`${path}${key}.`);
        ws();
        if (text[i++] === '}') return;
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') { i++; return; }
      for (;;) {
        value(path);
        ws();
        if (text[i++] === ']') return;
      }
    } else if (c === '"') {
      str();
    } else {
      while (i < text.length && !/[,}\]\s]/.test(text[i]!)) i++;
    }
  };
  value('');
  return found;
}

describe('log lines (issue 11 item 10)', function () {
  this.timeout(60_000);
  const lines: string[] = [];
  let s: Stack;
  before(async () => {
    const stream = new Writable({ write(chunk: Buffer, _e, done) { lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)); done(); } });
    // As main.ts builds its root logger, at the level that logs the most.
    s = await startStack('log_keys', { log: pino({ level: 'trace', base: { svc: 'dialer', instance: 'log-keys' } }, stream) });
  });
  after(async () => { await s?.close(); });

  it('finds a key written twice in the raw text', () => {
    expect(duplicateKeys('{"a":1,"b":{"c":[{"d":1,"d":2}]},"a":"x"}')).to.deep.equal(['b.c.d', 'a']);
    expect(duplicateKeys('{"a":"}\\"","b":[]}')).to.deep.equal([]);
  });

  it('no log line of a call (engine, FreeSWITCH adapter, REST) has a key twice', async () => {
    const c = await createCampaign(s);
    await createAgents(s, 1, [c]);
    const n = number();
    s.sim.setSubscriber(n, { outcome: 'answer', afterMs: 50, talkMs: 300 });
    const [mid] = await addMembers(s, c, [{ name: 'Ann', communications: [{ number: n }] }]);
    await run(s, c);
    await memberDone(s, c, mid!);
    expect(lines.length).to.be.greaterThan(20);
    const components = new Set(lines.map((l) => (JSON.parse(l) as { component?: string }).component));
    expect([...components]).to.include.members(['engine', 'freeswitch', 'http']);
    const bad = lines.map((l) => ({ l, dup: duplicateKeys(l) })).filter((x) => x.dup.length > 0);
    const byKey = new Map<string, string>();
    for (const b of bad) for (const k of b.dup) if (!byKey.has(k)) byKey.set(k, b.l.slice(0, 400));
    expect([...byKey.entries()].map(([k, l]) => `${k}: ${l}`)).to.deep.equal([]);
  });
});
