import { expect } from 'chai';
import { splitLines, type NodeAgents } from '../../src/domain/line-split.js';

const node = (name: string, idle: number, working: number, inFlight = 0): NodeAgents => ({ node: name, idle, working, inFlight });
const split = (n: number, nodes: NodeAgents[], up = nodes.map((x) => x.node)) => Object.fromEntries(splitLines(n, nodes, up));

describe('predictive lines over FreeSWITCH nodes (P3, P7, F3)', () => {
  it('one line per idle agent goes where the idle agents are, less the lines already in flight there', () => {
    expect(split(3, [node('a', 2, 2), node('b', 1, 3)])).to.deep.equal({ a: 2, b: 1 });
    expect(split(2, [node('a', 2, 2, 1), node('b', 1, 1)])).to.deep.equal({ a: 1, b: 1 });
  });

  it('lines beyond the idle agents follow the agents working on each node, never over 3 per agent there (P7)', () => {
    expect(split(6, [node('a', 0, 2), node('b', 0, 1)])).to.deep.equal({ a: 4, b: 2 });
    expect(split(20, [node('a', 1, 1), node('b', 0, 2)])).to.deep.equal({ a: 3, b: 6 });
    expect(split(5, [node('a', 0, 1, 3), node('b', 0, 1)])).to.deep.equal({ b: 3 });
  });

  it('a node that is down or has no agent of the campaign gets none; the same inputs give the same split', () => {
    expect(split(4, [node('a', 2, 2), node('b', 2, 2)], ['b'])).to.deep.equal({ b: 4 });
    expect(split(2, [node('a', 0, 0), node('b', 1, 1)])).to.deep.equal({ b: 2 });
    expect(split(1, [node('b', 1, 1), node('a', 1, 1)])).to.deep.equal({ a: 1 });
    expect(split(0, [node('a', 1, 1)])).to.deep.equal({});
  });
});
