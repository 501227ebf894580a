import { expect } from 'chai';
import { applyEvent, clock, phaseOf, type DeskCall, type DeskView } from '../../web/src/agent-desk-state.js';

const NOW = '2026-12-04T10:00:00.000Z';

function call(id: number): DeskCall {
  return {
    live: true,
    attempt: { id, number: '5551234', state: 'reserved', created_at: NOW, agent_answered_at: null, answered_at: null, ended_at: null,
      agent_cause: null, hangup_cause: null, talk_sec: null, outcome: null, result_status: null, comment: null,
      preview_deadline_at: null, preview_decision: null },
    campaign: { id: 5, name: 'Renewals', wait_result: true, allow_end_wrap_up_early: true },
    member: { id: 9, name: 'Ada', priority: 7, variables: {}, state: 'dialing', tries: 1, result: null },
    number: '5551234', try_number: 1, previous_attempts: [],
  };
}

const waiting: DeskView = {
  agent: { id: 3, name: 'Olena', status: 'Available', break_reason: null, state: 'Waiting', ready_at: null, registered_node: 'fs1', requires_client: true },
  wrap_up_ends_at: null, call: null, delay_until: null,
};

/*
 * W3, W5: the agent page applies the socket's events to the snapshot, keyed by the attempt id;
 * an event the snapshot already shows changes nothing (docs/agent-protocol.md "Order").
 */
describe('agent page state (W3, W5)', () => {
  it('W3: a call from reservation to result moves through the phases; a repeated event changes nothing', () => {
    let s = applyEvent(waiting, { type: 'reserved', attempt_id: 812, call: call(812) }, NOW);
    expect(phaseOf(s.call!.attempt)).to.equal('reserved');
    s = applyEvent(s, { type: 'ringing', attempt_id: 812 }, NOW);
    expect(phaseOf(s.call!.attempt)).to.equal('ringing');
    s = applyEvent(s, { type: 'connected', attempt_id: 812 }, NOW);
    expect(phaseOf(s.call!.attempt)).to.equal('connected');
    s = applyEvent(s, { type: 'subscriber_answered', attempt_id: 812, answered_at: '2026-12-04T10:00:07.000Z' }, NOW);
    expect(phaseOf(s.call!.attempt)).to.equal('talking');
    const again = applyEvent(s, { type: 'subscriber_answered', attempt_id: 812, answered_at: '2026-12-04T10:00:09.000Z' }, NOW);
    expect(again).to.deep.equal(s);
    s = applyEvent(s, { type: 'hung_up', attempt_id: 812, cause: 'NORMAL_CLEARING', agent_cause: null, talk_sec: 94, outcome: 'waiting_result' }, NOW);
    expect(s.call).to.deep.include({ live: false });
    expect(s.call!.attempt).to.include({ hangup_cause: 'NORMAL_CLEARING', talk_sec: 94, outcome: 'waiting_result', ended_at: NOW });
    s = applyEvent(s, { type: 'agent', attempt_id: 812, status: 'Available', break_reason: null, state: 'Wrap up', ready_at: NOW }, NOW);
    s = applyEvent(s, { type: 'wrap_up', attempt_id: 812, ends_at: '2026-12-04T10:02:00.000Z' }, NOW);
    expect(s.wrap_up_ends_at).to.equal('2026-12-04T10:02:00.000Z');
    s = applyEvent(s, { type: 'result_accepted', attempt_id: 812, result_status: { success: true }, outcome: 'success', comment: 'renewed' }, NOW);
    expect(s.call!.attempt).to.include({ outcome: 'success', comment: 'renewed' });
    s = applyEvent(s, { type: 'agent', attempt_id: 812, status: 'Available', break_reason: null, state: 'Waiting', ready_at: null }, NOW);
    expect(s.wrap_up_ends_at).to.equal(null);
    expect(s.agent.state).to.equal('Waiting');
  });

  it('P2, W5: a preview is its own phase until the agent accepts and the phone rings', () => {
    const c = call(813);
    c.attempt = { ...c.attempt, state: 'previewing', preview_deadline_at: '2026-12-04T10:00:30.000Z' };
    let s = applyEvent(waiting, { type: 'reserved', attempt_id: 813, call: c }, NOW);
    expect(phaseOf(s.call!.attempt)).to.equal('preview');
    s = applyEvent(s, { type: 'ringing', attempt_id: 813 }, NOW);
    expect(phaseOf(s.call!.attempt)).to.equal('ringing');
  });

  it('W3: an event about another call leaves the shown call alone; a delay and its end are kept', () => {
    const s = applyEvent(waiting, { type: 'reserved', attempt_id: 812, call: call(812) }, NOW);
    expect(applyEvent(s, { type: 'hung_up', attempt_id: 700, cause: 'USER_BUSY' }, NOW).call).to.deep.equal(s.call);
    const delayed = applyEvent(s, { type: 'delay', attempt_id: 812, until: NOW }, NOW);
    expect(delayed.delay_until).to.equal(NOW);
    expect(applyEvent(delayed, { type: 'delay_end', attempt_id: 812 }, NOW).delay_until).to.equal(null);
    expect(applyEvent(s, { type: 'something_new', attempt_id: 812 }, NOW)).to.deep.equal(s);
  });

  it('W5: talk and countdown times read as m:ss, h:mm:ss past an hour', () => {
    expect([clock(0), clock(75), clock(3700), clock(-3)]).to.deep.equal(['0:00', '1:15', '1:01:40', '0:00']);
  });
});
