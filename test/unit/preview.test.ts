import { expect } from 'chai';
import { agentAfterPreview, memberAfterPreview, onPreviewTimeout } from '../../src/domain/preview.js';
import type { AgentView } from '../../src/domain/agent-state.js';

const NOW = new Date('2026-12-04T10:00:00.000Z');
const agent: AgentView = {
  status: 'Available', state: 'Reserved', readyAt: new Date(0), noAnswerCount: 1, wrapupSec: 10, maxNoAnswer: 3,
  busyDelaySec: 5, rejectDelaySec: 6, noAnswerDelaySec: 30,
};

describe('P2: preview rules (domain/preview)', () => {
  it('P2: at the end of the preview time an accept still dials; otherwise the campaign\'s policy decides', () => {
    expect(onPreviewTimeout('accepted', 'return')).to.equal('dial');
    expect(onPreviewTimeout(null, 'dial')).to.equal('dial');
    expect(onPreviewTimeout(null, 'return')).to.equal('return');
  });

  it('P2, C4: a member not dialled after its preview uses no try and waits the retry wait', () => {
    expect(memberAfterPreview(120, NOW)).to.deep.equal({ kind: 'retry', readyAt: new Date(NOW.getTime() + 120_000), counts: 'none', stopNumber: false });
  });

  it('P2, A3: a skip frees the agent now (its no-answer streak over); a returned preview is an unanswered offer', () => {
    expect(agentAfterPreview(agent, 'skipped', NOW)).to.include({ state: 'Waiting', readyAt: NOW, noAnswerCount: 0, status: 'Available' });
    const timedOut = agentAfterPreview(agent, 'timed_out', NOW);
    expect(timedOut).to.include({ state: 'Waiting', noAnswerCount: 2, status: 'Available' });
    expect(timedOut.readyAt).to.deep.equal(new Date(NOW.getTime() + 30_000));
    expect(timedOut).to.not.have.property('unregistered');
    const third = agentAfterPreview({ ...agent, noAnswerCount: 2 }, 'timed_out', NOW);
    expect(third).to.include({ status: 'On Break', noAnswerCount: 0 });
  });
});
