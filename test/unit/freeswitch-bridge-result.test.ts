/*
 * C6, C9: the subscriber result when some events are missing (the recorded complete cases are in
 * freeswitch-event-parser.test.ts).
 */
import { expect } from 'chai';
import { memberOutcome } from '../../src/adapters/freeswitch/bridge-result.js';
import type { ChannelEvent } from '../../src/adapters/freeswitch/channel-event.js';

function ev(over: Partial<ChannelEvent>): ChannelEvent {
  return {
    name: 'CHANNEL_EXECUTE_COMPLETE', uuid: 'agent', otherLegUuid: null, cause: null, answerState: 'answered', at: null,
    answeredAt: null, bridgedAt: null, hangupAt: null, billsec: null, application: 'bridge', applicationUuid: 'x', variables: {},
    ...over,
  };
}

describe('FreeSWITCH bridge result', () => {
  const now = new Date('2026-11-25T15:00:00Z');

  it('C6: without CHANNEL_BRIDGE, bridge_epoch gives the answer time and the completion the end', () => {
    const complete = ev({
      at: new Date('2026-11-25T14:59:50Z'),
      variables: { bridge_epoch: String(Date.parse('2026-11-25T14:59:40Z') / 1000), last_bridge_hangup_cause: 'NORMAL_CLEARING', bridge_uuid: 'member-1', originate_disposition: 'SUCCESS' },
    });
    const out = memberOutcome({ bridge: null, unbridge: null, complete, agentHangup: null, lastEventAt: null }, 'hint', 'UNKNOWN', now);
    expect(out).to.deep.include({ cause: 'NORMAL_CLEARING', talkSec: 10, memberUuid: 'member-1' });
  });

  it('C9: a failed bridge takes the subscriber cause, never SUCCESS or the agent cause', () => {
    const complete = ev({ cause: 'NORMAL_CLEARING', variables: { originate_disposition: 'NO_ANSWER', DIALSTATUS: 'NOANSWER' } });
    const out = memberOutcome({ bridge: null, unbridge: null, complete, agentHangup: null, lastEventAt: null }, 'hint', 'UNKNOWN', now);
    expect(out).to.deep.include({ cause: 'NO_ANSWER', answeredAt: null, talkSec: 0, memberUuid: 'hint' });
  });

  it('C9, S3: nothing reported at all: the end is unknown, no answer, the current time', () => {
    const out = memberOutcome({ bridge: null, unbridge: null, complete: null, agentHangup: null, lastEventAt: null }, null, 'UNKNOWN', now);
    expect(out).to.deep.equal({ memberUuid: null, cause: 'UNKNOWN', answeredAt: null, endedAt: now, talkSec: 0, endKnown: false });
  });

  it('C6, S3: an answered call whose end was never reported runs to its last event, not to the moment we gave up', () => {
    const bridge = ev({ name: 'CHANNEL_BRIDGE', otherLegUuid: 'm', bridgedAt: new Date('2026-11-25T14:59:00.200Z') });
    const lastEventAt = new Date('2026-11-25T14:59:01.000Z');
    const out = memberOutcome({ bridge, unbridge: null, complete: null, agentHangup: null, lastEventAt }, null, 'UNKNOWN', now);
    expect(out).to.deep.equal({ memberUuid: 'm', cause: 'UNKNOWN', answeredAt: bridge.bridgedAt, endedAt: lastEventAt, talkSec: 0, endKnown: false });
  });

  it('C6: an unbridge tells the end even when nothing followed it (socket lost afterwards)', () => {
    const bridge = ev({ name: 'CHANNEL_BRIDGE', otherLegUuid: 'm', bridgedAt: new Date('2026-11-25T14:59:00.000Z') });
    const unbridge = ev({ name: 'CHANNEL_UNBRIDGE', at: new Date('2026-11-25T14:59:12.500Z') });
    const out = memberOutcome({ bridge, unbridge, complete: null, agentHangup: null, lastEventAt: unbridge.at }, null, 'UNKNOWN', now);
    expect(out).to.deep.include({ talkSec: 12, endKnown: true, cause: 'NORMAL_CLEARING' });
  });

  it('C6: talk time is bridge → unbridge, truncated to whole seconds', () => {
    const bridge = ev({ name: 'CHANNEL_BRIDGE', otherLegUuid: 'm', bridgedAt: new Date('2026-11-25T14:00:00.900Z') });
    const unbridge = ev({ name: 'CHANNEL_UNBRIDGE', at: new Date('2026-11-25T14:00:59.899Z'), variables: { last_bridge_hangup_cause: 'NORMAL_CLEARING' } });
    const out = memberOutcome({ bridge, unbridge, complete: null, agentHangup: null, lastEventAt: null }, null, 'UNKNOWN', now);
    expect(out).to.deep.include({ talkSec: 58, memberUuid: 'm', cause: 'NORMAL_CLEARING' });
  });
});
