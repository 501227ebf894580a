import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { pino } from 'pino';
import { RedisDispatchNews } from '../../src/adapters/queue/redis-dispatch-news.js';

const log = pino({ level: 'silent' });
const REDIS_URL = 'redis://127.0.0.1:6379';

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(ok(), what).to.equal(true);
}

/** DESIGN §1a: every engine process hears that work may be possible, wherever it happened. */
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

  it('an announcement reaches the other processes of the deployment, not the sender nor another deployment', async () => {
    const prefix = `{news-${randomUUID()}}`;
    const heard = { a: 0, b: 0, c: 0, other: 0 };
    const a = news(prefix, 'a');
    await a.listen(() => heard.a++);
    await news(prefix, 'b').listen(() => heard.b++);
    await news(prefix, 'c').listen(() => heard.c++);
    await news(`{news-${randomUUID()}}`, 'd').listen(() => heard.other++);
    a.announce();
    await until('b and c heard', () => heard.b === 1 && heard.c === 1);
    // A second announcement proves the first was fully delivered before the counts are read.
    a.announce();
    await until('b and c heard twice', () => heard.b === 2 && heard.c === 2);
    expect(heard.a, 'the sender').to.equal(0);
    expect(heard.other, 'another deployment').to.equal(0);
  });

  it('a burst of announcements is folded: at least one arrives after the last, far fewer than sent', async () => {
    const prefix = `{news-${randomUUID()}}`;
    let heard = 0;
    const a = news(prefix, 'a');
    await news(prefix, 'b').listen(() => heard++);
    for (let i = 0; i < 1000; i++) a.announce();
    await until('heard', () => heard >= 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(heard).to.be.within(1, 2);
  });

  it('close is idempotent and announcing after it is a no-op', async () => {
    const a = news(`{news-${randomUUID()}}`, 'a');
    await a.listen(() => undefined);
    await Promise.all([a.close(), a.close()]);
    a.announce();
  });
});
