export { Simulator } from './simulator.js';
export type { AgentScript, SubscriberScript, Scenario, SimulatorOptions } from './types.js';
export type { ChannelView, OriginateRecord } from './sim-switch.js';
