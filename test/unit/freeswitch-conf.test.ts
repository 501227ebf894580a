/*
 * F1: every file of freeswitch-conf/ is well-formed XML (saxes, a strict XML 1.0 parser checked
 * against the W3C conformance suite) and says what the dialer relies on: the event socket on
 * loopback with a password, the dialer-agent context handing calls to the outbound socket, the
 * outbound route with call_timeout 60 and a gateway bridge, the service numbers, an example
 * directory user with a password.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SaxesParser } from 'saxes';
import { DEFAULT_SERVICE_CODES } from '../../src/adapters/freeswitch/service-codes.js';
import { predictiveHangupHook } from '../../src/simulator/predictive-call.js';

const splitOnce = (s: string, sep: string): [string, string] => {
  const i = s.indexOf(sep);
  return [s.slice(0, i), s.slice(i + sep.length)];
};

/**
 * One pass of switch_channel_expand_variables (1.10.12 switch_channel.c) over what the test needs:
 * `\\` gives `\`, `\$` a literal `$`, `${name}` the variable's value (nothing when unset).
 */
function expandOnce(s: string, vars: Record<string, string>): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && (s[i + 1] === '\\' || s[i + 1] === '$')) {
      out += s[i + 1];
      i++;
      continue;
    }
    const m = s[i] === '$' ? /^\$\{([^}]+)\}/.exec(s.slice(i)) : null;
    if (m) {
      out += vars[m[1]!] ?? '';
      i += m[0].length - 1;
      continue;
    }
    out += s[i];
  }
  return out;
}

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
}

/** The document's root element; throws with every well-formedness error (line:column) found. */
export function parseXml(text: string, where = 'xml'): XmlElement {
  const parser = new SaxesParser();
  const errors: string[] = [];
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  parser.on('error', (e) => errors.push(e.message));
  parser.on('opentag', (t) => {
    const el: XmlElement = { name: t.name, attrs: { ...(t.attributes as Record<string, string>) }, children: [] };
    if (stack.length > 0) stack[stack.length - 1]!.children.push(el);
    else root ??= el;
    stack.push(el);
  });
  parser.on('closetag', () => void stack.pop());
  parser.write(text).close();
  if (errors.length > 0) throw new Error(`${where}: ${errors.join('; ')}`);
  if (!root) throw new Error(`${where}: no root element`);
  return root;
}

function all(el: XmlElement, name: string): XmlElement[] {
  return [...(el.name === name ? [el] : []), ...el.children.flatMap((c) => all(c, name))];
}

function xmlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? xmlFiles(p) : p.endsWith('.xml') ? [p] : [];
  });
}

const CONF = new URL('../../freeswitch-conf/', import.meta.url).pathname;
const load = (rel: string) => parseXml(readFileSync(join(CONF, rel), 'utf8'), rel);

