import { expect } from 'chai';
import { parsePlainEvent } from '../../src/adapters/freeswitch/event-parser.js';
import { HangupWatch } from '../../src/adapters/freeswitch/hangup-watch.js';
import { LegWatch } from '../../src/adapters/freeswitch/leg-watch.js';

const UUID = '6a5e7c1e-0000-4000-8000-000000000001';
const OPTS = { graceMs: 20, unreachableMs: 50 };

/** A LegWatch whose `uuid_exists` answers what `answer` says, and whose node's last event time is `lastEventAt`. */
function rig(answer: () => boolean | 'unknown') {
  const hangups = new HangupWatch();
  const state = { lastEventAt: new Date('2026-12-04T10:00:05Z') as Date | null, asked: 0 };
  const watch = new LegWatch({
    hangups,
    exists: async () => {
      state.asked++;
      return answer();
    },
    lastEventAt: () => state.lastEventAt,
  });
  return { hangups, watch, state };
}

describe('LegWatch (a call followed on the inbound connection after its socket was lost)', () => {
  it('S3, C6: ends with the leg\'s CHANNEL_HANGUP_COMPLETE while uuid_exists says it is up', async () => {
    const { hangups, watch } = rig(() => true);
    const end = watch.untilEnd('n1', UUID, OPTS, null);
    await new Promise((r) => setTimeout(r, 60));
    expect(watch.size).to.equal(1);
    hangups.onEvent(parsePlainEvent(`Event-Name: CHANNEL_HANGUP_COMPLETE\nUnique-ID: ${UUID}\nHangup-Cause: NORMAL_CLEARING\n`
      + 'Caller-Channel-Hangup-Time: 1796378400000000\n'));
    const r = await end;
    expect(r.kind).to.equal('hangup');
    if (r.kind === 'hangup') expect(r.hangup.cause).to.equal('NORMAL_CLEARING');
    expect(watch.size).to.equal(0);
  });

  it('S3, C6: a missed hangup: a re-check (heartbeat) that finds the leg gone ends it as vanished, up until the last event time seen before a uuid_exists that found it', async () => {
    let alive = true;
    const { watch, state } = rig(() => alive);
    const end = watch.untilEnd('n1', UUID, OPTS, new Date('2026-12-04T10:00:01Z'));
    await new Promise((r) => setTimeout(r, 10));
    state.lastEventAt = new Date('2026-12-04T10:00:09Z');
    watch.recheck('n1');
    await new Promise((r) => setTimeout(r, 10));
    state.lastEventAt = new Date('2026-12-04T10:00:30Z');
    alive = false;
    watch.recheck('other-node');
    expect(watch.size).to.equal(1);
    watch.recheck('n1');
    const r = await end;
    expect(r).to.deep.equal({ kind: 'vanished', lastUpAt: new Date('2026-12-04T10:00:09Z') });
  });

  it('S3: a node that cannot be asked for unreachableMs gives the leg up; one that answers again in time keeps it', async () => {
    let answer: boolean | 'unknown' = 'unknown';
    const { watch } = rig(() => answer);
    const end = watch.untilEnd('n1', UUID, { graceMs: 20, unreachableMs: 200 }, null);
    await new Promise((r) => setTimeout(r, 20));
    answer = true;
    watch.recheck('n1');
    await new Promise((r) => setTimeout(r, 300));
    expect(watch.size).to.equal(1);
    answer = 'unknown';
    watch.recheck('n1');
    expect((await end).kind).to.equal('unreachable');
  });

  it('S3: stopAll ends every watch as stopped, and every later one (the sessions closed by the shutdown)', async () => {
    const { watch } = rig(() => true);
    const end = watch.untilEnd('n1', UUID, OPTS, null);
    watch.stopAll();
    expect(await end).to.deep.equal({ kind: 'stopped' });
    expect(await watch.untilEnd('n1', UUID, OPTS, null)).to.deep.equal({ kind: 'stopped' });
  });
});
