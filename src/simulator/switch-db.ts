// mod_db's `db` api command (1.10.12, src/mod/applications/mod_db/mod_db.c, db_api_function) over
// the switch's core-database table db_data (realm, data_key, data), kept for the simulator's life
// as FreeSWITCH keeps it in sqlite across calls and restarts. The dialer-predictive extension's
// api_hangup_hook writes a leg's record with it (freeswitch-conf/dialplan/dialer-predictive.xml).

/** mod_db's answer buffers: `select` copies into char[256], `list` prints into char[4096]. */
const SELECT_MAX = 255;
const LIST_MAX = 4095;

export class SwitchDb {
  readonly #realms = new Map<string, Map<string, string>>();

  /** `api db <arg>`: the reply body as the event socket sends it. */
  api(arg: string): string {
    const body = this.#run(arg);
    // mod_event_socket's api_exec: an empty reply goes out as this
    return body === '' ? '-ERR no reply\n' : body;
  }

  /** `db insert/<realm>/<key>/<value>` as the hook runs it (delete, then insert: one row per key). */
  insert(realm: string, key: string, value: string): void {
    const rows = this.#realms.get(realm) ?? new Map<string, string>();
    rows.delete(key);
    rows.set(key, value);
    this.#realms.set(realm, rows);
  }

  /** The rows of a realm (tests). */
  rows(realm: string): Map<string, string> {
    return new Map(this.#realms.get(realm) ?? []);
  }

  #run(arg: string): string {
    // switch_separate_string(…, '/', argv, 4): the fourth field keeps any further '/'
    const parts = arg.split('/');
    const argv = parts.length > 4 ? [...parts.slice(0, 3), parts.slice(3).join('/')] : parts;
    const argc = arg === '' ? 0 : argv.length;
    const [verb = '', realm = '', key = '', value = ''] = argv;
    switch (verb.toLowerCase()) {
      case 'insert':
        if (argc < 4) return '!err!';
        this.insert(realm, key, value);
        return '+OK';
      case 'delete':
        if (argc < 2) return '!err!';
        this.#realms.get(realm)?.delete(key);
        return '+OK';
      case 'select':
        if (argc < 3) return '!err!';
        return (this.#realms.get(realm)?.get(key) ?? '').slice(0, SELECT_MAX);
      case 'exists':
        if (argc < 3) return '!err!';
        return (this.#realms.get(realm)?.get(key) ?? '') === '' ? 'false' : 'true';
      case 'count':
        if (argc < 2) return String([...this.#realms.values()].filter((r) => r.size > 0).length);
        if (argc < 3) return String(this.#realms.get(realm)?.size ?? 0);
        return '!err!';
      case 'list': {
        if (argc > 2) return '!err!';
        const names = argc < 2 ? [...this.#realms].filter(([, r]) => r.size > 0).map(([n]) => n) : [...(this.#realms.get(realm)?.keys() ?? [])];
        // printed as "k1,k2,…," into the buffer (cut at its size), then the last character dropped
        const printed = names.map((n) => `${n},`).join('').slice(0, LIST_MAX);
        return printed.slice(0, -1);
      }
      default:
        return '!err!';
    }
  }
}

/**
 * api_hook (switch_core_state_machine.c): `<cmd> <arg>` (or `<cmd>::<arg>`), the argument's
 * `${var}` expanded from the channel's variables at the hang-up; an unset one expands to nothing.
 */
export function expandHook(hook: string, vars: (name: string) => string | undefined): { cmd: string; arg: string } {
  const colon = hook.indexOf(':');
  const sp = hook.indexOf(' ');
  const [cmd, raw] = colon !== -1 && hook[colon + 1] === ':' ? [hook.slice(0, colon), hook.slice(colon + 2)]
    : sp === -1 ? [hook, ''] : [hook.slice(0, sp), hook.slice(sp + 1)];
  return { cmd, arg: raw.replace(/\$\{([^}]+)\}/g, (_, name: string) => vars(name) ?? '') };
}
