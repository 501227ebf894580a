import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { RedisLiveRelay } from '../../src/adapters/queue/redis-live-relay.js';
import { LiveFeed } from '../../src/app/engine/live-feed.js';

const log = pino({ level: 'silent' });
const REDIS_URL = 'redis://127.0.0.1:6379';

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(ok(), what).to.equal(true);
}

/** What a feed shows, and what it would relay. */
function record(feed: LiveFeed) {
  const seen = { agents: [] as number[], campaigns: [] as number[] };
  feed.on('agent', (id) => seen.agents.push(id));
  feed.on('campaign', (id) => seen.campaigns.push(id));
  return seen;
}

/** DESIGN §1a: a live board on any process sees the changes only another process knows of. */
describe('live relay between processes (real Redis pub/sub)', () => {
  const opened: RedisLiveRelay[] = [];
  const relay = async (prefix: string, instanceId: string, feed = new LiveFeed(), batchMs = 5) => {
    const r = new RedisLiveRelay({ redisUrl: REDIS_URL, prefix, instanceId, log, batchMs });
    opened.push(r);
    await r.start(feed);
    return feed;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((r) => r.close()));
  });

  it('A5: a change made here reaches the other processes\' feeds once, not its own again, nor another deployment', async () => {
    const prefix = `{live-${randomUUID()}}`;
    const a = await relay(prefix, 'a');
    const seenA = record(a);
    const seenB = record(await relay(prefix, 'b'));
    const seenOther = record(await relay(`{live-${randomUUID()}}`, 'c'));
    a.agent(3);
    a.campaign(7);
    await until('b saw both', () => seenB.agents.length === 1 && seenB.campaigns.length === 1);
    expect(seenB).to.deep.equal({ agents: [3], campaigns: [7] });
    // A second change proves the first was fully delivered before the others are read.
    a.agent(4);
    await until('b saw the second', () => seenB.agents.length === 2);
    expect(seenA, 'the sender shows its own changes once').to.deep.equal({ agents: [3, 4], campaigns: [7] });
    expect(seenOther).to.deep.equal({ agents: [], campaigns: [] });
  });

  it('A5: what a feed only shows (dispatch news, relayed changes) is not relayed again', async () => {
    const prefix = `{live-${randomUUID()}}`;
    const a = await relay(prefix, 'a');
    const seenB = record(await relay(prefix, 'b'));
    a.show({ agents: [1], campaigns: [2] });
    a.agent(9);
    await until('b saw the relayed change', () => seenB.agents.includes(9));
    expect(seenB).to.deep.equal({ agents: [9], campaigns: [] });
  });

  it('A5: a burst goes out in few messages, each id once', async () => {
    const prefix = `{live-${randomUUID()}}`;
    const messages: string[] = [];
    const spy = new Redis(REDIS_URL);
    try {
      await spy.subscribe(`${prefix}:live`);
      spy.on('message', (_c: string, m: string) => messages.push(m));
      const a = await relay(prefix, 'a');
      for (let i = 0; i < 1000; i++) {
        a.agent(1 + (i % 10));
        a.campaign(1 + (i % 5));
      }
      a.agent(99);
      await until('the last id heard', () => messages.some((m) => JSON.parse(m).agents.includes(99)));
      expect(messages.length, 'messages').to.be.at.most(3);
      const agents = messages.flatMap((m) => JSON.parse(m).agents as number[]);
      expect(new Set(agents).size).to.equal(11);
    } finally {
      spy.disconnect();
    }
  });

  it('A5, W3: a change made while a message is on its way goes out in the next one, and every later change still goes out', async () => {
    // The relay's gathering timer ended with nothing left to send (the message in flight had taken
    // the change): the relay then thought a publish was still running and never sent again.
    const prefix = `{live-${randomUUID()}}`;
    const BATCH_MS = 40;
    const a = await relay(prefix, 'a', new LiveFeed(), BATCH_MS);
    const seenB = record(await relay(prefix, 'b'));
    for (let round = 1; round <= 3; round++) {
      const first = round * 10;
      a.agent(first);
      // Due with the relay's own timer and after it, in the same turn: its PUBLISH is in flight.
      setTimeout(() => a.agent(first + 1), BATCH_MS);
      await until(`b saw round ${round}`, () => seenB.agents.includes(first + 1));
      // The timer the second change started has fired, with nothing left to send.
      await new Promise((r) => setTimeout(r, 3 * BATCH_MS));
    }
    a.agent(99);
    await until('b saw the change made after', () => seenB.agents.includes(99));
    expect(seenB.agents).to.deep.equal([10, 11, 20, 21, 30, 31, 99]);
  });

  it('A5: the feed is live once the relay is subscribed, and not after it closed; a foreign message is ignored', async () => {
    const prefix = `{live-${randomUUID()}}`;
    const feed = new LiveFeed();
    const statuses: boolean[] = [];
    feed.on('status', (s) => statuses.push(s));
    const r = new RedisLiveRelay({ redisUrl: REDIS_URL, prefix, instanceId: 'a', log });
    opened.push(r);
    await r.start(feed);
    expect(feed.live).to.equal(true);
    const seen = record(feed);
    const pub = new Redis(REDIS_URL);
    try {
      await pub.publish(`${prefix}:live`, JSON.stringify({ from: 'x', agents: ['1'], campaigns: [] }));
      await pub.publish(`${prefix}:live`, 'not json');
      await pub.publish(`${prefix}:live`, JSON.stringify({ from: 'x', agents: [5], campaigns: [] }));
      await until('the good message shown', () => seen.agents.length === 1);
      expect(seen.agents).to.deep.equal([5]);
    } finally {
      pub.disconnect();
    }
    await r.close();
    await r.close();
    expect(feed.live).to.equal(false);
    expect(statuses).to.deep.equal([false, true, false]);
  });

  it('A5: a dropped subscription makes the feed not live until ioredis has subscribed again', async () => {
    const prefix = `{live-${randomUUID()}}`;
    const feed = await relay(prefix, 'a');
    const statuses: boolean[] = [];
    feed.on('status', (s) => statuses.push(s));
    const seen = record(feed);
    const admin = new Redis(REDIS_URL);
    try {
      const list = (await admin.client('LIST')) as string;
      const line = list.split('\n').find((l) => l.includes(`name=${prefix}:live:a `));
      expect(line, 'the relay\'s named subscriber connection').to.be.a('string');
      await admin.client('KILL', 'ID', /\bid=(\d+)/.exec(line!)![1]!);
      await until('not live, then live again', () => statuses.length === 2);
      expect(statuses).to.deep.equal([false, true]);
      // Subscribed again: another process's change is shown.
      const b = await relay(prefix, 'b');
      await until('b\'s change shown', () => {
        b.agent(8);
        return seen.agents.includes(8);
      });
    } finally {
      admin.disconnect();
    }
  });
});
