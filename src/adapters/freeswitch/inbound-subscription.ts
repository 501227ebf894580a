/* What the inbound connection asks FreeSWITCH to send it (F2): its filters and event types. */

/**
 * The subscription every inbound connection makes (plain: the transcripts' format). Only what is
 * read here: every channel of the server sends these (a dialled call has four channels: agent,
 * loopback-a, loopback-b, subscriber; ~12 KB an event), so CHANNEL_CREATE and CHANNEL_BRIDGE (the
 * bridge is seen on the outbound socket) are left out, and CHANNEL_HANGUP too: the
 * CHANNEL_HANGUP_COMPLETE that follows it carries the same Hangup-Cause. SHUTDOWN_REQUESTED
 * (`fsctl shutdown elegant|asap`) and SHUTDOWN (`fsctl shutdown [restart]`, fs_cli `shutdown`) are
 * the switch's own notice that it is going away (07a, 07b); they come before CUSTOM because every
 * word after CUSTOM is read as a subclass (a SHUTDOWN there was never delivered, real 1.10.12).
 */
export const INBOUND_EVENTS =
  'CHANNEL_ANSWER CHANNEL_HANGUP_COMPLETE BACKGROUND_JOB SHUTDOWN_REQUESTED SHUTDOWN CUSTOM sofia::register sofia::unregister sofia::expire';

/**
 * `filter <header> <value>` lines sent before the subscription, so the switch sends only the
 * dialer's own channels (mod_event_socket 1.10.12: with any filter set, an event is sent when one
 * filter matches — values compared ignoring case, `/re/` a regular expression — unless a later
 * `-value` filter matches too). Channel events pass when the leg carries dialer_attempt_id: the
 * agent leg (originate) and loopback-a (the bridge's dial string); mod_loopback copies the dial
 * string's variables to loopback-b, which the first negative filter drops. The subscriber's own
 * leg gets them too (loopback-b's export_vars: the call's variables belong on every channel, C8,
 * and its CDR names the attempt), but it is never read here: the second negative filter drops it
 * by the direction of its originator, loopback-b, an inbound channel (real 1.10.12: the only
 * header of its own that tells it apart; the agent leg's and loopback-a's other leg is outbound,
 * the agent leg's answer has none). A route that places the leg with no originator (enterprise
 * originate, `:_:`) lets its events through again: they cost a parse, nothing more. A negative
 * value is compared as text, never as a regular expression (mod_event_socket.c). Every other
 * event subscribed passes by its name.
 */
export const INBOUND_FILTERS: readonly (readonly [string, string])[] = [
  ['Event-Name', 'BACKGROUND_JOB'],
  ['Event-Name', 'SHUTDOWN_REQUESTED'],
  ['Event-Name', 'SHUTDOWN'],
  ['Event-Name', 'CUSTOM'],
  ['variable_dialer_attempt_id', '/^[0-9]+$/'],
  // P3: an agent's nailed-up leg (predictive-legs.ts), whose end the engine must learn
  ['variable_dialer_agent_leg', '/^[0-9]+$/'],
  ['variable_loopback_leg', '-B'],
  ['Other-Leg-Direction', '-inbound'],
];
