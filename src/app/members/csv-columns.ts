import type { z } from 'zod';
import { CSV_LIMITS } from './csv-limits.js';
import { MEMBER_LIMITS, MemberInput, type MemberInputWire, type ParsedMember } from '../../contract/member-input.js';

/*
 * The column mapping of a CSV upload (SPEC M6) and the turning of one CSV row
 * into a member. The row goes through the same MemberInput schema as JSON.
 */

export type CsvColumn =
  | { kind: 'name' }
  | { kind: 'priority' }
  | { kind: 'expire_at' }
  | { kind: 'timezone' }
  /** priority null: a plain `number` column, ranked by its place among the plain ones. */
  | { kind: 'number'; priority: number | null }
  | { kind: 'var'; name: string }
  | { kind: 'skip' };

export type ParseColumnsResult = { kind: 'ok'; columns: CsvColumn[] } | { kind: 'invalid'; message: string };

const SINGLE = new Set(['name', 'priority', 'expire_at', 'timezone']);

/** Reads `name,number,number:5,var:debt,-` (already split on commas). */
export function parseColumns(list: readonly string[]): ParseColumnsResult {
  if (list.length > CSV_LIMITS.fieldsPerRecord) return { kind: 'invalid', message: `at most ${CSV_LIMITS.fieldsPerRecord} columns (the limit of fields in a record)` };
  const columns: CsvColumn[] = [];
  const seen = new Set<string>();
  for (const raw of list) {
    const spec = raw.trim();
    let col: CsvColumn;
    if (spec === '-') col = { kind: 'skip' };
    else if (SINGLE.has(spec)) {
      if (seen.has(spec)) return { kind: 'invalid', message: `"${spec}" may appear once` };
      col = { kind: spec as 'name' | 'priority' | 'expire_at' | 'timezone' };
    } else if (spec === 'number') col = { kind: 'number', priority: null };
    else if (spec.startsWith('number:')) {
      const p = spec.slice('number:'.length);
      if (!/^[+-]?\d{1,9}$/.test(p)) return { kind: 'invalid', message: `"${spec}": the priority must be an integer` };
      col = { kind: 'number', priority: Number(p) };
    } else if (spec.startsWith('var:')) {
      const name = spec.slice('var:'.length);
      if (name === '') return { kind: 'invalid', message: `"${spec}": a variable needs a name` };
      if (seen.has(spec)) return { kind: 'invalid', message: `"${spec}" may appear once` };
      col = { kind: 'var', name };
    } else {
      return {
        kind: 'invalid',
        message: `"${spec}" is not a column target (name, priority, expire_at, timezone, number, number:<priority>, var:<name>, -)`,
      };
    }
    seen.add(spec);
    columns.push(col);
  }
  const numbers = columns.filter((c) => c.kind === 'number').length;
  if (numbers === 0) return { kind: 'invalid', message: 'at least one column must be "number"' };
  if (numbers > MEMBER_LIMITS.communicationsMax) {
    return { kind: 'invalid', message: `at most ${MEMBER_LIMITS.communicationsMax} number columns` };
  }
  return { kind: 'ok', columns };
}

export type RowResult = { kind: 'ok'; member: ParsedMember } | { kind: 'bad'; reason: string };

/** A mapping prepared once per file: plain number columns get their descending priorities here. */
export class RowMapper {
  readonly #columns: CsvColumn[];
  readonly #numberPriority: number[];

  constructor(columns: CsvColumn[]) {
    this.#columns = columns;
    // "earlier columns get higher priority": with 3 plain number columns they get 2, 1, 0.
    const plain = columns.filter((c) => c.kind === 'number' && c.priority === null).length;
    let k = 0;
    this.#numberPriority = columns.map((c) => (c.kind === 'number' ? (c.priority ?? plain - 1 - k++) : 0));
  }

  get width(): number {
    return this.#columns.length;
  }

  /** cells has exactly `width` entries (the parser checks the column count). */
  toMember(cells: readonly string[]): RowResult {
    const wire: MemberInputWire & { variables: Record<string, string>; communications: { number: string; priority: number }[] } = {
      variables: {},
      communications: [],
    };
    // Which CSV column gave each communication, to name it in a reason.
    const commColumn: number[] = [];
    for (let i = 0; i < this.#columns.length; i++) {
      const col = this.#columns[i]!;
      const cell = cells[i] ?? '';
      switch (col.kind) {
        case 'name':
          wire.name = cell;
          break;
        case 'priority': {
          const v = cell.trim();
          if (v === '') break;
          if (!/^[+-]?\d{1,9}$/.test(v)) return { kind: 'bad', reason: `column ${i + 1} (priority): "${v}" is not an integer` };
          wire.priority = Number(v);
          break;
        }
        case 'expire_at': {
          const v = cell.trim();
          if (v !== '') wire.expire_at = v;
          break;
        }
        case 'timezone': {
          const v = cell.trim();
          if (v !== '') wire.timezone = v;
          break;
        }
        case 'number': {
          const v = cell.trim();
          if (v === '') break; // a member may have fewer numbers than number columns
          wire.communications.push({ number: v, priority: this.#numberPriority[i]! });
          commColumn.push(i);
          break;
        }
        case 'var':
          if (cell !== '') wire.variables[col.name] = cell;
          break;
        case 'skip':
          break;
        default:
          return assertNever(col);
      }
    }
    const r = MemberInput.safeParse(wire);
    if (r.success) return { kind: 'ok', member: r.data };
    return { kind: 'bad', reason: r.error.issues.map((x) => this.#describe(x, commColumn)).join('; ') };
  }

  // Says "column 3 (number): …" instead of the JSON path "communications.1.number".
  #describe(issue: z.core.$ZodIssue, commColumn: number[]): string {
    const [head, index] = issue.path;
    if (head === 'communications') {
      if (typeof index === 'number' && commColumn[index] !== undefined) {
        return `column ${commColumn[index] + 1} (number): ${issue.message}`;
      }
      return commColumn.length === 0 ? 'no number: every number column is empty' : `number: ${issue.message}`;
    }
    if (typeof head === 'string') {
      const target = head === 'variables' && typeof index === 'string' ? `var:${index}` : head;
      const at = this.#columns.findIndex((c) => (c.kind === 'var' ? `var:${c.name}` : c.kind) === target);
      return at >= 0 ? `column ${at + 1} (${target}): ${issue.message}` : `${target}: ${issue.message}`;
    }
    return issue.message;
  }
}

function assertNever(x: never): never {
  throw new Error(`unexpected column ${JSON.stringify(x)}`);
}
