// `originate {vars}user/<ext>[@domain] <app>` against a scripted phone (04a–04g, 05a, 05b, 06).
import { randomUUID } from 'node:crypto';
import { SimChannel, type ChannelFamily } from './channel.js';
import { refusal, type Refusal } from './causes.js';
import { parseOriginate } from './originate-parse.js';
import type { SimSwitch } from './sim-switch.js';
import { AgentCall, type CallApp } from './agent-call.js';
import { OutboundSession } from './outbound-session.js';
import type { AgentScript } from './types.js';
import { PREDICTIVE_CONTEXT, PredictiveCall } from './predictive-call.js';

function agentRefusal(a: AgentScript['answer']): Refusal | null {
  switch (a ?? 'answer') {
    case 'answer': return null;
    case 'busy': case 'dnd': case 486: return refusal('busy');
    case 'reject': case 603: return refusal('reject');
    case 'no-answer': return refusal('no-answer');
    case 'unavailable': case 480: return refusal('unavailable');
    case 404: return refusal('not-found');
    case 503: return refusal('failure');
    case 'unreachable': return refusal('unreachable');
    default: return null;
  }
}

/** `done(body)` gets the job result: `+OK <uuid>\n` at answer or `-ERR <CAUSE>\n`. */
export function startOriginate(sw: SimSwitch, arg: string, jobUuid: string, done: (body: string) => void): void {
  const p = parseOriginate(arg);
  const originationUuid = p?.vars.find(([k]) => k === 'origination_uuid')?.[1] ?? null;
  sw.originateLog.push({ jobUuid, originationUuid, command: `originate ${arg}`, at: Date.now() });
  sw.emitter.emit('originate', { jobUuid, originationUuid, command: `originate ${arg}` });
  const fail = (cause: string) => sw.timers.after(1, () => done(`-ERR ${cause}\n`));
  if (!p || !p.app) return void fail('INVALID_ARGS') ;
  if (p.dial.startsWith('loopback/') && p.app.kind === 'dialplan' && p.app.context === PREDICTIVE_CONTEXT) {
    const uuid = originationUuid ?? randomUUID();
    if (sw.channels.has(uuid)) return void fail('DESTINATION_OUT_OF_ORDER');
    const call = new PredictiveCall(sw, p, uuid, done);
    sw.predictive.set(uuid, call);
    call.start();
    return;
  }
  if (!p.user) return void fail('CHAN_NOT_IMPLEMENTED');
  if (p.user.domain && p.user.domain !== sw.opts.domain) return void fail('SUBSCRIBER_ABSENT');
  const script = sw.agentScript(p.user.ext);
  // 04a2 / 04a: no channel at all, only the job result
  if (!script) return void fail('SUBSCRIBER_ABSENT');
  if (!sw.isRegistered(p.user.ext)) return void fail('USER_NOT_REGISTERED');
  const uuid = originationUuid ?? randomUUID();
  if (sw.channels.has(uuid)) return void fail('DESTINATION_OUT_OF_ORDER');

  const app: CallApp = p.app.kind === 'park' ? { kind: 'park' }
    : p.app.kind === 'socket' ? { kind: 'socket', target: p.app.target, data: p.app.data }
    : { kind: 'socket', target: sw.opts.agentContextSocket, data: `${sw.opts.agentContextSocket} async full` };
  const r = agentRefusal(script.answer);
  const family: ChannelFamily = r ? (r.cause === 'NO_ANSWER' ? 'noanswer' : r.ringing ? 'fail' : 'unreach')
    : p.app.kind === 'park' ? 'park' : p.app.kind === 'socket' ? 'inline' : 'xfer';
  const v = (k: string) => p.vars.find(([n]) => n === k)?.[1];
  const ch = new SimChannel({
    uuid, name: `sofia/${sw.opts.profile}/${p.user.ext}@127.0.0.1:5080`, family, ext: p.user.ext, num: '',
    cidNumber: v('origination_caller_id_number') ?? '0000000000', cidName: v('origination_caller_id_name') ?? 'Outbound Call',
    originateVars: p.vars,
  }, sw.nowUs());
  ch.setVar('direction', 'outbound');
  ch.setVar('dialed_user', p.user.ext);
  ch.setVar('dialed_domain', sw.opts.domain);
  // a nailed-up agent leg of predictive campaigns (09): parked, and back to park after each call
  if (app.kind === 'park' && v('park_after_bridge') === 'true') ch.variant = 'nailed';
  const call = new AgentCall(sw, ch, app);
  sw.addChannel(ch);
  sw.calls.set(uuid, call);
  call.onEnd(() => sw.calls.delete(uuid));
  call.event('CHANNEL_CREATE');

  let settled = false;
  const settle = (body: string) => {
    if (settled) return;
    settled = true;
    done(body);
  };
  // killed while ringing: the job still reports, with the kill's cause
  call.onEnd(() => settle(`-ERR ${ch.hangupCause ?? 'NORMAL_CLEARING'}\n`));
  const refuse = (rr: Refusal) => call.refuse(rr, () => settle(`-ERR ${rr.cause}\n`));
  const afterMs = script.afterMs ?? 50;
  sw.timers.after(1, () => {
    if (call.ended) return;
    if (!r || r.ringing) call.markProgress();
  });
  if (r) {
    const timeoutSec = Number(v('originate_timeout') ?? 60);
    const ms = r.cause === 'NO_ANSWER' ? timeoutSec * 1000 : afterMs;
    call.ringTimer(sw.timers.after(ms, () => refuse(r)));
    return;
  }
  const timeoutSec = Number(v('originate_timeout') ?? 60);
  if (afterMs >= timeoutSec * 1000) {
    call.ringTimer(sw.timers.after(timeoutSec * 1000, () => refuse(refusal('no-answer'))));
    return;
  }
  call.ringTimer(sw.timers.after(afterMs, () => {
    if (call.ended) return;
    call.markAnswered();
    ch.state = 'CS_EXECUTE';
    // 04b: the job completes at answer, not at hangup
    settle(`+OK ${uuid}\n`);
    if (script.hangupAfterMs !== undefined) sw.timers.after(script.hangupAfterMs, () => call.hangup('NORMAL_CLEARING', false));
    if (app.kind === 'socket') connectSocket(sw, call, app.target);
  }));
}

export function connectSocket(sw: SimSwitch, call: AgentCall, target: string): void {
  const i = target.lastIndexOf(':');
  const host = target.slice(0, i) || '127.0.0.1';
  const port = Number(target.slice(i + 1));
  call.ch.setVar('current_application_data', `${target} async full`);
  call.ch.setVar('current_application', 'socket');
  call.ch.setVar('socket_host', host);
  call.session = new OutboundSession(sw, call, host, port);
}
