import { expect } from 'chai';
import { Redis } from 'ioredis';
import knex, { type Knex } from 'knex';
import type { EngineProcess } from '../helpers/engine-process.js';
import { allMembersDone, expectNothingLost, freePort, sleep, startFaultWorld, type FaultWorld } from '../helpers/fault-world.js';

const SERVER = process.env.DIALER_TEST_DB_SERVER ?? 'mysql://root@127.0.0.1:3306';

/*
 * The engine (its own OS process) against faults of what it stands on: the FreeSWITCH event
 * socket dropped again and again (F2), the database connections killed (S3), and Redis losing
 * the wake-ups (S3). Redis: only this test's own keys (its BullMQ prefix) are deleted, which is
 * what FLUSHALL does to this engine, without wiping other users of the shared Redis.
 */
const ANSWER = { outcome: 'answer', afterMs: 80, talkMs: 300 } as const;

describe('fault: event socket, database and Redis failures under a running engine', function () {
  this.timeout(300_000);
  let w: FaultWorld;
  let eng: EngineProcess;
  before(async () => {
    w = await startFaultWorld('fault_infra', { defaultSubscriber: ANSWER });
    eng = await w.engine('fault-infra', await freePort());
  });
  afterEach(() => w.sim.setDefaultSubscriber(ANSWER));
  after(async () => { await w?.close(); });

  const settled = async () => {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && Number((await w.db('attempts').whereNot('state', 'done').whereNot('state', 'waiting_result').count({ n: '*' }).first())?.n) > 0) await sleep(100);
  };

  it('F2, S3: inbound ESL dropped 100 times during originates: never a second originate for one uuid, every member ends', async () => {
    const c = await w.seed.campaign({ call_limit: 5, retry_wait_sec: 1, max_tries: 20, min_success_sec: 0 });
    await w.agents(6, [c]);
    await w.members(c, 30);
    let sawOriginate = w.sim.originates().length;
    let dropsAfterOriginate = 0;
    for (let i = 0; i < 100; i++) {
      // Drop soon after an originate went out when the socket is up; bounded when it is not.
      const wait = Date.now() + 300;
      while (w.sim.originates().length === sawOriginate && Date.now() < wait) await sleep(5);
      if (w.sim.originates().length > sawOriginate) dropsAfterOriginate++;
      sawOriginate = w.sim.originates().length;
      await sleep(Math.floor(Math.random() * 30));
      w.sim.dropInbound();
    }
    await allMembersDone(w.db, [c], 120_000, [eng]);
    await settled();
    await expectNothingLost(w, [c], ['NORMAL_CLEARING']);
    expect(dropsAfterOriginate, 'drops that followed an originate').to.be.at.least(5);
  });

  it('S3: database connections killed at random instants mid-claim: the engine goes on, nothing lost', async () => {
    const c = await w.seed.campaign({ call_limit: 6, retry_wait_sec: 1, max_tries: 20, min_success_sec: 0 });
    await w.agents(8, [c]);
    await w.members(c, 40);
    const admin: Knex = knex({ client: 'mysql2', connection: SERVER, pool: { min: 0, max: 1 } });
    const dbName = new URL(w.tdb.url).pathname.slice(1);
    let killed = 0;
    try {
      for (let i = 0; i < 15; i++) {
        await sleep(100 + Math.floor(Math.random() * 300));
        const [rows] = await admin.raw('SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()', [dbName]);
        for (const r of rows as { ID: number }[]) {
          await admin.raw(`KILL CONNECTION ${Number(r.ID)}`).then(() => killed++, () => undefined);
        }
      }
    } finally {
      await admin.destroy();
    }
    expect(killed, 'connections killed').to.be.at.least(5);
    await allMembersDone(w.db, [c], 120_000, [eng]);
    await settled();
    await expectNothingLost(w, [c], ['NORMAL_CLEARING']);
  });

  it('S3: Redis loses every wake-up mid-campaign: rebuilt from MySQL, no retry wait shortened, no agent stuck in wrap-up, nothing lost', async () => {
    const waitSec = 3;
    const c = await w.seed.campaign({ call_limit: 4, retry_wait_sec: waitSec, max_tries: 3, min_success_sec: 0 });
    const agentIds = await w.agents(4, [c], { wrapupSec: 2 });
    // Scripted before the members exist: the running engine may dial one the moment it is stored.
    w.sim.setDefaultSubscriber({ outcome: 'busy', afterMs: 50 });
    await w.members(c, 12);
    const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 2 });
    try {
      // Members waiting out their retry, agents in wrap-up: their wake-ups live only in Redis.
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const waiting = await w.db('members').where({ campaign_id: c, state: 'ready' }).where('tries', '>=', 1).count({ n: '*' }).first();
        if (Number(waiting?.n) >= 4) break;
        await sleep(50);
      }
      const keys = await redis.keys(`${w.prefix}*`);
      expect(keys.length, 'keys of this engine in Redis').to.be.above(0);
      await redis.del(...keys);
      // Only a rebuild arms the safety sweep again (it re-arms itself when it runs, and its job is gone).
      const rebuilt = Date.now() + 30_000;
      let seen = false;
      while (!seen && Date.now() < rebuilt) {
        seen = (await redis.zrange(`${w.prefix}:timers:delayed`, 0, -1)).some((id) => id.startsWith('sweep:'));
        if (!seen) await sleep(20);
      }
      expect(seen, 'wake-ups rebuilt in Redis').to.equal(true);
    } finally {
      redis.disconnect();
    }
    await allMembersDone(w.db, [c], 120_000, [eng]);
    await settled();
    await expectNothingLost(w, [c], ['MAX_TRY_COUNT']);
    // C4: every retry waited its full wait, also across the loss.
    const attempts = await w.db('attempts').where('campaign_id', c).orderBy('id').select('member_id', 'created_at', 'ended_at');
    const last = new Map<number, number>();
    for (const a of attempts) {
      const prev = last.get(a.member_id);
      if (prev !== undefined) expect(new Date(a.created_at).getTime() - prev, `member ${a.member_id} retry gap`).to.be.at.least(waitSec * 1000 - 2);
      last.set(a.member_id, new Date(a.ended_at).getTime());
    }
    expect(attempts).to.have.length(36);
    // Wrap-up wake-ups were lost too: every agent still gets back to Waiting.
    const back = Date.now() + 20_000;
    let states: string[] = [];
    while (Date.now() < back) {
      states = (await w.db('agents').whereIn('id', agentIds).select('state')).map((r) => r.state as string);
      if (states.every((s) => s === 'Waiting')) break;
      await sleep(100);
    }
    expect(states).to.deep.equal(agentIds.map(() => 'Waiting'));
  });
});
