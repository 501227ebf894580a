/*
 * C8: channel variable values survive FreeSWITCH's parsing of `originate {…}` and `bridge {…}`.
 * The reference below replays switch_utils.c (switch_separate_string: blank and char delimiters,
 * cleanup_separated_string) and switch_event.c (brackets, then `name=value` split in two), in
 * the 1.10 form ("modern": quotes only toggle when a closing quote follows, `\\` unescapes) and
 * the older form, so the encoding does not depend on which one a server runs.
 */
import { expect } from 'chai';
import { randomInt } from 'node:crypto';
import { bracketBlock, checkVariable, splitVariables } from '../../src/adapters/freeswitch/channel-vars.js';
import { originateCommand } from '../../src/adapters/freeswitch/originate.js';

function unescapeChar(e: string): string {
  return ({ n: '\n', r: '\r', t: '\t', s: ' ' } as Record<string, string>)[e] ?? e;
}

function cleanup(str: string, delim: string, modern: boolean): string {
  let i = 0;
  while (str[i] === ' ') i++;
  let out = '';
  let end = -1;
  let inside = false;
  for (; i < str.length; i++) {
    const c = str[i]!;
    let esc = false;
    if (c === '\\' && i + 1 < str.length) {
      const e = str[i + 1]!;
      const raw = e === "'" || e === '"' || (delim !== '' && e === delim) || (modern && e === '\\');
      if (raw || unescapeChar(e) !== e) {
        i++;
        out += raw ? e : unescapeChar(e);
        end = out.length;
        esc = true;
      }
    }
    if (!esc) {
      if (c === "'" && (!modern || inside || str.indexOf("'", i + 1) >= 0)) {
        inside = !inside;
        if (modern && inside) end = out.length;
      } else {
        out += c;
        if (c !== ' ' || inside) end = out.length;
      }
    }
  }
  return end >= 0 ? out.slice(0, end) : out;
}

function separate(s: string, delim: string, max: number, modern: boolean): string[] {
  const spans: [number, number][] = [];
  let inside = false;
  let state: 'start' | 'skip' | 'find' | 'skipEnd' = 'start';
  let i = 0;
  // As in C: the loop ends as soon as `max` tokens were started; the last one runs to the end.
  while (i < s.length && spans.length < max) {
    if (state === 'start') {
      spans.push([i, s.length]);
      state = delim === ' ' ? 'skip' : 'find';
    } else if (state === 'skip') {
      if (s[i] === ' ') i++;
      else state = 'find';
    } else if (state === 'find') {
      const c = s[i];
      if (c === '\\') i++;
      else if (c === "'" && (delim === ' ' || !modern || inside || s.indexOf("'", i + 1) >= 0)) inside = !inside;
      else if (c === delim && !inside) {
        spans[spans.length - 1]![1] = i;
        state = delim === ' ' ? 'skipEnd' : 'start';
      }
      i++;
    } else if (s[i] === ' ') i++;
    else state = 'start';
  }
  return spans.map(([a, b]) => cleanup(s.slice(a, b), delim === ' ' ? '' : delim, modern));
}

/** Variables FreeSWITCH reads from `{…}rest`. */
function brackets(dial: string, modern: boolean): Record<string, string> {
  expect(dial[0]).to.equal('{');
  let depth = 0;
  let end = -1;
  for (let i = 0; i < dial.length; i++) {
    if (dial[i] === '{') depth++;
    if (dial[i] === '}' && --depth === 0) {
      end = i;
      break;
    }
  }
  const out: Record<string, string> = {};
  for (const item of separate(dial.slice(1, end), ',', 1024, modern)) {
    const [k, v] = separate(item, '=', 2, modern);
    if (k !== undefined && v !== undefined) out[k] = v;
  }
  return out;
}

const ALPHABET = 'abcXYZ019 ,"=$:@/#*+.-_éü';
/** A random value FreeSWITCH can carry (not blank: `name=` is dropped, see the refusal test). */
function randomValue(): string {
  let s = '';
  for (let n = randomInt(1, 20); n > 0; n--) s += ALPHABET[randomInt(ALPHABET.length)];
  return s.trim() === '' ? `${s}x` : s;
}

