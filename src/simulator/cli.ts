// `npm run simulator -- --scenario file.json [--port 8021] [--host 127.0.0.1] [--password ClueCon]
//  [--agent-socket 127.0.0.1:8084] [--route-timeout 60]`: a standalone simulated FreeSWITCH.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { loadSimulatorConfig } from '../config.js';
import { Simulator } from './simulator.js';
import type { Scenario } from './types.js';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string' },
    port: { type: 'string', default: '8021' },
    host: { type: 'string', default: '127.0.0.1' },
    password: { type: 'string', default: 'ClueCon' },
    'agent-socket': { type: 'string', default: '127.0.0.1:8084' },
    'route-timeout': { type: 'string', default: '60' },
  },
});

const log = pino({ level: loadSimulatorConfig().logLevel, base: { svc: 'fs-simulator' } });
const scenario: Scenario = values.scenario ? JSON.parse(readFileSync(values.scenario, 'utf8')) as Scenario : {};
const sim = new Simulator({
  host: values.host, port: Number(values.port), password: values.password, scenario, log,
  agentContextSocket: values['agent-socket'], routeCallTimeoutSec: Number(values['route-timeout']),
});
sim.on('originate', (o: unknown) => log.info({ originate: o }, 'originate'));
sim.on('channel-hangup', (uuid: string, cause: string) => log.info({ uuid, cause }, 'channel ended'));
const addr = await sim.start();
log.info(addr, 'FreeSWITCH simulator ready');

const stop = () => {
  const force = setTimeout(() => process.exit(1), 5000);
  force.unref();
  void sim.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
