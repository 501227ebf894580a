import { addMembers, createAgents, createCampaign, createLineGroup, number, run } from './e2e-fixtures.js';
import { until, type Stack } from './stack.js';

/*
 * Issue 13 §1: one running campaign per cause of "why isn't it dialling?", over the simulator.
 * Each waits until its cause holds, so the engine's reason can be checked against it.
 */

/** A calendar open only two days from now: closed today, whatever the day. */
export async function calendarClosed(s: Stack, name: string): Promise<number> {
  const day = (new Date().getUTCDay() + 2) % 7;
  const c = await createCampaign(s, { name }, { windows: [{ day, start: '09:00', end: '10:00' }] });
  await createAgents(s, 1, [c]);
  await addMembers(s, c, [{ name: 'm', communications: [{ number: number() }] }]);
  await run(s, c);
  return c;
}

/** Its only agent is Available, but no phone of theirs is registered. */
export async function agentsUnregistered(s: Stack, name: string): Promise<number> {
  const c = await createCampaign(s, { name });
  await createAgents(s, 2, [c], {}, { registered: false });
  await addMembers(s, c, [{ name: 'm', communications: [{ number: number() }] }]);
  await run(s, c);
  return c;
}

/** Limit 1 with a long call in progress and two agents, another member ready. */
export async function limitReached(s: Stack, name: string): Promise<number> {
  const c = await createCampaign(s, { name, limit: 1 });
  await createAgents(s, 2, [c]);
  const numbers = [number(), number()];
  for (const n of numbers) s.sim.setSubscriber(n, { outcome: 'answer', afterMs: 50, talkMs: 600_000 });
  await addMembers(s, c, numbers.map((n, i) => ({ name: `m${i}`, communications: [{ number: n }] })));
  await run(s, c);
  return c;
}

/** Two campaigns on a line group of one line: one call holds it. */
export async function lineGroupFull(s: Stack, name: string, other: string): Promise<number> {
  const g = await createLineGroup(s, 1);
  const first = await createCampaign(s, { name: other, line_group_id: g, priority: 5 });
  const c = await createCampaign(s, { name, line_group_id: g });
  await createAgents(s, 1, [first]);
  await createAgents(s, 1, [c]);
  const n = number();
  s.sim.setSubscriber(n, { outcome: 'answer', afterMs: 50, talkMs: 600_000 });
  await addMembers(s, first, [{ name: 'long', communications: [{ number: n }] }]);
  await addMembers(s, c, [{ name: 'm', communications: [{ number: number() }] }]);
  await run(s, first);
  await until('the line taken', async () => (await s.call('GET', `/api/v2/dialer/${first}/stats`)).body.live_calls === 1);
  await run(s, c);
  return c;
}

/** Its only member was busy and is called back in an hour (retry_wait_sec). */
export async function callBackLater(s: Stack, name: string): Promise<number> {
  const c = await createCampaign(s, { name, retry_wait_sec: 3600 });
  await createAgents(s, 1, [c]);
  const n = number();
  s.sim.setSubscriber(n, { outcome: 'busy', afterMs: 50 });
  await addMembers(s, c, [{ name: 'm', communications: [{ number: n }] }]);
  await run(s, c);
  return c;
}

/** Its only member was answered and waits for a result status (R1). */
export async function waitingResult(s: Stack, name: string): Promise<number> {
  const c = await createCampaign(s, { name, wait_result: true, wrapup_sec: 60 });
  await createAgents(s, 1, [c]);
  const n = number();
  s.sim.setSubscriber(n, { outcome: 'answer', afterMs: 50, talkMs: 100 });
  await addMembers(s, c, [{ name: 'm', communications: [{ number: n }] }]);
  await run(s, c);
  return c;
}

/** The campaign's reason as the REST API shows it, once it matches. */
export function reasonOf(s: Stack, id: number, text: RegExp, timeoutMs = 20_000): Promise<{ code: string; text: string; params: any }> {
  let last = '';
  return until(`campaign ${id}'s reason to match ${text}`, async () => {
    const r = (await s.call('GET', `/api/v2/dialer/${id}`)).body.reason;
    last = r?.text ?? 'none';
    return r && text.test(r.text) ? r : null;
  }, timeoutMs).catch((err: Error) => { throw new Error(`${err.message} (last: ${last})`); });
}
