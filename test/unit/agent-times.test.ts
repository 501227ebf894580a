import { expect } from 'chai';
import { addAgentTimes, agentTimesView, type AgentSlot } from '../../src/domain/agent-times.js';
import { SLOT_MS } from '../../src/domain/interval-buckets.js';

const t = (iso: string) => Date.parse(iso);

describe('Q2: agent time per quarter hour from the status history', () => {
  it('Q2: a state spanning quarter hours is cut at each; the status before `from` counts from `from`', () => {
    const slots = new Map<number, AgentSlot>();
    addAgentTimes(slots, [
      { at: t('2026-12-01T09:50:00Z'), status: 'Available', state: 'Waiting' }, // before from
      { at: t('2026-12-01T10:10:00Z'), status: 'Available', state: 'In a queue call' },
      { at: t('2026-12-01T10:20:00Z'), status: 'Logged Out', state: 'Wrap up' },
      { at: t('2026-12-01T10:21:00Z'), status: 'Logged Out', state: 'Waiting' },
    ], t('2026-12-01T10:05:00Z'), t('2026-12-01T11:00:00Z'));
    const at = (iso: string) => agentTimesView(slots.get(t(iso) / SLOT_MS)!);
    expect(at('2026-12-01T10:00:00Z')).to.include({ available_sec: 300, talking_sec: 300, logged_in_sec: 600, occupancy: 0.5 });
    expect(at('2026-12-01T10:15:00Z')).to.include({ talking_sec: 300, wrap_up_sec: 60, logged_in_sec: 360, occupancy: 1 });
    expect(slots.size).to.equal(2);
  });

  it('Q2: Logged Out counts nowhere; On Break is out of occupancy; the last status runs to the end', () => {
    const slots = new Map<number, AgentSlot>();
    addAgentTimes(slots, [
      { at: t('2026-12-01T10:00:00Z'), status: 'Logged Out', state: 'Waiting' },
      { at: t('2026-12-01T10:05:00Z'), status: 'On Break', state: 'Waiting' },
      { at: t('2026-12-01T10:10:00Z'), status: 'Available', state: 'Receiving' },
    ], t('2026-12-01T10:00:00Z'), t('2026-12-01T10:12:30Z'));
    const v = agentTimesView(slots.get(t('2026-12-01T10:00:00Z') / SLOT_MS)!);
    expect(v).to.include({ break_sec: 300, ringing_sec: 150, logged_in_sec: 450, occupancy: 0 });
  });
});
