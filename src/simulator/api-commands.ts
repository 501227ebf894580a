// `api` / `bgapi` commands with the replies recorded in 01, 03 and 06.
import { randomUUID } from 'node:crypto';
import { apiResponse, commandHeader, commandReply, type EslCommand } from './esl-frame.js';
import { localStamp } from './channel.js';
import type { SimSwitch } from './sim-switch.js';
import { startOriginate } from './originate.js';
import { sofiaStatus, sofiaStatusReg, statusText } from './api-texts.js';
import { uuidDump } from './uuid-dump.js';
import { predictiveOf } from './sim-switch.js';

const VERSION = 'FreeSWITCH Version 1.10.12-release~64bit ( 64bit)\n';
/** The modules the real-FreeSWITCH test bed loads (shared/tools/real-freeswitch, modules.conf.xml): no mod_avmd, no mod_amd. */
const LOADED_MODULES = new Set(['mod_console', 'mod_logfile', 'mod_event_socket', 'mod_sofia', 'mod_loopback', 'mod_commands', 'mod_dptools',
  'mod_db', 'mod_hash', 'mod_expr', 'mod_dialplan_xml', 'mod_sndfile', 'mod_native_file', 'mod_tone_stream']);

/** Runs `api …` (reply api/response) or `bgapi …` (+OK Job-UUID now, BACKGROUND_JOB later). */
export function runApi(sw: SimSwitch, c: EslCommand, verb: 'api' | 'bgapi' | string, write: (s: string) => void): void {
  const text = c.line.slice(verb.length).trim();
  const sp = text.indexOf(' ');
  const cmd = sp === -1 ? text : text.slice(0, sp);
  const arg = sp === -1 ? '' : text.slice(sp + 1).trim();
  if (verb === 'bgapi') {
    const jobUuid = commandHeader(c, 'Job-UUID') ?? randomUUID();
    write(commandReply(`+OK Job-UUID: ${jobUuid}`, [['Job-UUID', jobUuid]]));
    if (cmd === 'originate') {
      startOriginate(sw, arg, jobUuid, (body) => sw.backgroundJob(jobUuid, 'originate', arg, body));
      return;
    }
    sw.timers.after(1, () => {
      const r = apiResult(sw, cmd, arg);
      r.effect?.();
      sw.backgroundJob(jobUuid, cmd, arg, r.body);
    });
    return;
  }
  if (cmd === 'originate') {
    startOriginate(sw, arg, randomUUID(), (body) => write(apiResponse(body)));
    return;
  }
  const r = apiResult(sw, cmd, arg);
  // 06: `api uuid_kill` answers +OK first; the channel's CHANNEL_HANGUP follows on the wire
  write(apiResponse(r.body));
  r.effect?.();
}

/** The reply text, and what the command does to calls once the reply is on its way. */
export interface ApiResult {
  body: string;
  effect?: () => void;
}

export function apiResult(sw: SimSwitch, cmd: string, arg: string): ApiResult {
  const args = arg.split(/\s+/).filter((a) => a.length > 0);
  switch (cmd) {
    case 'uuid_kill': return uuidKill(sw, args);
    case 'hupall': {
      const cause = args[0] ?? 'MANAGER_REQUEST';
      return { body: '+OK\n', effect: () => {
        for (const call of [...sw.predictive.values()]) call.hangup(cause, 'local');
        for (const call of [...sw.calls.values()]) call.hangup(cause);
      } };
    }
    // 09: deletes the scheduled tasks of a group (a channel's uuid) or one task id
    case 'sched_del': {
      if (!args[0]) return { body: '-ERR Invalid syntax\n' };
      return { body: `+OK Deleted: ${predictiveOf(sw, args[0])?.cancelFailsafe() ?? 0}\n` };
    }
    // only the predictive leg's move into the abandon extension is modelled
    case 'uuid_transfer': {
      const pred = predictiveOf(sw, args[0] ?? '');
      if (!pred) return { body: '-ERR No such channel!\n' };
      if (args[1] !== 'dialer_abandon' || args[3] !== 'dialer-abandon') return { body: '-ERR\n' };
      return { body: '+OK\n', effect: () => void pred.transferToAbandon() };
    }
    // 09: `+OK <the second uuid>`; a channel that is not there: -ERR Invalid uuid
    case 'uuid_bridge': {
      if (args.length < 2) return { body: '-USAGE: <uuid> <other_uuid>\n' };
      const member = sw.predictive.get(args[0] ?? '');
      const agent = sw.calls.get(args[1] ?? '');
      if (!member || !agent || !member.bridgeTo(agent)) return { body: '-ERR Invalid uuid\n' };
      return { body: `+OK ${args[1]}\n` };
    }
    case 'db': return { body: sw.db.api(arg) };
    default: return { body: replyText(sw, cmd, args) };
  }
}

