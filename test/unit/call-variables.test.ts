/**
 * C8: one rule for the variables of every channel of a call (the agent leg's originate, the
 * bridge to the subscriber, a predictive subscriber leg).
 */
import { expect } from 'chai';
import { callVariables } from '../../src/domain/call-variables.js';

describe('call variables (C8)', () => {
  const ids = { campaignId: 3, memberId: 7, attemptId: 11, agentId: 5 };

  it('C8: campaign variables, overridden by member variables, then the dialer ids', () => {
    expect(callVariables({ lang: 'en', queue: 'sales' }, { lang: 'uk' }, ids)).to.deep.equal({
      lang: 'uk', queue: 'sales', dialer_campaign_id: '3', dialer_member_id: '7', dialer_attempt_id: '11', dialer_agent_id: '5',
    });
  });

  it('C8: a campaign or member cannot spoof the dialer ids', () => {
    const v = callVariables({ dialer_attempt_id: '999' }, { dialer_member_id: '1', dialer_agent_id: '2' }, ids);
    expect(v).to.include({ dialer_attempt_id: '11', dialer_member_id: '7', dialer_agent_id: '5' });
  });

  it('C8: values become strings, objects as JSON; null and missing values and a missing agent are left out', () => {
    const v = callVariables({ n: 42, flag: true, tags: ['a', 'b'], gone: null }, { meta: { x: 1 } }, { ...ids, agentId: null });
    expect(v).to.deep.equal({
      n: '42', flag: 'true', tags: '["a","b"]', meta: '{"x":1}', dialer_campaign_id: '3', dialer_member_id: '7', dialer_attempt_id: '11',
    });
  });
});
