/**
 * The "agent ready → originate sent" measure shared by the engine benches: the real Engine in the
 * bench process with a telephony port that only timestamps the originate.
 */
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { pino } from 'pino';
import { MysqlPreviewStore } from '../src/adapters/mysql/preview-store.js';
import { MysqlCallStore } from '../src/adapters/mysql/call-store.js';
import { MysqlDispatchStore } from '../src/adapters/mysql/claim-store.js';
import { MysqlEngineStore } from '../src/adapters/mysql/engine-store.js';
import { MysqlStatusStore } from '../src/adapters/mysql/result-status-store.js';
import { statusApplier } from '../src/app/apply-result-status.js';
import { BullmqTimers } from '../src/adapters/queue/bullmq-timers.js';
import type { RedisTarget } from '../src/adapters/queue/redis-connection.js';
import { Engine } from '../src/app/engine/engine.js';
import type { AgentLegRequest, ConnectResult, HeldCall, MemberLegRequest, NailedLegRequest, OriginateResult, Telephony } from '../src/app/ports/telephony.js';
import { sleep } from './engine-setup.js';

const REDIS_URL = process.env.DIALER_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Telephony that only records when the originate was sent, then puts the agent on break and reports "unknown" (no charge, A3). */
export class OriginateProbe implements Telephony {
  next: ((t: number) => void) | null = null;
  constructor(private readonly db: Knex) {}
  async start(): Promise<void> {}
  async originateAgent(req: AgentLegRequest): Promise<OriginateResult> {
    const t = performance.now();
    this.next?.(t);
    this.next = null;
    await this.db('agents').where('sip_user', req.sipUser).update({ status: 'On Break' });
    return { kind: 'unknown', legUuid: req.legUuid, reason: 'bench' };
  }
  async originateNailedLeg(req: NailedLegRequest): Promise<OriginateResult> { return { kind: 'unknown', legUuid: req.legUuid, reason: 'bench' }; }
  async originateMemberLeg(req: MemberLegRequest): Promise<OriginateResult> { return { kind: 'unknown', legUuid: req.legUuid, reason: 'bench' }; }
  async connectMemberLeg(): Promise<ConnectResult> { return 'unknown'; }
  async abandonMemberLeg(): Promise<ConnectResult> { return 'unknown'; }
  followMemberLeg(): void {}
  async memberLegRecord(): Promise<null> { return null; }
  async memberLegRecords(): Promise<'unknown'> { return 'unknown'; }
  async forgetMemberLeg(): Promise<boolean> { return false; }
  async moduleLoaded(): Promise<'unknown'> { return 'unknown'; }
  async exists(): Promise<boolean> { return false; }
  async inspect(): Promise<HeldCall> { return { kind: 'gone' }; }
  adopt(): void {}
  async kill(): Promise<void> {}
  upNodes(): string[] { return ['bench']; }
  async close(): Promise<void> {}
}

/** The engine over `db` with an OriginateProbe for its telephony; `close` stops both it and its timers. */
export async function probeEngine(db: Knex, instanceId: string, redis: RedisTarget = REDIS_URL): Promise<{ engine: Engine; probe: OriginateProbe; close: () => Promise<void> }> {
  const silent = pino({ level: 'silent' });
  const probe = new OriginateProbe(db);
  const timers = new BullmqTimers({ redisUrl: redis, prefix: `{bench-e-${randomBytes(3).toString('hex')}}`, log: silent });
  const engine = new Engine({
    dispatchStore: new MysqlDispatchStore(db), calls: new MysqlCallStore(db), previews: new MysqlPreviewStore(db), engineStore: new MysqlEngineStore(db),
    resultStatus: statusApplier(new MysqlStatusStore(db)), telephony: probe, timers, log: silent,
    instanceId, leaseSec: 30,
  });
  await engine.start();
  return { engine, probe, close: async () => { await engine.close(); await timers.close(); } };
}

/** Waits until the agent's last call ended (the probe put it on break). */
export async function waitAgentIdle(db: Knex, agentId: number): Promise<void> {
  for (let i = 0; i < 5000; i++) {
    const a = await db('agents').where('id', agentId).first('state', 'attempt_id', 'status');
    if (a.state === 'Waiting' && a.attempt_id === null && a.status === 'On Break') return;
    await sleep(2);
  }
  throw new Error('agent never idle');
}

/**
 * One sample, ms: the agent is made Available and the engine told (what the REST layer does) →
 * the originate. null when the engine's own housekeeping pass found the agent first (an originate
 * before it was told is not this path).
 */
export async function readyToOriginate(db: Knex, engine: Engine, probe: OriginateProbe, agentId: number): Promise<number | null> {
  // Armed before the agent is Available, so no originate can be missed.
  const sent = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no originate within 60 s of the agent being ready')), 60_000);
    probe.next = (t) => { clearTimeout(timer); resolve(t); };
  });
  await db('agents').where('id', agentId).update({ status: 'Available' });
  const t0 = performance.now();
  engine.agentChanged(agentId);
  const t = await sent;
  return t >= t0 ? t - t0 : null;
}