function uuidKill(sw: SimSwitch, args: string[]): ApiResult {
  const uuid = args[0] ?? '';
  // 02 and 06: a bare uuid_kill shows up as NORMAL_CLEARING on the wire
  const cause = args[1] ?? 'NORMAL_CLEARING';
  // a subscriber-side leg of a running bridge: the SIP leg, or loopback-a/-b of a loopback target
  const pred = predictiveOf(sw, uuid);
  if (pred) return { body: '+OK\n', effect: () => pred.hangup(cause, 'local') };
  const bridged = [...sw.calls.values()].find((c) => c.bridge?.holds(uuid));
  const bridge = bridged?.bridge;
  if (bridge) return { body: '+OK\n', effect: () => bridge.subscriberGone(cause) };
  const call = sw.calls.get(uuid);
  if (!call || call.ended) return { body: '-ERR No such channel!\n' };
  return { body: '+OK\n', effect: () => call.hangup(cause) };
}

function replyText(sw: SimSwitch, cmd: string, args: string[]): string {
  switch (cmd) {
    case 'status': return statusText(sw);
    case 'version': return VERSION;
    case 'sofia': return sofiaCommand(sw, args);
    case 'show': return showCommand(sw, args);
    case 'uuid_exists': return sw.channels.has(args[0] ?? '') ? 'true' : 'false';
    case 'uuid_dump': return uuidDump(sw, args[0] ?? '');
    case 'uuid_getvar': {
      const ch = sw.channels.get(args[0] ?? '');
      if (!ch) return '-ERR No such channel!\n';
      return ch.getVar(args[1] ?? '') ?? '_undef_';
    }
    case 'sofia_contact': {
      const who = (args[0] ?? '').replace(/^[^/]+\//, '');
      if (!who || !sw.registered.has(sw.userKey(who))) return 'error/user_not_registered';
      const [ext = ''] = who.split('@');
      return `sofia/${sw.opts.profile}/sip:${ext}@127.0.0.1:5080`;
    }
    case 'callcenter_config': return '+OK\n';
    // mod_commands: `true` or `false`, no newline (1.10.12); nothing for no name (then -ERR no reply)
    case 'module_exists': return args[0] ? String(LOADED_MODULES.has(args[0])) : '-ERR no reply\n';
    // 07a: the uuid without a newline; other variables are not simulated
    case 'global_getvar': return args[0] === 'core_uuid' ? sw.coreUuid : '';
    // 07b: no newline after either word
    case 'fsctl': return args[0] === 'shutdown_check' ? String(sw.shutdownRequested) : `-ERR fsctl ${args[0] ?? ''} is not simulated\n`;
    default: return `-ERR ${cmd} Command not found!\n`;
  }
}

function sofiaCommand(sw: SimSwitch, args: string[]): string {
  if (args[0] !== 'status') return '-ERR Usage: sofia status\n';
  if (args.length === 1) return sofiaStatus(sw);
  if (args[1] === 'profile' && args[3] === 'reg') {
    if (args[2] !== sw.opts.profile) return 'Invalid Profile!\n';
    return sofiaStatusReg(sw);
  }
  return 'Invalid Syntax!\n';
}

function showCommand(sw: SimSwitch, args: string[]): string {
  const json = args[1] === 'as' && args[2] === 'json';
  const what = args[0];
  // 03: the core registration table stays empty with this sofia config, even while phones are registered
  if (what === 'registrations') return json ? '{"row_count": 0}\n' : '\n0 total.\n';
  if (what === 'channels' || what === 'calls') {
    const rows = what === 'channels' ? [...sw.channels.values()] : [];
    if (rows.length === 0) return json ? '{"row_count": 0}\n' : '\n0 total.\n';
    if (!json) {
      const head = 'uuid,direction,created,created_epoch,name,state,cid_name,cid_num,dest,application';
      const lines = rows.map((ch) => [ch.uuid, ch.getVar('direction') ?? 'outbound', localStamp(ch.createdUs),
        Math.floor(ch.createdUs / 1e6), ch.name, ch.state, ch.cidName, ch.ext, ch.ext, ch.getVar('current_application') ?? ''].join(','));
      return `${head}\n${lines.join('\n')}\n\n${rows.length} total.\n`;
    }
    const objs = rows.map((ch) => ({
      uuid: ch.uuid, direction: 'outbound', created: localStamp(ch.createdUs), created_epoch: String(Math.floor(ch.createdUs / 1e6)),
      name: ch.name, state: ch.state, cid_name: 'Outbound Call', cid_num: ch.ext, ip_addr: '', dest: ch.ext,
      application: ch.getVar('current_application') ?? '', application_data: ch.getVar('current_application_data') ?? '',
      dialplan: '', context: 'default', read_codec: 'PCMU', read_rate: '8000', read_bit_rate: '64000', write_codec: 'PCMU',
      write_rate: '8000', write_bit_rate: '64000', secure: '', hostname: sw.opts.hostname, presence_id: `${ch.ext}@${sw.opts.domain}`,
      presence_data: '', accountcode: ch.ext, callstate: ch.answerState === 'answered' ? 'ACTIVE' : 'RINGING', callee_name: '',
      callee_num: ch.cidNumber, callee_direction: 'RECV', call_uuid: ch.uuid, sent_callee_name: '', sent_callee_num: '',
      initial_cid_name: '', initial_cid_num: ch.cidNumber, initial_ip_addr: '', initial_dest: ch.ext, initial_dialplan: '',
      initial_context: 'default',
    }));
    return `${JSON.stringify({ row_count: rows.length, rows: objs })}\n`;
  }
  return `-USAGE: show ${what ?? ''}\n`;
}