describe('freeswitch-conf', () => {
  it('F1: the well-formedness check refuses broken XML', () => {
    for (const bad of ['<a><b></a></b>', '<a x=1/>', '<a x="1" x="2"/>', '<a>&</a>', '<a b="&"/>', '<a>&nbsp;</a>', '<a/><b/>', '<a>', 'text<a/>',
      '<a b="<"/>', '<a><!-- x -- y --></a>']) {
      expect(() => parseXml(bad), bad).to.throw();
    }
    expect(parseXml('<a x="1 &amp; 2"><b/>t</a>').attrs['x']).to.equal('1 & 2');
  });

  it('F1: every file is well-formed XML', () => {
    const files = xmlFiles(CONF);
    expect(files.map((f) => f.slice(CONF.length)).sort()).to.include.members([
      'autoload_configs/event_socket.conf.xml', 'dialplan/dialer.xml', 'dialplan/dialer-predictive.xml', 'dialplan/default-first/00_dialer_service_codes.xml', 'directory/default/agent-example.xml',
    ]);
    for (const f of files) expect(() => parseXml(readFileSync(f, 'utf8'), f), f).to.not.throw();
  });

  it('F1, F2: the event socket listens on 127.0.0.1:8021 with a password and the loopback ACL', () => {
    const params = Object.fromEntries(all(load('autoload_configs/event_socket.conf.xml'), 'param').map((p) => [p.attrs['name'], p.attrs['value']]));
    expect(params).to.include({ 'listen-ip': '127.0.0.1', 'listen-port': '8021', password: 'ClueCon', 'apply-inbound-acl': 'loopback.auto' });
  });

  it('F1, A4: dialer-agent hands any call to the outbound socket; dialer-out sets call_timeout 60 and bridges a gateway', () => {
    const contexts = all(load('dialplan/dialer.xml'), 'context');
    const agent = contexts.find((c) => c.attrs['name'] === 'dialer-agent')!;
    expect(all(agent, 'condition')[0]!.attrs['expression']).to.equal('^.*$');
    expect(all(agent, 'action').map((a) => [a.attrs['application'], a.attrs['data']])).to.deep.equal([['socket', '127.0.0.1:8084 async full']]);
    const out = contexts.find((c) => c.attrs['name'] === 'dialer-out')!;
    const actions = all(out, 'action').map((a) => `${a.attrs['application']} ${a.attrs['data']}`);
    expect(actions).to.include('set call_timeout=60').and.include('set hangup_after_bridge=true');
    expect(actions[actions.length - 1]).to.match(/^bridge sofia\/gateway\/[^/]+\/\$1$/);
    expect(new RegExp(all(out, 'condition')[0]!.attrs['expression']!).test('5551234')).to.equal(true);
  });

  it('P3: dialer-predictive arms the fail-safe 0.4-1.9 s ahead and parks; dialer-abandon plays the message, with the opt-out key when set, and hangs up', () => {
    const contexts = all(load('dialplan/dialer-predictive.xml'), 'context');
    const pred = contexts.find((c) => c.attrs['name'] === 'dialer-predictive')!;
    expect(new RegExp(all(pred, 'condition')[0]!.attrs['expression']!).test('dialer_predictive')).to.equal(true);
    const [hook, ...rest] = all(pred, 'action').map((a) => [a.attrs['application'], a.attrs['data']]);
    // S3: the switch's record of the call, written at the hang-up; what `set` leaves of it after the
    // application's expansion and its own is what the simulator models (and the real switch wrote)
    expect(hook![0]).to.equal('set');
    const [name, value] = splitOnce(hook![1]!, '=');
    expect(name).to.equal('api_hangup_hook');
    const vars = { uuid: 'u-1', dialer_attempt_id: '42' };
    expect(expandOnce(expandOnce(value, vars), vars)).to.equal(predictiveHangupHook('u-1', '42'));
    expect(rest).to.deep.equal([
      // whole seconds, a scheduler that looks every 0.5 s: floor(now + 1.4) fires 0.4-1.9 s later
      ['sched_transfer', '${expr(floor(${strmicroepoch()}/1000000+1.4))} dialer_abandon XML dialer-abandon'],
      ['park', undefined],
    ]);
    const ab = contexts.find((c) => c.attrs['name'] === 'dialer-abandon')!;
    const exts = all(ab, 'extension');
    expect(exts.map((e) => all(e, 'condition')[0]!.attrs['expression'])).to.deep.equal(['^dialer_abandon$', '^dialer_abandon$']);
    const [optOut, plain] = exts.map((e) => all(e, 'action').map((a) => `${a.attrs['application']} ${a.attrs['data']}`));
    expect(all(exts[0]!, 'condition')[1]!.attrs).to.include({ field: '${dialer_optout_key}', expression: '^[0-9*#]$' });
    expect(optOut![0]).to.equal('set dialer_message_uepoch=${strmicroepoch()}');
    expect(optOut![1]).to.match(/^play_and_get_digits 1 1 1 \d+ # \$\{dialer_abandon_message\} \S+ dialer_optout_digit /);
    expect(plain).to.deep.equal(['set dialer_message_uepoch=${strmicroepoch()}', 'playback ${dialer_abandon_message}', 'hangup NORMAL_CLEARING']);
    expect(optOut!.at(-1)).to.equal('hangup NORMAL_CLEARING');
  });

  it('A5: the service-number extension matches exactly the codes the adapter knows and exports the SIP user', () => {
    const ext = load('dialplan/default-first/00_dialer_service_codes.xml');
    const re = new RegExp(all(ext, 'condition')[0]!.attrs['expression']!);
    expect(Object.keys(DEFAULT_SERVICE_CODES)).to.have.members(['*100', '*101', '*102']);
    for (const code of ['*100', '*101', '*102']) expect(re.test(code), code).to.equal(true);
    expect(re.test('*103')).to.equal(false);
    expect(re.test('1000')).to.equal(false);
    const actions = all(ext, 'action').map((a) => `${a.attrs['application']} ${a.attrs['data'] ?? ''}`.trim());
    expect(actions).to.deep.equal(['set dialer_sip_user=${user_name}@${domain_name}', 'answer', 'socket 127.0.0.1:8084 async full']);
  });

  it('A1: the example agent is a directory user with a password', () => {
    const user = all(load('directory/default/agent-example.xml'), 'user')[0]!;
    expect(user.attrs['id']).to.match(/^\d+$/);
    expect(all(user, 'param').some((p) => p.attrs['name'] === 'password' && (p.attrs['value'] ?? '') !== '')).to.equal(true);
  });
});
