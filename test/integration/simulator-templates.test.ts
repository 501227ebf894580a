// F1: the simulator's event templates are the recorded events, nothing hand-edited.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { buildTemplates, templatesJson, TEMPLATES_FILE } from '../../scripts/simulator-templates.js';
import { EVENT_TEMPLATES } from '../../src/simulator/event-templates.js';

describe('simulator event templates', () => {
  it('F1: templates/events.json equals what the transcripts give (regenerate: npm run simulator:templates)', () => {
    const built = buildTemplates();
    expect(EVENT_TEMPLATES).to.deep.equal(built);
    expect(readFileSync(TEMPLATES_FILE, 'utf8')).to.equal(templatesJson(built));
  });

  it('F1: every agent-leg template names this leg by placeholder, never by a recorded uuid', () => {
    const recorded = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
    for (const [key, hs] of Object.entries(EVENT_TEMPLATES)) {
      for (const [name, value] of hs) {
        if (['Unique-ID', 'Caller-Unique-ID', 'variable_uuid'].includes(name)) expect(value, `${key} ${name}`).to.equal('{{uuid}}');
        // a B leg's call uuid is the A leg's (05a), hence {{other}} there
        if (['Channel-Call-UUID', 'variable_call_uuid'].includes(name)) expect(value, `${key} ${name}`).to.be.oneOf(['{{uuid}}', '{{other}}']);
        if (['Other-Leg-Unique-ID', 'variable_bridge_uuid', 'variable_signal_bond', 'variable_last_bridge_to', 'variable_originate_signal_bond'].includes(name)) {
          expect(value, `${key} ${name}`).to.not.match(recorded);
        }
      }
    }
  });
});
