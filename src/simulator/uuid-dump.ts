// `api uuid_dump <uuid>` as the real 1.10.12 answers it (08): the channel's headers as a
// CHANNEL_DATA event in plain form (URL-encoded values, a blank line at the end), made by
// uuid_dump_function in mod_commands.c; `-ERR No such channel!` for an unknown uuid.
import { plainBody, renderChannelEvent, STATE_NUMBER, type SimEvent } from './event-render.js';
import type { SimSwitch } from './sim-switch.js';

export function uuidDump(sw: SimSwitch, uuid: string): string {
  const ch = sw.channels.get(uuid);
  if (!ch || ch.ended) return '-ERR No such channel!\n';
  const other = ch.otherUuid ? sw.channels.get(ch.otherUuid) ?? null : null;
  // The headers of the channel's own recorded event closest to its state: a bridged leg carries
  // the Other-Leg-* block and the bridge variables, as in 08.
  const names = other && ch.bridgedUs ? ['CHANNEL_BRIDGE', 'CHANNEL_DATA', 'CHANNEL_ANSWER'] : ['CHANNEL_DATA', 'CHANNEL_ANSWER', 'CHANNEL_CREATE'];
  let ev: SimEvent | null = null;
  for (const name of names) {
    try {
      ev = renderChannelEvent({ name, channel: ch, other }, sw.core());
      break;
    } catch {
      // no recording of that event for this kind of leg: the next one
    }
  }
  if (!ev) return '-ERR No such channel!\n';
  const fixed: Record<string, string> = {
    'Event-Name': 'CHANNEL_DATA', 'Event-Calling-File': 'mod_commands.c', 'Event-Calling-Function': 'uuid_dump_function',
    'Event-Calling-Line-Number': '6468', 'Channel-State': ch.state, 'Channel-State-Number': STATE_NUMBER[ch.state] ?? '4',
  };
  const headers = ev.headers.filter(([k]) => k !== 'Hangup-Cause').map(([k, v]): [string, string] => [k, fixed[k] ?? v]);
  // The dump lists every variable the channel has now (08: bridge_uuid, signal_bond … after a
  // bridge), also those the recorded event was sent before.
  const shown = new Set(headers.map(([k]) => k));
  for (const [k, v] of ch.vars) if (!shown.has(`variable_${k}`)) headers.push([`variable_${k}`, v]);
  return plainBody({ ...ev, headers, body: null });
}
