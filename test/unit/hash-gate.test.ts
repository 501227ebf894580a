import { expect } from 'chai';
import { HashGate } from '../../src/app/auth/hash-gate.js';

/** Work that ends when told to. */
function held(): { work: () => Promise<string>; release: () => void; started: boolean } {
  let release!: () => void;
  const done = new Promise<void>((r) => { release = r; });
  const h = { work: async () => { h.started = true; await done; return 'hashed'; }, release: () => release(), started: false };
  return h;
}

describe('HashGate (S5: bounded password hashing)', () => {
  it('S5: runs at most `concurrency` at once, queues at most `queue`, refuses the rest at once', async () => {
    const gate = new HashGate(2, 1);
    const w = [held(), held(), held(), held()];
    const runs = w.map((h) => gate.run(h.work));
    expect(await runs[3]).to.deep.equal({ kind: 'busy' });
    await Promise.resolve();
    expect(w.map((h) => h.started)).to.deep.equal([true, true, false, false]);
    expect(gate.load).to.deep.equal({ running: 2, waiting: 1 });
    w[0]!.release();
    expect(await runs[0]).to.deep.equal({ kind: 'done', value: 'hashed' });
    await new Promise((r) => setImmediate(r));
    // The freed slot went to the one waiting: still two at once.
    expect(w[2]!.started).to.equal(true);
    expect(gate.load).to.deep.equal({ running: 2, waiting: 0 });
    w[1]!.release();
    w[2]!.release();
    expect((await Promise.all(runs.slice(0, 3))).map((r) => r.kind)).to.deep.equal(['done', 'done', 'done']);
    expect(gate.load).to.deep.equal({ running: 0, waiting: 0 });
  });

  it('S5: a failing hash frees its slot', async () => {
    const gate = new HashGate(1, 0);
    await gate.run(() => Promise.reject(new Error('boom'))).catch(() => undefined);
    expect(gate.load.running).to.equal(0);
    expect(await gate.run(async () => 1)).to.deep.equal({ kind: 'done', value: 1 });
  });
});
