import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { RedisDispatchNews } from '../../src/adapters/queue/redis-dispatch-news.js';
import type { DispatchNewsItem } from '../../src/app/ports/dispatch-news.js';

const log = pino({ level: 'silent' });
const REDIS_URL = 'redis://127.0.0.1:6379';

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(ok(), what).to.equal(true);
}

/** DESIGN §1a: every engine process hears what another process (or the import CLI) changed. */
describe('dispatch news between processes (real Redis pub/sub)', () => {
  const opened: RedisDispatchNews[] = [];
  const news = (prefix: string, instanceId: string) => {
    const n = new RedisDispatchNews({ redisUrl: REDIS_URL, prefix, instanceId, log });
    opened.push(n);
    return n;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((n) => n.close()));
  });

  it('an item reaches the other processes of the deployment, not the sender nor another deployment', async () => {
    const prefix = `{news-${randomUUID()}}`;
    const heard: Record<string, DispatchNewsItem[]> = { a: [], b: [], c: [], other: [] };
    const a = news(prefix, 'a');
    await a.listen((items) => heard.a!.push(...items));
    await news(prefix, 'b').listen((items) => heard.b!.push(...items));
    await news(prefix, 'c').listen((items) => heard.c!.push(...items));
    await news(`{news-${randomUUID()}}`, 'd').listen((items) => heard.other!.push(...items));
    a.announce({ kind: 'members-added', campaignId: 7 });
    await until('b and c heard', () => heard.b!.length === 1 && heard.c!.length === 1);
    // A second item proves the first was fully delivered before the others are read.
    a.announce({ kind: 'settled', campaignId: 7, agentId: 3 });
    await until('b and c heard twice', () => heard.b!.length === 2 && heard.c!.length === 2);
    expect(heard.b).to.deep.equal([{ kind: 'members-added', campaignId: 7 }, { kind: 'settled', campaignId: 7, agentId: 3 }]);
    expect(heard.a, 'the sender').to.deep.equal([]);
    expect(heard.other, 'another deployment').to.deep.equal([]);
  });

  it('a burst is batched into few messages, each distinct item once, none lost', async () => {
    const prefix = `{news-${randomUUID()}}`;
    const messages: DispatchNewsItem[][] = [];
    const a = news(prefix, 'a');
    await news(prefix, 'b').listen((items) => messages.push(items));
    for (let i = 0; i < 1000; i++) a.announce({ kind: 'settled', campaignId: 1 + (i % 5), agentId: 1 + (i % 10) });
    a.announce({ kind: 'agent-changed', agentId: 99 });
    await until('the last item heard', () => messages.flat().some((x) => x.kind === 'agent-changed'));
    expect(messages.length, 'messages').to.be.at.most(3);
    const distinct = new Set(messages.flat().map((x) => JSON.stringify(x)));
    expect(distinct.size, 'ten distinct settles and the agent change').to.equal(11);
  });

  it('close sends what is pending first; it is idempotent and announcing after it is a no-op', async () => {
    const prefix = `{news-${randomUUID()}}`;
    const heard: DispatchNewsItem[] = [];
    await news(prefix, 'b').listen((items) => heard.push(...items));
    const a = new RedisDispatchNews({ redisUrl: REDIS_URL, prefix, instanceId: 'a', log });
    a.announce({ kind: 'members-added', campaignId: 5 });
    await Promise.all([a.close(), a.close()]);
    a.announce({ kind: 'members-added', campaignId: 6 });
    await until('heard the pending item', () => heard.length === 1);
    expect(heard).to.deep.equal([{ kind: 'members-added', campaignId: 5 }]);
  });

  it('a message that is not ours is ignored', async () => {
    const prefix = `{news-${randomUUID()}}`;
    const heard: DispatchNewsItem[] = [];
    await news(prefix, 'b').listen((items) => heard.push(...items));
    const raw = new Redis(REDIS_URL);
    try {
      await raw.publish(`${prefix}:dispatch-news`, 'not json');
      await raw.publish(`${prefix}:dispatch-news`, JSON.stringify({ from: 'x', items: [{ kind: 'reboot' }] }));
      await raw.publish(`${prefix}:dispatch-news`, JSON.stringify({ from: 'x', items: [{ kind: 'agent-changed', agentId: 4 }] }));
    } finally {
      raw.disconnect();
    }
    await until('the good message heard', () => heard.length === 1);
    expect(heard).to.deep.equal([{ kind: 'agent-changed', agentId: 4 }]);
  });

  it('a process\'s own messages come back from Redis and are dropped unread; an id that merely starts the same is another process', async () => {
    const prefix = `{news-${randomUUID()}}`;
    const warnings: string[] = [];
    const watched = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
    const heard: DispatchNewsItem[] = [];
    const b = new RedisDispatchNews({ redisUrl: REDIS_URL, prefix, instanceId: 'b', log: watched });
    opened.push(b);
    await b.listen((items) => heard.push(...items));
    const raw = new Redis(REDIS_URL);
    try {
      // b's own message (as publish() starts it) that would not pass the check: not even read
      await raw.publish(`${prefix}:dispatch-news`, JSON.stringify({ from: 'b', items: [{ kind: 'reboot' }] }));
      await raw.publish(`${prefix}:dispatch-news`, JSON.stringify({ from: 'bb', items: [{ kind: 'agent-changed', agentId: 4 }] }));
    } finally {
      raw.disconnect();
    }
    await until('the other process\'s message heard', () => heard.length === 1);
    expect(heard).to.deep.equal([{ kind: 'agent-changed', agentId: 4 }]);
    expect(warnings).to.deep.equal([]);
  });
});