describe('FreeSWITCH channel variables', () => {
  for (const modern of [true, false]) {
    it(`C8: 500 random values read back unchanged through originate's two parses (${modern ? '1.10' : 'older'} tokenizer)`, () => {
      for (let n = 0; n < 500; n++) {
        const value = randomValue();
        expect(checkVariable('dialer_x', value).kind).to.equal('ok');
        const cmd = originateCommand(
          { attemptId: 7, legUuid: '5ab48f07-007c-49e4-9d91-e32f3874581b', node: 'n', sipUser: '1000@127.0.0.1', ringSec: 20, callerIdNumber: '5550000', callerIdName: 'Sales, Team 2', variables: { dialer_x: value } },
          '127.0.0.1:8084',
        );
        if (cmd.kind !== 'ok') throw new Error(cmd.kind);
        const args = separate(cmd.command.slice('originate '.length), ' ', 1024, modern);
        expect(args[1]).to.equal('&socket(127.0.0.1:8084 async full)');
        const vars = brackets(args[0]!, modern);
        expect(vars['dialer_x'], JSON.stringify(value)).to.equal(value.trim());
        expect(vars).to.include({ origination_uuid: '5ab48f07-007c-49e4-9d91-e32f3874581b', originate_timeout: '20', dialer_attempt_id: '7', origination_caller_id_name: 'Sales, Team 2' });
        expect(args[0]!.endsWith('}user/1000@127.0.0.1')).to.equal(true);
      }
    });

    it(`C8: bridge {…} values read back unchanged (${modern ? '1.10' : 'older'} tokenizer)`, () => {
      for (let n = 0; n < 200; n++) {
        const value = randomValue();
        const vars = brackets(`${bracketBlock([['origination_caller_id_name', value]])}loopback/5551234/dialer-out`, modern);
        expect(vars['origination_caller_id_name']).to.equal(value.trim());
      }
    });
  }

  it('C8: values that cannot pass are refused, with a reason', () => {
    for (const bad of ['a\nb', "O'Brien", 'c:\\dir', '{x}', '${system ls}', 'x\r', '', '   ']) {
      expect(checkVariable('v', bad).kind, JSON.stringify(bad)).to.equal('rejected');
    }
    expect(checkVariable('bad name', 'x').kind).to.equal('rejected');
    const split = splitVariables({ ok: 'fine, really', bad: "it's" });
    expect(split.accepted).to.deep.equal([['ok', 'fine, really']]);
    expect(split.rejected.map((r) => r.name)).to.deep.equal(['bad']);
  });

  it('F2, C9: the originate names our uuid, the agent, the attempt and the inline socket (quoted), and sets the bridge\'s continue_on_fail and hangup_after_bridge on the agent leg (a request cannot change them)', () => {
    const cmd = originateCommand(
      { attemptId: 42, legUuid: '11111111-2222-3333-4444-555555555555', node: 'n', sipUser: '1000@127.0.0.1', ringSec: 15, callerIdNumber: '5550000', callerIdName: 'Dialer', variables: { origination_uuid: 'hijack', continue_on_fail: 'false' } },
      '10.0.0.5:8084',
    );
    expect(cmd).to.deep.equal({
      kind: 'ok',
      dropped: [],
      command:
        "originate {origination_uuid=11111111-2222-3333-4444-555555555555,originate_timeout=15,ignore_early_media=true,dialer_attempt_id=42,continue_on_fail=true,hangup_after_bridge=true,origination_caller_id_number=5550000,origination_caller_id_name=Dialer}user/1000@127.0.0.1 '&socket(10.0.0.5:8084 async full)'",
    });
    expect(originateCommand({ attemptId: 1, legUuid: '11111111-2222-3333-4444-555555555555', node: 'n', sipUser: '1000 x', ringSec: 1, callerIdNumber: '', callerIdName: '', variables: {} }, 'h:1').kind).to.equal('invalid');
  });
});
