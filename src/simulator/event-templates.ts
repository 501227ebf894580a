// Event header templates copied from the recorded FreeSWITCH 1.10.12 transcripts
// (test/fixtures/freeswitch-esl/), kept as data in templates/events.json and made by
// `npm run simulator:templates` (scripts/simulator-templates.ts). Each entry is one real event's
// headers in wire order with values decoded; {{uuid}}/{{other}}/{{ext}}/{{num}}/{{cidnum}}/{{cidname}}
// stand for this leg, the other leg, the agent extension, the dialled number and the caller id.
// '@originate' marks where the originate/dial-string {vars} sit, '@app' where variables set by the
// socket app go. Keys: '<family>|<Event-Name>[|<Application>][#<variant>]' (event-render.ts).
import { readFileSync } from 'node:fs';

export type EventTemplates = Record<string, readonly (readonly [string, string])[]>;

export const EVENT_TEMPLATES: EventTemplates = JSON.parse(readFileSync(new URL('./templates/events.json', import.meta.url), 'utf8')) as EventTemplates;
