/*
 * Channel variables on the command line (C8): `originate {a=b,c=d}…`, `bridge {…}…` and
 * `set name=value`.
 *
 * How FreeSWITCH reads them (switch_utils.c switch_separate_string, switch_event.c brackets):
 * the originate API first splits its argument on spaces (quotes and `\` escapes honoured, then
 * `\s` → space, `\'` → `'`), the `{…}` block is then split on `,` (`\,` keeps a comma) and each
 * item on the first `=`; every pass strips unescaped single quotes and trims spaces. `set` and
 * `bridge` arguments are expanded by the core: `${…}` / `$${…}` would run variable and API
 * expansion (`${system …}`), so such text must never reach FreeSWITCH from member data.
 *
 * Encoding used: `,` → `\,` and space → `\s`, which survive every pass above and read back as the
 * original value (test/unit/freeswitch-channel-vars.test.ts replays FreeSWITCH's tokenizer).
 * Characters that cannot be passed through all passes are refused: control characters (the
 * ESL command ends at a newline), `\`, `'`, `{`, `}` and the sequences `${`; leading and trailing
 * spaces are trimmed by FreeSWITCH itself, so an empty or blank value cannot be passed either.
 */

export type VarCheck = { kind: 'ok' } | { kind: 'rejected'; reason: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

export function checkVariable(name: string, value: string): VarCheck {
  if (!NAME.test(name)) return { kind: 'rejected', reason: 'name must be letters, digits and _' };
  if (CONTROL.test(value)) return { kind: 'rejected', reason: 'control character in value' };
  if (/[\\'{}]/.test(value)) return { kind: 'rejected', reason: "value contains \\ ' { or }" };
  if (value.includes('${')) return { kind: 'rejected', reason: 'value contains ${ (variable expansion)' };
  // `name=` splits into one token and FreeSWITCH drops the item.
  if (value.trim() === '') return { kind: 'rejected', reason: 'empty value' };
  return { kind: 'ok' };
}

/** Removes what checkVariable refuses: for display values such as caller id names. */
export function sanitizeValue(value: string): string {
    return value.replace(/[\u0000-\u001f\u007f\\'{}]/g, '').replaceAll('${', '$');
}

/** Escapes an accepted value for a `{…}` block (originate or bridge). */
export function bracketValue(value: string): string {
  return value.replaceAll(',', '\\,').replaceAll(' ', '\\s');
}

export interface VarSplit {
  accepted: [string, string][];
  rejected: { name: string; reason: string }[];
}

/** Checks every variable; accepted ones keep their order. */
export function splitVariables(vars: Record<string, string>): VarSplit {
  const out: VarSplit = { accepted: [], rejected: [] };
  for (const [name, value] of Object.entries(vars)) {
    const c = checkVariable(name, String(value));
    if (c.kind === 'ok') out.accepted.push([name, String(value)]);
    else out.rejected.push({ name, reason: c.reason });
  }
  return out;
}

/** `{a=b,c=d}` from pairs already checked. */
export function bracketBlock(pairs: [string, string][]): string {
  return `{${pairs.map(([k, v]) => `${k}=${bracketValue(v)}`).join(',')}}`;
}
