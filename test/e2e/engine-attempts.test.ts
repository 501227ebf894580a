import { expect } from 'chai';
import { startStack, until, type Stack } from '../helpers/stack.js';
import {
  addMembers, attempts, attemptsReach, campaignState, createAgents, createCampaign, member, memberDone, number, run,
} from '../helpers/e2e-fixtures.js';

const ms = (iso: string) => Date.parse(iso);

/** One member with one scripted number in a fresh running campaign with one agent. */
async function oneMember(s: Stack, campaign: Record<string, unknown>, script: Parameters<Stack['sim']['setSubscriber']>[1]) {
  const c = await createCampaign(s, campaign);
  await createAgents(s, 1, [c]);
  const n = number();
  s.sim.setSubscriber(n, script);
  const [mid] = await addMembers(s, c, [{ name: 'x', communications: [{ number: n }] }]);
  await run(s, c);
  return { c, mid: mid!, n };
}

describe('engine end to end: attempts, retries and causes', function () {
  this.timeout(60_000);
  let s: Stack;
  before(async () => { s = await startStack('attempts'); });
  after(async () => { await s?.close(); });

  it('C4, C5: a busy member is tried exactly max_tries times, never sooner than the retry wait, then MAX_TRY_COUNT', async () => {
    const { c, mid } = await oneMember(s, { retry_wait_sec: 2, max_tries: 3 }, { outcome: 'busy', afterMs: 20 });
    const m = await memberDone(s, c, mid);
    expect(m.result).to.equal('MAX_TRY_COUNT');
    const list = await attempts(s, c, mid);
    expect(list).to.have.length(3);
    expect(m.tries).to.equal(3);
    expect(m.communications[0].tries).to.equal(3);
    for (const a of list) {
      expect(a.hangup_cause).to.equal('USER_BUSY');
      expect(a.outcome).to.equal('retry');
    }
    for (let i = 1; i < list.length; i++) {
      expect(ms(list[i].created_at), `attempt ${i + 1} start`).to.be.at.least(ms(list[i - 1].ended_at) + 2000);
    }
    expect(ms(m.ended_at)).to.be.at.least(ms(list[2].ended_at));
  });

  it('C6: an answered call shorter than min_success_sec is an unsuccessful attempt', async () => {
    const { c, mid } = await oneMember(s, { min_success_sec: 2, max_tries: 2, retry_wait_sec: 1 },
      { outcome: 'answer', afterMs: 20, talkMs: 200 });
    const m = await memberDone(s, c, mid);
    expect(m.result).to.equal('MAX_TRY_COUNT');
    const list = await attempts(s, c, mid);
    expect(list).to.have.length(2);
    for (const a of list) {
      expect(a.answered_at).to.be.a('string');
      expect(a.talk_sec).to.be.below(2);
      expect(a.outcome).to.equal('retry');
    }
  });

  it('C6: an answered call at least min_success_sec long ends the member with NORMAL_CLEARING', async () => {
    const { c, mid } = await oneMember(s, { min_success_sec: 1, max_tries: 2, retry_wait_sec: 1 },
      { outcome: 'answer', afterMs: 20, talkMs: 1300 });
    const m = await memberDone(s, c, mid);
    expect(m.result).to.equal('NORMAL_CLEARING');
    const list = await attempts(s, c, mid);
    expect(list).to.have.length(1);
    expect(list[0].talk_sec).to.be.at.least(1);
    expect(list[0].outcome).to.equal('success');
  });

  it('C7: with waiting for result, the member waits (not dialled) and a status with success:true ends it', async () => {
    const { c, mid } = await oneMember(s, { min_success_sec: 0, wait_result: true, wrapup_sec: 30, retry_wait_sec: 1 },
      { outcome: 'answer', afterMs: 20, talkMs: 200 });
    await until('member waiting for its result', async () => (await member(s, c, mid)).state === 'waiting_result');
    const [a] = await attempts(s, c, mid);
    expect(a.state).to.equal('waiting_result');
    expect(a.ended_at).to.be.a('string');
    const r = await s.call('PUT', `/api/v2/dialer/${c}/members/${mid}/status`, { success: true, comment: 'sold' });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    const m = await memberDone(s, c, mid);
    expect(m.result).to.equal('NORMAL_CLEARING');
    const list = await attempts(s, c, mid);
    expect(list).to.have.length(1);
    expect(list[0].outcome).to.equal('success');
    expect(list[0].comment).to.equal('sold');
  });

  it('C7: without a status before the wrap-up deadline the attempt is unsuccessful and dialling resumes after the retry wait', async () => {
    const { c, mid } = await oneMember(s, { min_success_sec: 0, wait_result: true, wrapup_sec: 1, retry_wait_sec: 1, max_tries: 2 },
      { outcome: 'answer', afterMs: 20, talkMs: 200 });
    const m = await memberDone(s, c, mid);
    expect(m.result).to.equal('MAX_TRY_COUNT');
    const list = await attempts(s, c, mid);
    expect(list).to.have.length(2);
    expect(list.map((a) => a.outcome)).to.deep.equal(['retry', 'retry']);
    expect(m.tries).to.equal(2);
    // Not dialled while it waited for the result, nor before the retry wait after the call.
    expect(ms(list[1].created_at)).to.be.at.least(ms(list[0].ended_at) + 1000);
  });

  it('C9: an error cause (UNALLOCATED_NUMBER by default) ends the member at once with that cause', async () => {
    const { c, mid } = await oneMember(s, { max_tries: 5 }, { outcome: 404, afterMs: 20 });
    const m = await memberDone(s, c, mid);
    expect(m.result).to.equal('UNALLOCATED_NUMBER');
    const list = await attempts(s, c, mid);
    expect(list).to.have.length(1);
    expect(list[0].hangup_cause).to.equal('UNALLOCATED_NUMBER');
    expect(list[0].outcome).to.equal('error');
  });

  it('C9: a retry cause (USER_BUSY by default) counts as an attempt and tries again', async () => {
    const { c, mid } = await oneMember(s, { max_tries: 2, retry_wait_sec: 1 }, { outcome: 'busy', afterMs: 20 });
    const first = await until('first attempt settled', async () => {
      const [a] = await attempts(s, c, mid);
      return a?.state === 'done' ? a : null;
    });
    expect(first.hangup_cause).to.equal('USER_BUSY');
    expect(first.outcome).to.equal('retry');
    const m = await memberDone(s, c, mid);
    expect(m.result).to.equal('MAX_TRY_COUNT');
    expect(m.tries).to.equal(2);
    expect(await attempts(s, c, mid)).to.have.length(2);
  });

  it('C9: a minus cause (NORMAL_TEMPORARY_FAILURE by default) never counts as an attempt', async () => {
    const { c, mid, n } = await oneMember(s, { max_tries: 1, retry_wait_sec: 1 }, { outcome: 503, afterMs: 20 });
    // With max_tries 1 a counted attempt would end the member; three attempts later it is still going.
    const list = await attemptsReach(s, c, mid, 3);
    const m = await member(s, c, mid);
    expect(m.state).to.not.equal('done');
    expect(m.tries).to.equal(0);
    for (const a of list.slice(0, 2)) {
      expect(a.hangup_cause).to.equal('NORMAL_TEMPORARY_FAILURE');
      expect(a.outcome).to.equal('minus');
    }
    // C4: a try that does not count still waits the retry wait.
    expect(ms(list[1].created_at)).to.be.at.least(ms(list[0].ended_at) + 1000);
    s.sim.setSubscriber(n, { outcome: 'answer', afterMs: 20, talkMs: 100 });
    const done = await memberDone(s, c, mid);
    expect(done.result).to.equal('NORMAL_CLEARING');
  });

  it('C9, C10: a number that always answers 503 ends after max_minus_attempts uncounted attempts with that cause, and the campaign finishes', async () => {
    const { c, mid } = await oneMember(s, { max_tries: 1, max_minus_attempts: 3, retry_wait_sec: 1 }, { outcome: 503, afterMs: 20 });
    const m = await memberDone(s, c, mid);
    expect(m.result).to.equal('NORMAL_TEMPORARY_FAILURE');
    // Never counted: max_tries 1 would have ended it after the first attempt otherwise.
    expect(m.tries).to.equal(0);
    expect(m.minus_tries).to.equal(3);
    expect(m.communications[0].tries).to.equal(0);
    const list = await attempts(s, c, mid);
    expect(list.map((a) => [a.hangup_cause, a.outcome])).to.deep.equal(Array(3).fill(['NORMAL_TEMPORARY_FAILURE', 'minus']));
    await campaignState(s, c, 'finished');
  });

  it('R1, C9: reset_retries clears the uncounted attempts too: the member gets max_minus_attempts more', async () => {
    const { c, mid } = await oneMember(s, { max_minus_attempts: 2, retry_wait_sec: 600 }, { outcome: 503, afterMs: 20 });
    await until('first attempt settled', async () => (await member(s, c, mid)).minus_tries === 1);
    const r = await s.call('PUT', `/api/v2/dialer/${c}/members/${mid}/status`, { success: false, reset_retries: true, next_after_sec: 0 });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect((await member(s, c, mid)).minus_tries).to.equal(0);
    // Without the reset the second attempt would end it; with it, a third one is needed (brought forward by next_after_sec).
    await until('second attempt settled', async () => (await member(s, c, mid)).minus_tries === 1);
    const again = await s.call('PUT', `/api/v2/dialer/${c}/members/${mid}/status`, { success: false, next_after_sec: 0 });
    expect(again.status, JSON.stringify(again.body)).to.equal(200);
    const m = await memberDone(s, c, mid);
    expect(m.result).to.equal('NORMAL_TEMPORARY_FAILURE');
    expect(m.minus_tries).to.equal(2);
    expect(await attempts(s, c, mid)).to.have.length(3);
  });

  it('C9: per-campaign overrides: USER_BUSY mapped to ok ends the member as a success, NORMAL_TEMPORARY_FAILURE mapped to error ends it', async () => {
    const ok = await oneMember(s, { max_tries: 3, causes: { USER_BUSY: 'ok' } }, { outcome: 'busy', afterMs: 20 });
    const err = await oneMember(s, { max_tries: 3, causes: { NORMAL_TEMPORARY_FAILURE: 'error' } }, { outcome: 503, afterMs: 20 });
    const c = await s.call('GET', `/api/v2/dialer/${ok.c}`);
    expect(c.body.causes.USER_BUSY).to.equal('ok');
    const m1 = await memberDone(s, ok.c, ok.mid);
    expect(m1.result).to.equal('USER_BUSY');
    const a1 = await attempts(s, ok.c, ok.mid);
    expect(a1).to.have.length(1);
    expect(a1[0].outcome).to.equal('success');
    const m2 = await memberDone(s, err.c, err.mid);
    expect(m2.result).to.equal('NORMAL_TEMPORARY_FAILURE');
    const a2 = await attempts(s, err.c, err.mid);
    expect(a2).to.have.length(1);
    expect(a2[0].outcome).to.equal('error');
  });
  it('C6, C7: with waiting for result, a call shorter than min_success_sec does not wait: it is an unsuccessful attempt at once', async () => {
    const { c, mid } = await oneMember(s, { min_success_sec: 2, wait_result: true, wrapup_sec: 60, max_tries: 1 },
      { outcome: 'answer', afterMs: 20, talkMs: 200 });
    const m = await memberDone(s, c, mid);
    expect(m.result).to.equal('MAX_TRY_COUNT');
    const [a] = await attempts(s, c, mid);
    expect(a.outcome).to.equal('retry');
    expect(a.state).to.equal('done');
  });

  it('C7, M5: a successful call leaves the same stored tries (1, member and number) whether no result is awaited, the success status comes during the call, or while the member waits for it', async () => {
    const paths = {
      'no waiting for a result': await oneMember(s, { min_success_sec: 0, max_tries: 3 }, { outcome: 'answer', afterMs: 20, talkMs: 200 }),
      'status during the call': await oneMember(s, { min_success_sec: 0, max_tries: 3, wait_result: true, wrapup_sec: 60 },
        { outcome: 'answer', afterMs: 20, talkMs: 4_000 }),
      'status while waiting': await oneMember(s, { min_success_sec: 0, max_tries: 3, wait_result: true, wrapup_sec: 60 },
        { outcome: 'answer', afterMs: 20, talkMs: 200 }),
    };
    const put = async (p: { c: number; mid: number }, memberState: string) => {
      const r = await s.call('PUT', `/api/v2/dialer/${p.c}/members/${p.mid}/status`, { success: true });
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      expect(r.body.state, 'the path taken').to.equal(memberState);
    };
    const during = paths['status during the call'];
    await until('subscriber talking', async () => (await attempts(s, during.c, during.mid))[0]?.state === 'talking');
    await put(during, 'dialing');
    const waiting = paths['status while waiting'];
    await until('member waiting for its result', async () => (await member(s, waiting.c, waiting.mid)).state === 'waiting_result');
    await put(waiting, 'done');
    for (const [name, p] of Object.entries(paths)) {
      const m = await memberDone(s, p.c, p.mid);
      expect(m.result, name).to.equal('NORMAL_CLEARING');
      expect(m.tries, name).to.equal(1);
      expect(m.communications[0].tries, name).to.equal(1);
      const list = await attempts(s, p.c, p.mid);
      expect(list.map((a) => a.outcome), name).to.deep.equal(['success']);
    }
  });
});
