/*
 * Test harness: the FreeSWITCH adapter wired to the simulator over real TCP, and a handler that
 * records what the engine would receive. Not a test file itself (no `.test.ts`).
 */
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import type { AgentLegRequest, BridgePlan, ServiceCode, TelephonyEvent, TelephonyHandler } from '../../src/app/ports/telephony.js';
import { FreeSwitchTelephony, type FreeSwitchTelephonyOptions } from '../../src/adapters/freeswitch/telephony.js';
import { freePort, freePorts } from '../../src/adapters/free-port.js';
import { Simulator } from '../../src/simulator/index.js';
import type { Scenario } from '../../src/simulator/index.js';

export const silent = pino({ level: process.env['TEST_LOG'] ?? 'silent' });

export class RecordingHandler implements TelephonyHandler {
  readonly events: TelephonyEvent[] = [];
  readonly serviceCalls: { node: string; sipUser: string; code: ServiceCode }[] = [];
  readonly planned: { attemptId: number; legUuid: string }[] = [];
  plan: (attemptId: number) => BridgePlan = () => ({ kind: 'bridge', number: '5551234', variables: { dialer_campaign: 'camp-1' }, callerIdNumber: '5550000', callerIdName: 'Dialer' });
  serviceResult = true;

  async onEvent(e: TelephonyEvent): Promise<void> {
    this.events.push(e);
  }
  async planBridge(attemptId: number, legUuid: string): Promise<BridgePlan> {
    this.planned.push({ attemptId, legUuid });
    return this.plan(attemptId);
  }
  async onServiceCode(node: string, sipUser: string, code: ServiceCode): Promise<boolean> {
    this.serviceCalls.push({ node, sipUser, code });
    return this.serviceResult;
  }

  of<K extends TelephonyEvent['kind']>(kind: K): Extract<TelephonyEvent, { kind: K }>[] {
    return this.events.filter((e): e is Extract<TelephonyEvent, { kind: K }> => e.kind === kind);
  }

  /** Events about one attempt, in arrival order. */
  forAttempt(attemptId: number): TelephonyEvent[] {
    return this.events.filter(
      (e) => (e.kind === 'member-ended' && e.result.attemptId === attemptId) || ((e.kind === 'member-answered' || e.kind === 'agent-hangup') && e.attemptId === attemptId),
    );
  }
}

/** Polls until `pred` is true; every wait has a deadline. */
export async function waitFor(pred: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Rig {
  sim: Simulator;
  tel: FreeSwitchTelephony;
  handler: RecordingHandler;
  node: string;
  close(): Promise<void>;
}

export async function startRig(scenario: Scenario, opts: Partial<FreeSwitchTelephonyOptions> & { password?: string; simPassword?: string; routeCallTimeoutSec?: number; abandonMessageMs?: number } = {}): Promise<Rig> {
  const [outboundPort, simListenPort] = await freePorts(2);
  const outbound = `127.0.0.1:${outboundPort}`;
  const sim = new Simulator({ port: simListenPort!, scenario, password: opts.simPassword ?? 'ClueCon', routeCallTimeoutSec: opts.routeCallTimeoutSec ?? 60, agentContextSocket: outbound, abandonMessageMs: opts.abandonMessageMs ?? 3000 });
  const { host, port } = await sim.start();
  const node = `${host}:${port}`;
  const handler = new RecordingHandler();
  const tel = new FreeSwitchTelephony({
    nodes: [{ name: node, host, port, password: opts.password ?? 'ClueCon' }],
    outbound: { listen: outbound, advertise: outbound },
    sofiaProfile: 'internal',
    routeContext: 'dialer-out',
    log: silent,
    reconnect: { minBackoffMs: 10, maxBackoffMs: 100, connectTimeoutMs: 2_000 },
    ...opts,
  });
  await tel.start(handler);
  return {
    sim,
    tel,
    handler,
    node,
    async close() {
      await tel.close();
      await sim.close();
    },
  };
}

let nextAttempt = 1;
export function legRequest(node: string, sipUser: string, over: Partial<AgentLegRequest> = {}): AgentLegRequest {
  return { attemptId: nextAttempt++, legUuid: randomUUID(), node, sipUser, ringSec: 5, callerIdNumber: '5550000', callerIdName: 'Dialer', variables: {}, ...over };
}

export { freePort };
