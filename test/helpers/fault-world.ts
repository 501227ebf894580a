import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { pino } from 'pino';
import { freePort } from '../../src/adapters/free-port.js';
import { Simulator, type Scenario, type SimulatorOptions } from '../../src/simulator/index.js';
import { EngineProcess, type EngineProcessOptions } from './engine-process.js';
import { seeder } from './seed.js';
import { createTestDatabase, type TestDatabase, type TestDatabaseOptions } from './test-db.js';

const LIVE = ['reserved', 'ringing_agent', 'bridging', 'talking'];

/**
 * Live subscriber legs on the simulator, from its channel events: the largest number of legs
 * at once per number (must stay 1: no member dialled twice at once), per campaign and per
 * line group (C2, C3).
 */
export class LegWatch {
  readonly #campaignOf = new Map<string, number>();
  readonly #groupOf = new Map<number, number>();
  readonly #live = new Map<string, string>();
  readonly maxPerNumber = new Map<string, number>();
  readonly maxPerCampaign = new Map<number, number>();
  readonly maxPerGroup = new Map<number, number>();
  legs = 0;

  constructor(private readonly sim: Simulator) {
    sim.on('channel-create', (uuid: string) => this.#created(uuid));
    sim.on('channel-hangup', (uuid: string) => this.#live.delete(uuid));
  }

  numbers(campaignId: number, numbers: string[], lineGroupId: number | null = null): void {
    for (const n of numbers) this.#campaignOf.set(n, campaignId);
    if (lineGroupId !== null) this.#groupOf.set(campaignId, lineGroupId);
  }

  get live(): number {
    return this.#live.size;
  }

  #created(uuid: string): void {
    const ch = this.sim.channels().find((c) => c.uuid === uuid);
    const m = ch ? /^sofia\/[^/]+\/([0-9]+)@127\.0\.0\.1:5090$/.exec(ch.name) : null;
    const n = m?.[1];
    if (!n || !this.#campaignOf.has(n)) return;
    this.#live.set(uuid, n);
    this.legs++;
    const nums = [...this.#live.values()];
    this.maxPerNumber.set(n, Math.max(this.maxPerNumber.get(n) ?? 0, nums.filter((x) => x === n).length));
    const c = this.#campaignOf.get(n)!;
    const inCampaign = nums.filter((x) => this.#campaignOf.get(x) === c).length;
    this.maxPerCampaign.set(c, Math.max(this.maxPerCampaign.get(c) ?? 0, inCampaign));
    const g = this.#groupOf.get(c);
    if (g !== undefined) {
      const inGroup = nums.filter((x) => this.#groupOf.get(this.#campaignOf.get(x)!) === g).length;
      this.maxPerGroup.set(g, Math.max(this.maxPerGroup.get(g) ?? 0, inGroup));
    }
  }
}

export interface FaultWorld {
  tdb: TestDatabase;
  db: Knex;
  sim: Simulator;
  watch: LegWatch;
  prefix: string;
  seed: ReturnType<typeof seeder>;
  engines: EngineProcess[];
  /** Starts `tsx src/main.ts` against this world; the same instance id and port make a restart. */
  engine(instanceId: string, outboundPort: number, o?: Pick<EngineProcessOptions, 'redisUrl' | 'drainSec' | 'env'>): Promise<EngineProcess>;
  /** Agents seeded in the DB, each with a phone registered on the simulator. */
  agents(n: number, campaignIds: number[], o?: { wrapupSec?: number }): Promise<number[]>;
  /** Members seeded in the DB; their numbers are watched. */
  members(campaignId: number, n: number, lineGroupId?: number | null): Promise<string[]>;
  close(): Promise<void>;
}

/** `simOptions`: the simulator's timings a fault test depends on (e.g. a message that outlasts a restart). */
export async function startFaultWorld(label: string, scenario: Scenario = {}, database: TestDatabaseOptions = {},
  simOptions: Pick<SimulatorOptions, 'abandonMessageMs'> = {}): Promise<FaultWorld> {
  const tdb = await createTestDatabase(label, database);
  const sim = new Simulator({ port: 0, scenario, log: pino({ level: 'silent' }), ...simOptions });
  const { port: simPort } = await sim.start();
  const watch = new LegWatch(sim);
  const prefix = `{dialer-f-${randomBytes(4).toString('hex')}}`;
  const seed = seeder(tdb.db);
  const engines: EngineProcess[] = [];
  const w: FaultWorld = {
    tdb, db: tdb.db, sim, watch, prefix, seed, engines,
    async engine(instanceId, outboundPort, o = {}) {
      const e = await EngineProcess.start({ dbUrl: tdb.url, simPort, outboundPort, queuePrefix: prefix, instanceId, ...o });
      engines.push(e);
      return e;
    },
    async agents(n, campaignIds, o = {}) {
      const ids = await seed.agents(n, campaignIds, { node: null });
      const rows = await tdb.db('agents').whereIn('id', ids).select('sip_user');
      for (const r of rows) {
        sim.setAgent(r.sip_user, { answer: 'answer', afterMs: 30 });
        sim.register(r.sip_user);
      }
      if (o.wrapupSec) await tdb.db('agents').whereIn('id', ids).update({ wrapup_sec: o.wrapupSec });
      return ids;
    },
    async members(campaignId, n, lineGroupId = null) {
      const ids = await seed.members(campaignId, n, { readyAt: () => new Date(Date.now() - 1000) });
      const rows = await tdb.db('communications').whereIn('member_id', ids).select('number');
      const numbers = rows.map((r) => r.number as string);
      watch.numbers(campaignId, numbers, lineGroupId);
      return numbers;
    },
    async close() {
      await Promise.all(engines.map((e) => e.killHard()));
      await sim.close();
      await tdb.drop();
    },
  };
  return w;
}

export { freePort };

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits (bounded) until every member of the campaigns has ended. */
export async function allMembersDone(db: Knex, campaignIds: number[], timeoutMs: number, engines: EngineProcess[] = []): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await db('members').whereIn('campaign_id', campaignIds).whereNot('state', 'done').count({ n: '*' }).first();
    if (Number(left?.n) === 0) return;
    if (Date.now() > deadline) {
      const states = await db('members').whereIn('campaign_id', campaignIds).groupBy('state').select('state').count({ n: '*' });
      throw new Error(`members not done: ${JSON.stringify(states)}\n${engines.map((e) => e.tail(15)).join('\n---\n')}`);
    }
    await sleep(200);
  }
}

/**
 * S3 after the dust settles: every attempt settled, never two live attempts of one member at
 * once (by their times), never two subscriber legs of one number at once (on the switch), no
 * agent stuck, no crash result, every origination uuid sent once (F2).
 */
export async function expectNothingLost(w: FaultWorld, campaignIds: number[], results: string[]): Promise<void> {
  const live = await w.db('attempts').whereIn('campaign_id', campaignIds).whereIn('state', LIVE).count({ n: '*' }).first();
  expect(Number(live?.n), 'attempts still live').to.equal(0);
  const members = await w.db('members').whereIn('campaign_id', campaignIds).select('id', 'state', 'result');
  for (const m of members) {
    expect(m.state, `member ${m.id}`).to.equal('done');
    expect(results, `member ${m.id} result`).to.include(m.result);
  }
  const attempts = await w.db('attempts').whereIn('campaign_id', campaignIds).orderBy('id').select('id', 'member_id', 'created_at', 'ended_at', 'state');
  const byMember = new Map<number, { created: number; ended: number; id: number }[]>();
  for (const a of attempts) {
    expect(a.ended_at, `attempt ${a.id} has an end`).to.not.equal(null);
    const list = byMember.get(a.member_id) ?? [];
    list.push({ id: a.id, created: new Date(a.created_at).getTime(), ended: new Date(a.ended_at).getTime() });
    byMember.set(a.member_id, list);
  }
  for (const [memberId, list] of byMember) {
    for (let i = 1; i < list.length; i++) {
      expect(list[i]!.created, `member ${memberId}: attempt ${list[i]!.id} began before ${list[i - 1]!.id} ended`).to.be.at.least(list[i - 1]!.ended);
    }
  }
  for (const [n, max] of w.watch.maxPerNumber) expect(max, `subscriber legs of ${n} at once`).to.equal(1);
  const agents = await w.db('agents').select('id', 'state', 'attempt_id', 'status');
  for (const a of agents) {
    expect(a.attempt_id, `agent ${a.id} attempt`).to.equal(null);
    expect(a.state, `agent ${a.id} state`).to.be.oneOf(['Waiting', 'Wrap up']);
  }
  const uuids = w.sim.originates().map((o) => o.originationUuid).filter((u): u is string => u !== null);
  expect(new Set(uuids).size, 'originates per origination_uuid').to.equal(uuids.length);
}
