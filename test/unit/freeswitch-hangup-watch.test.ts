import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect } from 'chai';
import { parsePlainEvent } from '../../src/adapters/freeswitch/event-parser.js';
import { HangupWatch } from '../../src/adapters/freeswitch/hangup-watch.js';

/** A CHANNEL_HANGUP_COMPLETE as FreeSWITCH sends it: ~200 headers, about 12 KB of text. */
function hangupComplete(uuid: string): string {
  const filler = Array.from({ length: 200 }, (_, i) => `variable_x_${i}: ${'v'.repeat(50)}`).join('\n');
  return `Event-Name: CHANNEL_HANGUP_COMPLETE\nUnique-ID: ${uuid}\nHangup-Cause: NORMAL_CLEARING\n`
    + `Caller-Channel-Answered-Time: 1764000000000000\nCaller-Channel-Hangup-Time: 1764000005000000\n${filler}\n`;
}

describe('HangupWatch (the subscriber leg\'s end, for a socket lost mid-bridge)', () => {
  it('F2: gives the hangup of a uuid seen before, or seen while waiting, and null after the wait', async () => {
    const w = new HangupWatch();
    const before = randomUUID();
    w.onEvent(parsePlainEvent(hangupComplete(before)));
    expect((await w.wait(before, 10))?.cause).to.equal('NORMAL_CLEARING');
    const later = randomUUID();
    const waiting = w.wait(later, 5_000);
    w.onEvent(parsePlainEvent(hangupComplete(later)));
    const seen = await waiting;
    expect(seen?.uuid).to.equal(later);
    expect(seen?.hangupAt?.getTime()).to.equal(1764000005000);
    expect(await w.wait(randomUUID(), 10)).to.equal(null);
  });

  it('keeps a copy that holds none of the event text alive (2,000 hangups of 12 KB kept in well under 2 MB)', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const w = new HangupWatch();
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 2000; i++) w.onEvent(parsePlainEvent(hangupComplete(randomUUID())));
    gc();
    const kept = process.memoryUsage().heapUsed - before;
    // Were each copy a slice of its event, the 2,000 event texts (~25 MB) would stay alive.
    expect(kept).to.be.below(2_000_000);
  });
});
