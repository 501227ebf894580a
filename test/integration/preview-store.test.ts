// P2 (issue 14): a preview's accept and end are plans applied by one guarded UPDATE. A row moved
// between the snapshot and the write (an agent's status, an accept racing the preview time, a
// member changed) makes the write a no-op; the rows are then read and planned again.
import { claimBest } from '../helpers/claim-best.js';
import { expect } from 'chai';
import { MysqlDispatchStore } from '../../src/adapters/mysql/claim-store.js';
import { MysqlPreviewStore } from '../../src/adapters/mysql/preview-store.js';
import { PreviewDecisions } from '../../src/app/engine/preview-decisions.js';
import { planPreview } from '../../src/app/engine/preview-plan.js';
import type { PreviewPlan, PreviewStore } from '../../src/app/ports/preview-store.js';
import { seeder } from '../helpers/seed.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';

describe('preview store: plans applied in one guarded statement (P2, S3, issue 14)', () => {
  let t: TestDatabase;
  let store: MysqlPreviewStore;
  let seed: ReturnType<typeof seeder>;
  before(async () => { t = await createTestDatabase('preview_store'); store = new MysqlPreviewStore(t.db); seed = seeder(t.db); });
  after(async () => { await t?.drop(); });

  /** A preview campaign's attempt, claimed: previewing, its agent Reserved. */
  async function preview(policy: 'dial' | 'return' = 'return') {
    const c = await seed.campaign({ call_limit: 5, retry_wait_sec: 60 });
    await t.db('campaigns').where('id', c).update({ type: 'preview', preview_sec: 30, preview_timeout: policy });
    const [agentId] = await seed.agents(1, [c]);
    const [memberId] = await seed.members(c, 1);
    const r = await claimBest(new MysqlDispatchStore(t.db), { now: new Date(), instanceId: 'p1', leaseUntil: new Date(Date.now() + 30_000),
      upNodes: ['fs1'], campaigns: [{ id: c, lineGroupId: null, calendarZoneOpen: true, openZones: [] }], excludeAgentIds: [] });
    if (r.kind !== 'claimed') throw new Error(`no claim: ${r.kind}`);
    expect(r.attempt.previewUntil, 'a preview').to.be.instanceOf(Date);
    return { campaignId: c, agentId: agentId!, memberId: memberId!, attemptId: r.attempt.attemptId };
  }

  const rows = async (p: { attemptId: number; memberId: number; agentId: number }) => ({
    attempt: await t.db('attempts').where('id', p.attemptId).first('state', 'outcome', 'preview_decision', 'agent_cause', 'comment', 'active_member', 'live_campaign'),
    member: await t.db('members').where('id', p.memberId).first('state', 'tries', 'minus_tries', 'result', 'version'),
    agent: await t.db('agents').where('id', p.agentId).first('state', 'status', 'attempt_id', 'no_answer_count', 'version'),
  });

  /** The store, with `meanwhile` run once between the first snapshot and its write. */
  function racing(meanwhile: () => Promise<void>): PreviewStore & { applies: boolean[] } {
    let raced = false;
    const applies: boolean[] = [];
    return {
      applies,
      agentPreview: (id) => store.agentPreview(id),
      previewSnapshot: (id) => store.previewSnapshot(id),
      startCall: (id, now) => store.startCall(id, now),
      async applyPreview(plan: PreviewPlan, now: Date) {
        if (!raced) { raced = true; await meanwhile(); }
        const ok = await store.applyPreview(plan, now);
        applies.push(ok);
        return ok;
      },
    };
  }

  it('P2: a skip writes the attempt (skipped, with its reason), the member (no try) and the agent (Waiting) in one statement', async () => {
    const p = await preview();
    const before = await rows(p);
    const sent: string[] = [];
    const count = (q: { sql: string }) => sent.push(q.sql);
    t.db.on('query', count);
    const out = await new PreviewDecisions(store).skip(p.agentId, 'wrong person', new Date()).finally(() => t.db.off('query', count));
    expect(out).to.deep.include({ kind: 'skipped', attemptId: p.attemptId });
    expect(sent.map((q) => q.trim().split(/\s/)[0]), 'one read, one write').to.deep.equal(['SELECT', 'UPDATE']);
    const after = await rows(p);
    expect(after.attempt).to.deep.equal({ state: 'done', outcome: 'skipped', preview_decision: 'skipped', agent_cause: 'PREVIEW_SKIPPED',
      comment: 'wrong person', active_member: null, live_campaign: null });
    expect(after.member).to.deep.include({ state: 'ready', tries: 0, minus_tries: 0, result: null, version: before.member.version + 1 });
    expect(after.agent).to.deep.include({ state: 'Waiting', attempt_id: null, no_answer_count: 0, version: before.agent.version + 1 });
  });

  it('S3: a plan whose member moved since its snapshot writes nothing; planned again from a new read it is written', async () => {
    const p = await preview();
    const found = await store.agentPreview(p.agentId);
    if (found.kind !== 'agent') throw new Error('no agent');
    const stale = planPreview(found.snapshot, { kind: 'skip', agentId: p.agentId, reason: 'r' }, new Date());
    if (stale.kind !== 'end') throw new Error(stale.kind);
    await t.db('members').where('id', p.memberId).update({ version: t.db.raw('version + 1') });
    const before = await rows(p);
    expect(await store.applyPreview(stale.plan, new Date())).to.equal(false);
    expect(await rows(p), 'nothing written').to.deep.equal(before);
    const again = planPreview(await store.previewSnapshot(p.attemptId), { kind: 'skip', agentId: p.agentId, reason: 'r' }, new Date());
    if (again.kind !== 'end') throw new Error(again.kind);
    expect(await store.applyPreview(again.plan, new Date())).to.equal(true);
    expect((await rows(p)).attempt.state).to.equal('done');
  });

  it('S3, A5: the agent\'s status changed between the skip\'s read and its write: read again, and the new status is kept', async () => {
    const p = await preview();
    const racy = racing(async () => {
      await t.db('agents').where('id', p.agentId).update({ status: 'On Break', version: t.db.raw('version + 1') });
    });
    const out = await new PreviewDecisions(racy).skip(p.agentId, 'busy', new Date());
    expect(out.kind).to.equal('skipped');
    expect(racy.applies, 'the first plan voided, the second written').to.deep.equal([false, true]);
    expect((await rows(p)).agent).to.deep.include({ status: 'On Break', state: 'Waiting', attempt_id: null });
  });

  it('P2, S3: an accept that comes between the time-out\'s read and its write (policy return) is dialled, not returned', async () => {
    const p = await preview('return');
    const racy = racing(async () => {
      expect((await new PreviewDecisions(store).accept(p.agentId)).kind).to.equal('accepted');
    });
    expect(await new PreviewDecisions(racy).deadlinePassed(p.attemptId, new Date())).to.deep.equal({ kind: 'dial' });
    expect(racy.applies).to.deep.equal([false]);
    const after = await rows(p);
    expect(after.attempt).to.deep.include({ state: 'previewing', preview_decision: 'accepted' });
    expect(after.member).to.deep.include({ state: 'dialing' });
    expect(after.agent.attempt_id).to.equal(p.attemptId);
  });

  it('P2: with the policy dial the time-out is recorded once; an accept afterwards finds no undecided preview', async () => {
    const p = await preview('dial');
    expect(await new PreviewDecisions(store).deadlinePassed(p.attemptId, new Date())).to.deep.equal({ kind: 'dial' });
    expect((await rows(p)).attempt).to.deep.include({ state: 'previewing', preview_decision: 'timed_out' });
    expect(await new PreviewDecisions(store).accept(p.agentId)).to.deep.equal({ kind: 'no-preview', state: 'previewing' });
    expect(await store.startCall(p.attemptId, new Date())).to.equal(true);
    expect(await new PreviewDecisions(store).deadlinePassed(p.attemptId, new Date())).to.deep.equal({ kind: 'gone' });
  });

  it('P2, A3: the time passed with the policy return: the member back without a try, the agent with its no-answer count', async () => {
    const p = await preview('return');
    const out = await new PreviewDecisions(store).deadlinePassed(p.attemptId, new Date());
    expect(out.kind).to.equal('returned');
    const after = await rows(p);
    expect(after.attempt).to.deep.include({ state: 'done', outcome: 'skipped', preview_decision: 'timed_out', agent_cause: 'PREVIEW_TIMEOUT', comment: null });
    expect(after.member).to.deep.include({ state: 'ready', tries: 0 });
    expect(after.agent).to.deep.include({ state: 'Waiting', attempt_id: null, no_answer_count: 1 });
  });

  it('no such agent, and an agent without a call, are told apart', async () => {
    expect(await new PreviewDecisions(store).skip(999_999, 'r', new Date())).to.deep.equal({ kind: 'no-agent' });
    const c = await seed.campaign();
    const [idle] = await seed.agents(1, [c]);
    expect(await new PreviewDecisions(store).accept(idle!)).to.deep.equal({ kind: 'no-preview', state: null });
  });
});
