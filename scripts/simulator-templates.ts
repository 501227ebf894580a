// Builds the simulator's event templates (src/simulator/templates/events.json, data loaded by
// src/simulator/event-templates.ts) from the recorded transcripts in test/fixtures/freeswitch-esl.
// The simulator does not read the transcripts at runtime, so the templates are generated once and
// committed; test/integration/simulator-templates.test.ts checks the committed file still equals
// what this builds. Regenerate: npm run simulator:templates
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readTranscript, splitMessages, header, parseHeaderBlock, type EslMessage } from '../test/helpers/transcript.js';

export const TEMPLATES_FILE = fileURLToPath(new URL('../src/simulator/templates/events.json', import.meta.url));

// 'sub' is the SIP subscriber leg; 'loopa' / 'loopb' the relay pair of a loopback bridge (05c).
type Leg = 'agent' | 'sub' | 'loopa' | 'loopb';
type Pick = { file: string; conn: string; event: string; leg: Leg; app?: string; nth?: number; state?: string; key: string };
const P = (key: string, file: string, conn: string, event: string, leg: Leg, extra: Partial<Pick> = {}): Pick => ({ key, file, conn, event, leg, ...extra });
const LOOP = '05c-agent-first-loopback-subscriber-answers';
// 09: the predictive subscriber leg (loopback-a originated into dialer-predictive), answered and
// bridged to a nailed-up agent leg (first member call), or abandoned through the fail-safe (second)
const PRED = '09-predictive-subscriber-first';
const picks: Pick[] = [
  ...['CHANNEL_CREATE', 'CHANNEL_PROGRESS', 'CHANNEL_ANSWER', 'CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE'].map((e) => P(`park|${e}`, '04b-originate-answered', 'inbound#1', e, 'agent')),
  ...['CHANNEL_CREATE', 'CHANNEL_PROGRESS', 'CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE'].map((e) => P(`fail|${e}`, '04c-originate-486-busy', 'inbound#1', e, 'agent')),
  P('park|CHANNEL_HANGUP#local', '06-esl-drop', 'inbound#2', 'CHANNEL_HANGUP', 'agent'),
  P('park|CHANNEL_HANGUP_COMPLETE#local', '06-esl-drop', 'inbound#2', 'CHANNEL_HANGUP_COMPLETE', 'agent'),
  P('park|CHANNEL_DESTROY', '04b-originate-answered', 'inbound#1', 'CHANNEL_DESTROY', 'agent'),
  P('fail|CHANNEL_DESTROY', '04c-originate-486-busy', 'inbound#1', 'CHANNEL_DESTROY', 'agent'),
  P('noanswer|CHANNEL_DESTROY', '04e-originate-no-answer-timeout', 'inbound#1', 'CHANNEL_DESTROY', 'agent'),
  ...['CHANNEL_CREATE', 'CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE', 'CHANNEL_DESTROY'].map((e) => P(`unreach|${e}`, '04g-originate-no-response', 'inbound#1', e, 'agent')),
  ...['CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE'].map((e) => P(`noanswer|${e}`, '04e-originate-no-answer-timeout', 'inbound#1', e, 'agent')),
  // dialplan form (agent XML dialer-agent), 05a
  ...['CHANNEL_CREATE', 'CHANNEL_PROGRESS', 'CHANNEL_ANSWER'].map((e) => P(`xfer|${e}`, '05a-agent-first-subscriber-answers', 'inbound#1', e, 'agent')),
  P('xfer|CHANNEL_DATA', '05a-agent-first-subscriber-answers', 'outbound#1', 'CHANNEL_DATA', 'agent'),
  P('xfer|CHANNEL_EXECUTE', '05a-agent-first-subscriber-answers', 'outbound#1', 'CHANNEL_EXECUTE', 'agent', { app: 'set' }),
  P('xfer|CHANNEL_EXECUTE_COMPLETE', '05a-agent-first-subscriber-answers', 'outbound#1', 'CHANNEL_EXECUTE_COMPLETE', 'agent', { app: 'set' }),
  P('xfer|CHANNEL_EXECUTE|bridge', '05a-agent-first-subscriber-answers', 'outbound#1', 'CHANNEL_EXECUTE', 'agent', { app: 'bridge' }),
  P('xfer|CHANNEL_BRIDGE', '05a-agent-first-subscriber-answers', 'outbound#1', 'CHANNEL_BRIDGE', 'agent'),
  P('xfer|CHANNEL_UNBRIDGE', '05a-agent-first-subscriber-answers', 'outbound#1', 'CHANNEL_UNBRIDGE', 'agent'),
  P('xfer|CHANNEL_HANGUP#bridged', '05a-agent-first-subscriber-answers', 'outbound#1', 'CHANNEL_HANGUP', 'agent'),
  P('xfer|CHANNEL_EXECUTE_COMPLETE|bridge#bridged', '05a-agent-first-subscriber-answers', 'outbound#1', 'CHANNEL_EXECUTE_COMPLETE', 'agent', { app: 'bridge' }),
  P('xfer|CHANNEL_UNPARK#bridged', '05a-agent-first-subscriber-answers', 'outbound#1', 'CHANNEL_UNPARK', 'agent'),
  P('xfer|CHANNEL_EXECUTE_COMPLETE|socket#bridged', '05a-agent-first-subscriber-answers', 'outbound#1', 'CHANNEL_EXECUTE_COMPLETE', 'agent', { app: 'socket' }),
  P('xfer|CHANNEL_STATE#bridged', '05a-agent-first-subscriber-answers', 'outbound#1', 'CHANNEL_STATE', 'agent'),
  P('xfer|CHANNEL_HANGUP_COMPLETE#bridged', '05a-agent-first-subscriber-answers', 'outbound#1', 'CHANNEL_HANGUP_COMPLETE', 'agent'),
  ...['CHANNEL_CREATE', 'CHANNEL_PROGRESS', 'CHANNEL_ANSWER', 'CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE'].map((e) => P(`sub|${e}`, '05a-agent-first-subscriber-answers', 'inbound#1', e, 'sub')),
  // inline form ('&socket(...)'), 05b busy without continue_on_fail
  ...['CHANNEL_CREATE', 'CHANNEL_PROGRESS', 'CHANNEL_ANSWER'].map((e) => P(`inline|${e}`, '05b-agent-first-subscriber-busy', 'inbound#1', e, 'agent')),
  P('inline|CHANNEL_DATA', '05b-agent-first-subscriber-busy', 'outbound#1', 'CHANNEL_DATA', 'agent'),
  P('inline|CHANNEL_EXECUTE', '05b-agent-first-subscriber-busy', 'outbound#1', 'CHANNEL_EXECUTE', 'agent', { app: 'set' }),
  P('inline|CHANNEL_EXECUTE_COMPLETE', '05b-agent-first-subscriber-busy', 'outbound#1', 'CHANNEL_EXECUTE_COMPLETE', 'agent', { app: 'set' }),
  P('inline|CHANNEL_EXECUTE|bridge', '05b-agent-first-subscriber-busy', 'outbound#1', 'CHANNEL_EXECUTE', 'agent', { app: 'bridge' }),
  P('inline|CHANNEL_HANGUP#bridgefail', '05b-agent-first-subscriber-busy', 'outbound#1', 'CHANNEL_HANGUP', 'agent'),
  P('inline|CHANNEL_EXECUTE_COMPLETE|bridge#bridgefail', '05b-agent-first-subscriber-busy', 'outbound#1', 'CHANNEL_EXECUTE_COMPLETE', 'agent', { app: 'bridge' }),
  P('inline|CHANNEL_UNPARK#bridgefail', '05b-agent-first-subscriber-busy', 'outbound#1', 'CHANNEL_UNPARK', 'agent'),
  P('inline|CHANNEL_EXECUTE_COMPLETE|socket#bridgefail', '05b-agent-first-subscriber-busy', 'outbound#1', 'CHANNEL_EXECUTE_COMPLETE', 'agent', { app: 'socket' }),
  P('inline|CHANNEL_STATE#bridgefail', '05b-agent-first-subscriber-busy', 'outbound#1', 'CHANNEL_STATE', 'agent'),
  P('inline|CHANNEL_HANGUP_COMPLETE#bridgefail', '05b-agent-first-subscriber-busy', 'outbound#1', 'CHANNEL_HANGUP_COMPLETE', 'agent'),
  ...['CHANNEL_CREATE', 'CHANNEL_PROGRESS', 'CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE'].map((e) => P(`subfail|${e}`, '05b-agent-first-subscriber-busy', 'inbound#1', e, 'sub')),
  // inline form, 05d busy with continue_on_fail: agent stays up, app hangs up
  P('inline|CHANNEL_EXECUTE_COMPLETE|bridge#cof', '05d-agent-first-subscriber-busy-continue-on-fail', 'outbound#1', 'CHANNEL_EXECUTE_COMPLETE', 'agent', { app: 'bridge' }),
  P('inline|CHANNEL_HANGUP#cof', '05d-agent-first-subscriber-busy-continue-on-fail', 'outbound#1', 'CHANNEL_HANGUP', 'agent'),
  P('inline|CHANNEL_UNPARK#cof', '05d-agent-first-subscriber-busy-continue-on-fail', 'outbound#1', 'CHANNEL_UNPARK', 'agent'),
  P('inline|CHANNEL_EXECUTE_COMPLETE|socket#cof', '05d-agent-first-subscriber-busy-continue-on-fail', 'outbound#1', 'CHANNEL_EXECUTE_COMPLETE', 'agent', { app: 'socket' }),
  P('inline|CHANNEL_STATE#cof', '05d-agent-first-subscriber-busy-continue-on-fail', 'outbound#1', 'CHANNEL_STATE', 'agent'),
  P('inline|CHANNEL_HANGUP_COMPLETE#cof', '05d-agent-first-subscriber-busy-continue-on-fail', 'outbound#1', 'CHANNEL_HANGUP_COMPLETE', 'agent'),
  // inline socket with no app activity, app drops the socket (06 B2)
  P('inline|CHANNEL_PARK', '05d-agent-first-subscriber-busy-continue-on-fail', 'outbound#1', 'CHANNEL_PARK', 'agent'),
  P('inline|CHANNEL_HANGUP', '06-esl-drop', 'inbound#2', 'CHANNEL_HANGUP', 'agent', { nth: 1 }),
  P('inline|CHANNEL_HANGUP_COMPLETE', '06-esl-drop', 'inbound#2', 'CHANNEL_HANGUP_COMPLETE', 'agent', { nth: 1 }),
  // loopback bridge (05c): the agent leg bridged to loopback-a, the relay pair, and the SIP leg
  // the route context bridges loopback-b to (variants: #loop, #loop-a, #loop-b, #loop-sip)
  ...['CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_HANGUP', 'CHANNEL_UNPARK', 'CHANNEL_STATE', 'CHANNEL_HANGUP_COMPLETE'].map((e) => P(`xfer|${e}#loop`, LOOP, 'outbound#1', e, 'agent')),
  P('xfer|CHANNEL_EXECUTE_COMPLETE|bridge#loop', LOOP, 'outbound#1', 'CHANNEL_EXECUTE_COMPLETE', 'agent', { app: 'bridge' }),
  P('xfer|CHANNEL_EXECUTE_COMPLETE|socket#loop', LOOP, 'outbound#1', 'CHANNEL_EXECUTE_COMPLETE', 'agent', { app: 'socket' }),
  ...['CHANNEL_CREATE', 'CHANNEL_PROGRESS', 'CHANNEL_ANSWER', 'CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE'].map((e) => P(`sub|${e}#loop-a`, LOOP, 'inbound#1', e, 'loopa')),
  ...['CHANNEL_CREATE', 'CHANNEL_PROGRESS', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE'].map((e) => P(`sub|${e}#loop-b`, LOOP, 'inbound#1', e, 'loopb')),
  ...['CHANNEL_CREATE', 'CHANNEL_PROGRESS', 'CHANNEL_ANSWER', 'CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE'].map((e) => P(`sub|${e}#loop-sip`, LOOP, 'inbound#1', e, 'sub')),
  P('park|CHANNEL_ANSWER#nailed', PRED, 'inbound#1', 'CHANNEL_ANSWER', 'agent', { nth: 0 }),
  P('pred|CHANNEL_ANSWER#loop-a', PRED, 'inbound#1', 'CHANNEL_ANSWER', 'agent', { nth: 1 }),
  P('pred|CHANNEL_HANGUP_COMPLETE#pred-bridged', PRED, 'inbound#1', 'CHANNEL_HANGUP_COMPLETE', 'agent', { nth: 0 }),
  P('pred|CHANNEL_HANGUP_COMPLETE#pred-abandon', PRED, 'inbound#1', 'CHANNEL_HANGUP_COMPLETE', 'agent', { nth: 1 }),
];

const channelName = (m: EslMessage) => decodeURIComponent(header(m, 'Channel-Name') ?? '');
const LEG_OF: Record<Exclude<Leg, 'agent'>, (name: string) => boolean> = {
  sub: (n) => n.includes('5551234@'),
  loopa: (n) => n === 'loopback/5551234-a',
  loopb: (n) => n === 'loopback/5551234-b',
};

function innerOf(m: EslMessage): EslMessage | null {
  if (header(m, 'Content-Type') === 'text/event-plain') return splitMessages(m.body).messages[0] ?? null;
  if (!m.headers.some(([k]) => k === 'Content-Length') && m.headers.some(([k, v]) => k === 'Event-Name' && v === 'CHANNEL_DATA')) return m;
  return null;
}
const dec = (s: string) => { try { return decodeURIComponent(s); } catch { return s; } };

export function buildTemplates(): Record<string, [string, string][]> {
const out: Record<string, [string, string][]> = {};
for (const p of picks) {
  const t = readTranscript(p.file);
  const orig = t.blocks.filter((b) => b.dir === 'out' && b.bytes.toString().startsWith('bgapi originate')).map((b) => b.bytes.toString());
  const msgs = t.blocks.filter((b) => b.conn === p.conn && b.dir === 'in').map((b) => {
    const s = splitMessages(b.bytes); return s.messages[0] ?? { headers: parseHeaderBlock(b.bytes.toString()), body: Buffer.alloc(0) };
  }).map(innerOf).filter((m): m is EslMessage => m !== null);
  // the agent uuid: origination_uuid of the originate that the picked channel belongs to
  const agentUuids = orig.map((o) => /origination_uuid=([0-9a-f-]{36})/.exec(o)?.[1]).filter(Boolean) as string[];
  const isAgent = (m: EslMessage) => agentUuids.includes(header(m, 'Unique-ID') ?? '');
  const cands = msgs.filter((m) => header(m, 'Event-Name') === p.event && (p.leg === 'agent' ? isAgent(m) : !isAgent(m) && LEG_OF[p.leg](channelName(m)))
    && (!p.app || header(m, 'Application') === p.app));
  const m = cands[p.nth ?? 0];
  if (!m) throw new Error(`no match for ${p.key}`);
  const uuid = header(m, 'Unique-ID')!;
  const allMsgs = t.blocks.filter((b) => b.dir === 'in').map((b) => splitMessages(b.bytes).messages[0]).filter((x): x is EslMessage => !!x).map(innerOf).filter((x): x is EslMessage => x !== null);
  const subUuid = allMsgs.map((x) => (header(x, 'Channel-Name') ?? '').includes('5551234') ? header(x, 'Unique-ID') : undefined).find(Boolean) ?? '';
  const pred = p.file === PRED;
  const other = p.leg === 'agent' && !pred ? subUuid : (header(m, 'Other-Leg-Unique-ID') ?? '');
  const o = orig.find((x) => x.includes(uuid)) ?? orig[0] ?? '';
  const ovars = (/\{([^}]*)\}/.exec(o)?.[1] ?? '').split(',').map((kv) => kv.split('=')[0]!);
  const appSet = ['dialer_campaign', 'hangup_after_bridge', 'continue_on_fail'];
  const loop = p.file === LOOP;
  const bridgeVars = p.leg === 'sub' && !loop ? ['call_timeout', 'origination_caller_id_number'] : [];
  // 05c has four channels: the legs other than this one and its Other-Leg get role placeholders
  const uuidOf = (leg: Exclude<Leg, 'agent'>) => allMsgs.map((x) => LEG_OF[leg](channelName(x)) ? header(x, 'Unique-ID') : undefined).find(Boolean) ?? '';
  const roles: [string, string][] = loop
    ? [[agentUuids[0] ?? '', '{{agent}}'], [uuidOf('loopa'), '{{loopa}}'], [uuidOf('loopb'), '{{loopb}}'], [uuidOf('sub'), '{{sipleg}}']]
    : pred ? [[agentUuids[0] ?? '', '{{agent}}'], [dec(header(m, 'variable_other_loopback_leg_uuid') ?? ''), '{{loopb}}']] : [];
  const subst = (v: string) => {
    let s = v.split(uuid).join('{{uuid}}');
    if (other) s = s.split(other).join('{{other}}');
    for (const [u, ph] of roles) if (u) s = s.split(u).join(ph);
    if (pred) s = s.replace(/\b555[0-9]{4}\b(?!@)/g, (n) => (n === '5550000' ? n : '{{num}}'));
    s = s.replace(/\b1000\b/g, '{{ext}}').replace(/\b5551234\b/g, '{{num}}').replace(/\b5550000\b/g, '{{cidnum}}');
    s = s.replace(/\bDialer\b/g, "{{cidname}}");
    if (loop || pred) s = s.replace(/\bdialer-out\b/g, '{{ctx}}');
    return s;
  };
  const hs: [string, string][] = [];
  let markedO = false; let markedA = false;
  for (const [k, raw] of m.headers) {
    if (k === 'Content-Length' || k === 'Content-Type' || k === 'Reply-Text' || k === 'Socket-Mode' || k === 'Control') continue;
    const v = dec(raw);
    // 05c's bridge had no {vars}: a leg of it takes dial-string variables where FreeSWITCH puts
    // them (as in 05a), right before ignore_early_media, which comes from the same variable set
    if (loop && p.leg !== 'agent' && k === 'variable_ignore_early_media' && !markedO) { hs.push(['@originate', '']); markedO = true; }
    if (k.startsWith('variable_')) {
      const n = k.slice(9);
      const isO = (p.leg === 'agent' ? ovars : bridgeVars).includes(n);
      if (isO) { if (!markedO) { hs.push(['@originate', '']); markedO = true; } continue; }
      if (p.leg === 'agent' && appSet.includes(n)) { if (!markedA) { hs.push(['@app', '']); markedA = true; } continue; }
    }
    hs.push([k, subst(v)]);
  }
  out[p.key] = hs;
}
return out;
}

/**
 * The templates as committed: one template a key, one header a line, so a regenerated file diffs
 * by header. Keys: '<family>|<Event-Name>[|<Application>][#<variant>]' (event-render.ts).
 */
export function templatesJson(out: Record<string, [string, string][]>): string {
  const body = Object.entries(out).map(([k, hs]) => `  ${JSON.stringify(k)}: [\n${hs.map(([a, b]) => `    [${JSON.stringify(a)}, ${JSON.stringify(b)}]`).join(',\n')}\n  ]`).join(',\n');
  return `{\n${body}\n}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--write')) {
  writeFileSync(TEMPLATES_FILE, templatesJson(buildTemplates()));
}
