/*
 * F1: every file of freeswitch-conf/ is well-formed XML and says what the dialer relies on.
 * No XML library is installed, so a strict checker is written here: one root element, tags
 * balanced and properly nested, attribute values quoted, no duplicate attribute, `&` only in
 * entity references, `<` never in text or values, comments without `--`.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SERVICE_CODES } from '../../src/adapters/freeswitch/service-codes.js';

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.:-]*/;
const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

function decode(s: string, where: string): string {
  if (s.replace(ENTITY, '').includes('&')) throw new Error(`${where}: bare & (use &amp;)`);
  return s.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'");
}

export function parseXml(text: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  const fail = (msg: string): never => {
    throw new Error(`${msg} at offset ${i} (line ${text.slice(0, i).split('\n').length})`);
  };
  if (text.startsWith('<?xml')) i = text.indexOf('?>') + 2;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = text.slice(i, lt < 0 ? text.length : lt);
    if (chunk.trim() !== '') {
      if (stack.length === 0) fail('text outside the root element');
      decode(chunk, 'text');
    }
    if (lt < 0) break;
    i = lt;
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) fail('unterminated comment');
      if (text.slice(i + 4, end).includes('--')) fail('"--" inside a comment');
      i = end + 3;
      continue;
    }
    if (text.startsWith('<?', i) || text.startsWith('<!', i)) fail('processing instruction or declaration inside the document');
    if (text.startsWith('</', i)) {
      const m = NAME.exec(text.slice(i + 2));
      if (!m) fail('bad closing tag');
      const name = m![0];
      i += 2 + name.length;
      while (/\s/.test(text[i] ?? '')) i++;
      if (text[i] !== '>') fail(`bad closing tag </${name}`);
      i++;
      const open = stack.pop();
      if (!open || open.name !== name) fail(`</${name}> closes <${open?.name ?? 'nothing'}>`);
      continue;
    }
    const m = NAME.exec(text.slice(i + 1));
    if (!m) fail('bad tag name');
    const el: XmlElement = { name: m![0], attrs: {}, children: [] };
    i += 1 + el.name.length;
    for (;;) {
      const ws = /^\s*/.exec(text.slice(i))![0].length;
      i += ws;
      if (text.startsWith('/>', i) || text[i] === '>') break;
      if (ws === 0) fail(`attributes of <${el.name}> must be separated by spaces`);
      const an = NAME.exec(text.slice(i));
      if (!an) fail(`bad attribute in <${el.name}>`);
      const attr = an![0];
      i += attr.length;
      if (text[i] !== '=') fail(`attribute ${attr} without a value`);
      i++;
      const q = text[i];
      if (q !== '"' && q !== "'") fail(`attribute ${attr} not quoted`);
      const end = text.indexOf(q!, i + 1);
      if (end < 0) fail(`unterminated value of ${attr}`);
      const raw = text.slice(i + 1, end);
      if (raw.includes('<')) fail(`< in the value of ${attr}`);
      if (attr in el.attrs) fail(`duplicate attribute ${attr}`);
      el.attrs[attr] = decode(raw, `attribute ${attr}`);
      i = end + 1;
    }
    const selfClosing = text.startsWith('/>', i);
    i += selfClosing ? 2 : 1;
    if (stack.length > 0) stack[stack.length - 1]!.children.push(el);
    else if (root) fail('a second root element');
    else root = el;
    if (!selfClosing) stack.push(el);
  }
  if (stack.length > 0) throw new Error(`<${stack[stack.length - 1]!.name}> is never closed`);
  if (!root) throw new Error('no root element');
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
const load = (rel: string) => parseXml(readFileSync(join(CONF, rel), 'utf8'));

describe('freeswitch-conf', () => {
  it('F1: the checker refuses broken XML', () => {
    for (const bad of ['<a><b></a></b>', '<a x=1/>', '<a x="1" x="2"/>', '<a>&</a>', '<a/><b/>', '<a><!-- x -- y --></a>', '<a>', 'text<a/>']) {
      expect(() => parseXml(bad), bad).to.throw();
    }
    expect(parseXml('<a x="1 &amp; 2"><b/>t</a>').attrs['x']).to.equal('1 & 2');
  });

  it('F1: every file is well-formed XML', () => {
    const files = xmlFiles(CONF);
    expect(files.length).to.be.at.least(4);
    for (const f of files) expect(() => parseXml(readFileSync(f, 'utf8')), f).to.not.throw();
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

  it('A5: the service-number extension matches exactly the codes the adapter knows and exports the SIP user', () => {
    const ext = load('dialplan/default/00_dialer_service_codes.xml');
    const re = new RegExp(all(ext, 'condition')[0]!.attrs['expression']!);
    for (const code of Object.keys(DEFAULT_SERVICE_CODES)) expect(re.test(code), code).to.equal(true);
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
