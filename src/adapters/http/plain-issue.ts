import type { z } from 'zod';

/*
 * zod's own wording ("Too small: expected number to be >=1") reaches supervisors through the
 * web client's forms. This per-parse error map says the same in plain words; a message that a
 * schema sets itself ("at least 8 characters") still wins over it.
 */

type RawIssue = z.core.$ZodRawIssue;

const SIZED: Record<string, string> = { string: 'characters', array: 'items', set: 'items', map: 'entries', file: 'bytes' };
const TYPE_NAMES: Record<string, string> = {
  int: 'a whole number', number: 'a number', string: 'text', boolean: 'true or false', object: 'an object', array: 'a list',
  date: 'a date', bigint: 'a whole number',
};

function bound(kind: 'least' | 'most', limit: unknown, origin: string | undefined, exact: boolean | undefined, inclusive: boolean | undefined): string {
  const unit = origin ? SIZED[origin] : undefined;
  if (origin === 'string' && kind === 'least' && Number(limit) === 1) return 'must not be empty';
  const n = unit ? `${String(limit)} ${unit}` : String(limit);
  if (exact) return `must be exactly ${n}`;
  if (inclusive === false) return kind === 'least' ? `must be more than ${n}` : `must be less than ${n}`;
  return `must be at ${kind} ${n}`;
}

export function plainIssue(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'too_small':
      return bound('least', issue.minimum, issue.origin, issue.exact, issue.inclusive);
    case 'too_big':
      return bound('most', issue.maximum, issue.origin, issue.exact, issue.inclusive);
    case 'invalid_value':
      return issue.values.length === 1 ? `must be ${JSON.stringify(issue.values[0])}` : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `has unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
    case 'invalid_format':
      return issue.format === 'regex' ? 'is not in the expected form' : `must be a valid ${issue.format.replace(/_/g, ' ')}`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    default:
      return undefined;
  }
}
