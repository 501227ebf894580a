// Commands of the standalone simulator, one per line on its stdin: registrations, scripts,
// service-number calls and the faults the Simulator class offers to tests.
import type { Simulator } from './simulator.js';
import { checkAgentScript, checkSubscriberScript, type Checked } from './scenario-schema.js';

export const CONSOLE_HELP = `commands (one per line on stdin):
  help                          this list
  register <user>               the phone registers (sofia::register); user is ext or ext@domain
  unregister <user>             the phone unregisters (sofia::unregister)
  agent <user> <json>           script a phone, e.g. agent 1000@127.0.0.1 {"answer":"busy","afterMs":200}
  subscriber <number> <json>    script a dialled number, e.g. subscriber 5551234 {"outcome":486}
  dial <user> <code>            the phone dials a service number (*100 login, *101 logout, *102 break)
  channels                      the live channels: uuid, name, state
  drop-inbound                  drop every inbound event-socket connection (calls stay up)
  close-outbound <uuid|all>     drop the outbound socket of a call (parked: hangs up; bridged: talks on)
  delay <EVENT_NAME> <ms>       hold back the next event of that name
  duplicate <EVENT_NAME>        send the next event of that name twice
  restart                       FreeSWITCH restarts: calls and connections gone, a new Core-UUID
  shutdown [elegant|restart|cancel]  as fsctl shutdown: the SHUTDOWN (elegant: SHUTDOWN_REQUESTED) notice,
                                calls hung up with SYSTEM_SHUTDOWN, connections closed (restart: back up)
  quit                          stop the simulator
`;

/** `later`: a second reply when a call the command started is over (the console does not wait for it). */
export type ConsoleReply = { kind: 'ok'; text: string; later?: Promise<ConsoleReply> } | { kind: 'error'; text: string } | { kind: 'quit' };

const ok = (text: string): ConsoleReply => ({ kind: 'ok', text });
const error = (text: string): ConsoleReply => ({ kind: 'error', text });

const USER = /^[^@\s]+(@[^@\s]+)?$/;
const EVENT_NAME = /^[A-Z][A-Z_]*$/;

/** Runs one line; null for a blank one. Never throws for bad input: the reply names the problem. */
export async function runConsoleCommand(sim: Simulator, line: string): Promise<ConsoleReply | null> {
  const text = line.trim();
  if (text === '' || text.startsWith('#')) return null;
  const [cmd = '', ...args] = text.split(/\s+/);
  const arity = (n: number, usage: string): ConsoleReply | null => (args.length === n ? null : error(`usage: ${cmd} ${usage}`));
  switch (cmd) {
    case 'help':
      return ok(CONSOLE_HELP.trimEnd());
    case 'register': case 'unregister': {
      const user = args[0] ?? '';
      const bad = arity(1, '<user>') ?? (USER.test(user) ? null : error(`${cmd}: "${user}" is not ext or ext@domain`));
      if (bad) return bad;
      if (cmd === 'register') sim.register(user);
      else sim.unregister(user);
      return ok(`${cmd}ed ${user}`);
    }
    case 'agent': case 'subscriber': {
      const [key = '', ...rest] = args;
      if (!key || rest.length === 0) return error(`usage: ${cmd} <${cmd === 'agent' ? 'user' : 'number'}> <json>`);
      if (cmd === 'agent' && !USER.test(key)) return error(`agent: "${key}" is not ext or ext@domain`);
      let json: unknown;
      try {
        json = JSON.parse(rest.join(' '));
      } catch (err) {
        return error(`${cmd} ${key}: not JSON: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (cmd === 'agent') {
        const c = checkAgentScript(json);
        return applied(c, cmd, key, (s) => sim.setAgent(key, s));
      }
      const c = checkSubscriberScript(json);
      return applied(c, cmd, key, (s) => sim.setSubscriber(key, s));
    }
    case 'dial': {
      const [user = '', code = ''] = args;
      const bad = arity(2, '<user> <code>') ?? (USER.test(user) ? null : error(`dial: "${user}" is not ext or ext@domain`));
      if (bad) return bad;
      const later = sim.dialServiceCode(user, code).then((r) =>
        ok(`dial ${user} ${code}: ${r.hangupCause}${r.played.length ? `, played ${r.played.join(' ')}` : ''}`));
      return { kind: 'ok', text: `dialling ${code} from ${user}`, later };
    }
    case 'channels': {
      const chs = sim.channels();
      return ok(chs.length === 0 ? '0 channels' : chs.map((c) => `${c.uuid} ${c.name} ${c.state}`).join('\n'));
    }
    case 'drop-inbound': {
      const bad = arity(0, '');
      if (bad) return bad;
      sim.dropInbound();
      return ok('inbound connections dropped');
    }
    case 'close-outbound': {
      const bad = arity(1, '<uuid|all>');
      if (bad) return bad;
      const live = sim.channels().map((c) => c.uuid);
      const targets = args[0] === 'all' ? live : live.filter((u) => u === args[0]);
      if (targets.length === 0 && args[0] !== 'all') return error(`close-outbound: no channel ${args[0]}`);
      for (const uuid of targets) sim.closeOutbound(uuid);
      return ok(`outbound sockets of ${targets.length} channel(s) closed`);
    }
    case 'delay': {
      const [name = '', msText = ''] = args;
      const delayMs = Number(msText);
      const bad = arity(2, '<EVENT_NAME> <ms>')
        ?? (EVENT_NAME.test(name) ? null : error(`delay: "${name}" is not an event name such as CHANNEL_ANSWER`))
        ?? (Number.isInteger(delayMs) && delayMs >= 0 ? null : error(`delay: "${msText}" is not a whole number of ms`));
      if (bad) return bad;
      sim.delayNextEvent(name, delayMs);
      return ok(`next ${name} held back ${delayMs} ms`);
    }
    case 'duplicate': {
      const name = args[0] ?? '';
      const bad = arity(1, '<EVENT_NAME>') ?? (EVENT_NAME.test(name) ? null : error(`duplicate: "${name}" is not an event name such as CHANNEL_ANSWER`));
      if (bad) return bad;
      sim.duplicateNextEvent(name);
      return ok(`next ${name} sent twice`);
    }
    case 'shutdown': {
      const mode = args[0] ?? 'now';
      if (args.length > 1 || !['now', 'elegant', 'restart', 'cancel'].includes(mode)) return error('usage: shutdown [elegant|restart|cancel]');
      if (mode === 'cancel') {
        sim.cancelShutdown();
        return ok('shutdown cancelled');
      }
      const later = sim.shutdown(mode as 'now' | 'elegant' | 'restart').then(() => ok(mode === 'restart' ? `restarted on port ${sim.port}` : 'shut down'));
      return { kind: 'ok', text: `shutting down (${mode})`, later };
    }
    case 'restart':
      await sim.restart();
      return ok(`restarted on port ${sim.port}`);
    case 'quit': case 'exit':
      return { kind: 'quit' };
    default:
      return error(`unknown command "${cmd}" (help lists them)`);
  }
}

function applied<T>(c: Checked<T>, cmd: string, key: string, apply: (v: T) => void): ConsoleReply {
  if (c.kind === 'bad') return error(c.problems.map((p) => `${cmd} ${key}: ${p}`).join('\n'));
  apply(c.value);
  return ok(`${cmd} ${key} scripted`);
}
