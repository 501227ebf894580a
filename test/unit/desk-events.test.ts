import { expect } from 'chai';
import { deriveDeskEvents, type DeskEvent } from '../../src/app/agent-desk/desk-events.js';
import type { DeskState } from '../../src/contract/agent-desk-schemas.js';

const T0 = new Date('2026-12-04T10:00:00.000Z');
const at = (sec: number) => new Date(T0.getTime() + sec * 1000).toISOString();

function state(agent: Partial<DeskState['agent']>, attempt: Record<string, unknown> | null, live = true, wrapUp: string | null = null): DeskState {
  return {
    agent: { id: 1, name: 'a', sip_user: '1@x', call_timeout: 5, wrapup_sec: 10, max_no_answer: 3, busy_delay_sec: 1, reject_delay_sec: 1, no_answer_delay_sec: 1,
      status: 'Available', break_reason: null, state: 'Waiting', no_answer_count: 0, ready_at: null, registered_node: null, version: 1,
      created_at: at(0), updated_at: at(0), ...agent } as DeskState['agent'],
    wrap_up_ends_at: wrapUp,
    call: attempt === null ? null : {
      live,
      attempt: { id: 7, communication_id: 1, number: '555', agent_id: 1, node: 'n', state: 'reserved', agent_uuid: null, member_uuid: null, created_at: at(0),
        agent_answered_at: null, answered_at: null, ended_at: null, agent_cause: null, hangup_cause: null, talk_sec: null, outcome: null,
        result_status: null, comment: null, ...attempt } as never,
      campaign: { id: 1, name: 'c', wait_result: false, allow_end_wrap_up_early: false },
      member: { id: 2, name: 'm', priority: 0, variables: {}, state: 'dialing', tries: 0, result: null },
      number: '555', try_number: 1, previous_attempts: [],
    },
  };
}

const types = (es: DeskEvent[]) => es.map((e) => e.type);

describe('W3: the agent events derived from desk states (desk-events)', () => {
  const idle = deriveDeskEvents(null, state({}, null), T0, true).mark;

  it('W3: a call seen only once it is over still tells every step it went through, in order, then wrap-up', () => {
    const over = state({ state: 'Wrap up', ready_at: at(30) }, {
      state: 'done', agent_answered_at: at(1), answered_at: at(2), ended_at: at(9), hangup_cause: 'NORMAL_CLEARING', talk_sec: 7,
    }, false, at(30));
    const { events } = deriveDeskEvents(idle, over, new Date(T0.getTime() + 10_000));
    expect(types(events)).to.deep.equal(['reserved', 'ringing', 'connected', 'subscriber_answered', 'hung_up', 'agent', 'wrap_up']);
    expect(events.find((e) => e.type === 'hung_up')).to.include({ attempt_id: 7, cause: 'NORMAL_CLEARING', talk_sec: 7 });
  });

  it('P2, W3: a preview is told as reserved, rings once accepted; a skipped or returned preview is reserved then hung up, never ringing', () => {
    const preview = deriveDeskEvents(idle, state({ state: 'Reserved' }, { state: 'previewing', preview_deadline_at: at(30) }), T0);
    expect(types(preview.events)).to.deep.equal(['reserved', 'agent']);
    const accepted = deriveDeskEvents(preview.mark, state({ state: 'Receiving' }, { state: 'ringing_agent', preview_decision: 'accepted' }), T0);
    expect(types(accepted.events)).to.deep.equal(['ringing', 'agent']);
    for (const [decision, cause] of [['skipped', 'PREVIEW_SKIPPED'], ['timed_out', 'PREVIEW_TIMEOUT']]) {
      const ended = deriveDeskEvents(preview.mark, state({ state: 'Waiting' }, {
        state: 'done', outcome: 'skipped', preview_decision: decision, agent_cause: cause, ended_at: at(5),
      }, false), T0);
      expect(types(ended.events), decision).to.deep.equal(['hung_up', 'agent']);
      expect(ended.events[0]).to.include({ cause, outcome: 'skipped' });
    }
  });

  it('W3: steps already told are not told again; the next read tells only what is new', () => {
    const ringing = deriveDeskEvents(idle, state({ state: 'Receiving' }, { state: 'ringing_agent' }), T0);
    expect(types(ringing.events)).to.deep.equal(['reserved', 'ringing', 'agent']);
    const again = deriveDeskEvents(ringing.mark, state({ state: 'Receiving' }, { state: 'ringing_agent' }), T0);
    expect(again.events).to.deep.equal([]);
    const connected = deriveDeskEvents(ringing.mark, state({ state: 'In a queue call' }, { state: 'bridging', agent_answered_at: at(1) }), T0);
    expect(types(connected.events)).to.deep.equal(['connected', 'agent']);
  });

  it('W3, A3: a delay is told with its end instant, and its end once the instant has passed (or the next call came)', () => {
    const failed = state({ ready_at: at(30) }, { state: 'done', agent_cause: 'USER_BUSY', ended_at: at(1) }, false);
    const d = deriveDeskEvents(idle, failed, T0);
    expect(types(d.events)).to.deep.equal(['reserved', 'ringing', 'hung_up', 'agent', 'delay']);
    expect(d.events.at(-1)).to.include({ until: at(30) });
    expect(types(deriveDeskEvents(d.mark, failed, new Date(T0.getTime() + 29_000)).events)).to.deep.equal([]);
    expect(types(deriveDeskEvents(d.mark, failed, new Date(T0.getTime() + 31_000)).events)).to.deep.equal(['delay_end']);
    const next = state({ state: 'Reserved', ready_at: at(30) }, { id: 8, state: 'reserved' });
    expect(types(deriveDeskEvents(d.mark, next, new Date(T0.getTime() + 31_000)).events)).to.deep.equal(['delay_end', 'reserved', 'agent']);
  });

  it('W3: a result is told once, when the attempt gets it; silent marking tells nothing', () => {
    const wrap = state({ state: 'Wrap up', ready_at: at(30) }, { state: 'waiting_result', agent_answered_at: at(1), ended_at: at(5) }, false, at(30));
    const w = deriveDeskEvents(null, wrap, T0, true);
    expect(w.events).to.deep.equal([]);
    const withResult = state({ state: 'Wrap up', ready_at: at(30) }, { state: 'done', agent_answered_at: at(1), ended_at: at(5),
      result_status: { success: true }, outcome: 'success', comment: 'ok' }, false, at(30));
    const r = deriveDeskEvents(w.mark, withResult, T0);
    expect(types(r.events)).to.deep.equal(['result_accepted']);
    expect(r.events[0]).to.include({ attempt_id: 7, outcome: 'success', comment: 'ok' });
    expect(deriveDeskEvents(r.mark, withResult, T0).events).to.deep.equal([]);
  });
});
