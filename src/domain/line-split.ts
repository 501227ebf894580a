/**
 * P3, P7, F3: where a predictive campaign's lines are dialled when its agents sit on nailed-up legs
 * on several FreeSWITCH nodes. A subscriber can be bridged only to an agent leg on its own switch,
 * so each line goes to a node with the campaign's agents, never beyond 3 lines per agent there
 * (P7 per node), and only to nodes that are up (as progressive calls go only to agents registered
 * on an up node).
 */
export interface NodeAgents {
  node: string;
  /** The campaign's agents on a nailed-up leg there, idle now. */
  idle: number;
  /** The campaign's agents on a nailed-up leg there, idle or not (talking, in wrap-up). */
  working: number;
  /** The campaign's subscriber lines there without an agent yet (ringing, or answered and waiting). */
  inFlight: number;
}

/**
 * Splits `n` lines over the nodes. First each node's idle agents not yet covered by a line in
 * flight there get one (in progressive mode, one line per idle agent, that is all there is); the
 * rest goes in proportion to the agents working on each node (highest `working ÷ (lines + 1)`
 * first), at most `maxPerAgent` lines per working agent on a node. Ties go to the node named
 * first, so the same inputs give the same split. Pure.
 */
export function splitLines(n: number, nodes: readonly NodeAgents[], up: readonly string[], maxPerAgent = 3): Map<string, number> {
  const live = nodes.filter((x) => up.includes(x.node) && x.working > 0).sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  const out = new Map<string, number>();
  const lines = (x: NodeAgents) => x.inFlight + (out.get(x.node) ?? 0);
  const room = (x: NodeAgents) => lines(x) < maxPerAgent * x.working;
  const give = (x: NodeAgents) => out.set(x.node, (out.get(x.node) ?? 0) + 1);
  let left = Math.max(0, Math.floor(n));
  while (left > 0) {
    let best: NodeAgents | null = null;
    for (const x of live) {
      const need = x.idle - lines(x);
      if (need > 0 && room(x) && (!best || need > best.idle - lines(best))) best = x;
    }
    if (!best) break;
    give(best);
    left--;
  }
  while (left > 0) {
    let best: NodeAgents | null = null;
    for (const x of live) {
      if (room(x) && (!best || x.working / (lines(x) + 1) > best.working / (lines(best) + 1))) best = x;
    }
    if (!best) break;
    give(best);
    left--;
  }
  return out;
}
