// A registered phone dials a service number (*100 login, …): an inbound channel that runs what
// freeswitch-conf/dialplan/default-first/00_dialer_service_codes.xml does — `set dialer_sip_user`,
// `answer`, then `socket … async full` — so the app gets an answered channel that names the phone.
import { randomUUID } from 'node:crypto';
import { SimChannel } from './channel.js';
import { AgentCall } from './agent-call.js';
import { connectSocket } from './originate.js';
import type { SimSwitch } from './sim-switch.js';

/** Without an app decision the call is cut after this long (every wait has a deadline). */
const SERVICE_CALL_DEADLINE_MS = 10_000;

export interface ServiceDialOptions {
  /**
   * What the dialplan sets as `dialer_sip_user`. @defaultValue `<user_name>@<domain_name>`, as the
   * shipped extension does; null: a dialplan without that `set` (the app falls back to user_name@domain_name).
   */
  dialerSipUser?: string | null;
}

export function dialServiceCode(sw: SimSwitch, sipUser: string, code: string, o: ServiceDialOptions = {}): Promise<{ hangupCause: string; played: string[] }> {
  const key = sw.userKey(sipUser);
  const [ext = '', domain = sw.opts.domain] = key.split('@');
  const uuid = randomUUID();
  const ch = new SimChannel({
    uuid, name: `sofia/${sw.opts.profile}/${ext}@${domain}`, family: 'service', ext, num: code,
    cidNumber: ext, cidName: ext, originateVars: [],
  }, sw.nowUs());
  const dirs = ['Call-Direction', 'Presence-Call-Direction', 'Caller-Direction', 'Caller-Logical-Direction', 'Channel-Direction', 'Channel-Logical-Direction'];
  for (const h of dirs) ch.headerOverrides.set(h, 'inbound');
  for (const p of ['Caller', 'Channel']) {
    ch.headerOverrides.set(`${p}-Destination-Number`, code);
    ch.headerOverrides.set(`${p}-Caller-ID-Number`, ext);
    ch.headerOverrides.set(`${p}-Caller-ID-Name`, ext);
    ch.headerOverrides.set(`${p}-ANI`, ext);
    ch.headerOverrides.set(`${p}-Context`, 'default');
  }
  for (const [k, v] of [['direction', 'inbound'], ['is_outbound', 'false'], ['sip_from_user', ext], ['sip_from_host', domain],
    ['sip_to_user', code], ['sip_req_user', code], ['destination_number', code], ['accountcode', ext],
    ['effective_caller_id_number', ext]] as const) {
    ch.setVar(k, v);
  }
  // set when the phone's INVITE authenticated against the directory; the recorded (originated)
  // legs have no such variables, so they are rendered like set variables
  for (const [k, v] of [['sip_auth_username', ext], ['sip_auth_realm', domain], ['user_name', ext], ['domain_name', domain]] as const) {
    ch.setAppVar(k, v);
  }
  const target = sw.opts.agentContextSocket;
  const call = new AgentCall(sw, ch, { kind: 'socket', target, data: `${target} async full` });
  ch.answerState = 'ringing';
  ch.state = 'CS_EXECUTE';
  sw.addChannel(ch);
  const dialerSipUser = o.dialerSipUser === undefined ? `${ext}@${domain}` : o.dialerSipUser;
  sw.calls.set(uuid, call);
  return new Promise((resolve) => {
    const deadline = sw.timers.after(SERVICE_CALL_DEADLINE_MS, () => call.hangup('ALLOTTED_TIMEOUT'));
    call.onEnd(() => {
      sw.timers.cancel(deadline);
      sw.calls.delete(uuid);
      resolve({ hangupCause: ch.hangupCause ?? 'NORMAL_CLEARING', played: [...call.played] });
    });
    call.event('CHANNEL_CREATE');
    // a dialplan `set` lands among the variables like the socket app's own `set`s
    if (dialerSipUser !== null) ch.setAppVar('dialer_sip_user', dialerSipUser);
    call.markAnswered();
    connectSocket(sw, call, target);
  });
}
