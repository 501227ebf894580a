// The scenario file of the standalone simulator, checked field by field: a typo ("anwser", an
// unknown outcome) is named with its path instead of silently scripting a default phone.
import { z } from 'zod';
import type { AgentScript, Scenario, SubscriberScript } from './types.js';

const AGENT_ANSWERS = ['answer', 'busy', 'reject', 'no-answer', 'unavailable', 'dnd', 'unreachable'] as const;
const SUBSCRIBER_OUTCOMES = ['answer', 'busy', 'no-answer', 'reject'] as const;
const SIP_CODES = [404, 480, 486, 503, 603] as const;

const ms = z.number().int().min(0);

const agentAnswer = z.union([z.enum(AGENT_ANSWERS), z.literal(SIP_CODES)], {
  error: `expected one of ${[...AGENT_ANSWERS, ...SIP_CODES].join(', ')}`,
});

const subscriberOutcome = z.union([z.enum(SUBSCRIBER_OUTCOMES), z.literal(SIP_CODES)], {
  error: `expected one of ${[...SUBSCRIBER_OUTCOMES, ...SIP_CODES].join(', ')}`,
});

export const AgentScriptSchema = z.strictObject({
  registered: z.boolean().optional(),
  answer: agentAnswer.optional(),
  afterMs: ms.optional(),
  hangupAfterMs: ms.optional(),
});

export const SubscriberScriptSchema = z.strictObject({
  outcome: subscriberOutcome.optional(),
  afterMs: ms.optional(),
  talkMs: ms.optional(),
  optOutDigit: z.string().regex(/^[0-9*#]$/, 'expected one of 0-9 * #').optional(),
});

const sipUser = z.string().regex(/^[^@\s]+(@[^@\s]+)?$/, 'expected ext or ext@domain');

export const ScenarioSchema = z.strictObject({
  agents: z.record(sipUser, AgentScriptSchema).optional(),
  subscribers: z.record(z.string().regex(/^[^\s]+$/, 'expected a number without spaces'), SubscriberScriptSchema).optional(),
  defaultSubscriber: SubscriberScriptSchema.optional(),
  unknownUsersAbsent: z.boolean().optional(),
});

export type Checked<T> = { kind: 'ok'; value: T } | { kind: 'bad'; problems: string[] };

/** `agents["1000@127.0.0.1"].answer`: keys that are not plain names are quoted. */
export function describePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(String(p))) out += out === '' ? String(p) : `.${String(p)}`;
    else out += `[${JSON.stringify(String(p))}]`;
  }
  return out === '' ? '(top level)' : out;
}

function problemsOf(error: z.ZodError): string[] {
  return error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys' ? i.keys.map((k) => `${describePath([...i.path, k])}: unknown field`) : [`${describePath(i.path)}: ${i.message}`],
  );
}

function check<T>(schema: z.ZodType<T>, input: unknown): Checked<T> {
  const r = schema.safeParse(input);
  return r.success ? { kind: 'ok', value: r.data } : { kind: 'bad', problems: problemsOf(r.error) };
}

export const checkScenario = (input: unknown): Checked<Scenario> => check(ScenarioSchema, input);
export const checkAgentScript = (input: unknown): Checked<AgentScript> => check(AgentScriptSchema, input);
export const checkSubscriberScript = (input: unknown): Checked<SubscriberScript> => check(SubscriberScriptSchema, input);
