import { expect } from 'chai';
import { assertValidTimer, InvalidTimerError, parseTimerJobId, timerJobId } from '../../src/adapters/queue/timer-job-id.js';
import type { TimerRequest } from '../../src/app/ports/timers.js';

describe('timer job id', () => {
  it('S3: the id is deterministic and reads back to the same request', () => {
    const t: TimerRequest = { kind: 'member-ready', id: '42', atMs: 1732537205000 };
    expect(timerJobId(t)).to.equal('member-ready:42:1732537205000');
    expect(timerJobId({ ...t })).to.equal(timerJobId(t));
    expect(parseTimerJobId(timerJobId(t))).to.deep.equal(t);
  });

  it('S3: ":" and "%" inside the id are encoded so BullMQ sees exactly three parts', () => {
    for (const id of ['7:Europe/Paris', '%', '%3A', '%25:%3A::', 'a:b:c', ':']) {
      const t: TimerRequest = { kind: 'calendar-open', id, atMs: 5 };
      const jobId = timerJobId(t);
      expect(jobId.split(':'), jobId).to.have.length(3);
      expect(parseTimerJobId(jobId), jobId).to.deep.equal(t);
    }
  });

  it('S3: ids this module did not make are not timers', () => {
    for (const jobId of ['42', 'nope:1:2', 'member-ready::5', 'member-ready:1:x', 'member-ready:1:2:3', 'member-ready:1:-5']) {
      expect(parseTimerJobId(jobId), jobId).to.equal(null);
    }
  });

  it('S3: a malformed request is refused before it reaches Redis', () => {
    const bad = [
      { kind: 'nap', id: '1', atMs: 1 },
      { kind: 'sweep', id: '', atMs: 1 },
      { kind: 'sweep', id: '1', atMs: 1.5 },
      { kind: 'sweep', id: '1', atMs: -1 },
      { kind: 'sweep', id: '1', atMs: Number.NaN },
    ] as TimerRequest[];
    for (const t of bad) expect(() => assertValidTimer(t), JSON.stringify(t)).to.throw(InvalidTimerError);
    expect(() => assertValidTimer({ kind: 'sweep', id: 'x', atMs: 0 })).not.to.throw();
  });
});
