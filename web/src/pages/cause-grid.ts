import { h, uid } from '../dom.js';
import type { CauseClass } from '../types.js';

const CLASSES: CauseClass[] = ['error', 'retry', 'ok', 'minus'];

/**
 * C9: the cause table as a grid, one row per hangup cause and one radio per class. It starts
 * from the campaign's effective table (defaults + overrides); what is saved is only what
 * differs from the defaults, so a later change of a default still reaches this campaign.
 */
export function causeGrid(defaults: Readonly<Record<string, CauseClass>>, effective: Record<string, CauseClass>):
  { el: HTMLElement; overrides(): Record<string, string> } {
  const tbody = h('tbody');
  const rows: Array<{ name: () => string; value: () => CauseClass | undefined }> = [];

  const addRow = (cause: string, cls: CauseClass, custom: boolean) => {
    const group = uid('cause');
    const nameInput = custom ? h('input', { type: 'text', value: cause, size: 28, 'aria-label': 'New cause name', placeholder: 'FREESWITCH_CAUSE' }) : null;
    const radios = CLASSES.map((k) => h('input', { type: 'radio', name: group, value: k, checked: k === cls }));
    const tr = h('tr', { class: custom || defaults[cause] !== cls ? 'changed' : '' });
    const label = () => (nameInput ? nameInput.value.trim().toUpperCase() : cause);
    const relabel = () => {
      const n = label() || 'new cause';
      radios.forEach((r) => r.setAttribute('aria-label', `${n}: ${r.value}`));
      (nameInput ?? radios[0]!).dataset.path = `causes.${label()}`;
    };
    relabel();
    nameInput?.addEventListener('input', relabel);
    for (const r of radios) {
      r.addEventListener('change', () => tr.classList.toggle('changed', custom || defaults[cause] !== r.value));
    }
    tr.append(
      h('th', { scope: 'row' }, nameInput ?? cause),
      ...radios.map((r) => h('td', { class: 'center' }, r)),
      h('td', { class: 'muted' }, custom ? h('button', { type: 'button', class: 'link', onclick: () => { tr.remove(); rows.splice(rows.indexOf(row), 1); } }, 'Remove') : `default ${defaults[cause]}`),
    );
    const row = { name: label, value: () => radios.find((r) => r.checked)?.value as CauseClass | undefined };
    rows.push(row);
    tbody.append(tr);
    return nameInput ?? radios[0]!;
  };

  const known = Object.keys(defaults);
  for (const c of known) addRow(c, effective[c] ?? defaults[c]!, false);
  for (const [c, cls] of Object.entries(effective)) if (!(c in defaults)) addRow(c, cls, true);

  const el = h('fieldset', { class: 'causes' },
    h('legend', null, 'Hang-up causes: what each way a call to the subscriber ends means'),
    h('p', { class: 'hint' }, 'error: end the member with that cause · retry: counts as an attempt, try later · ok: success · minus: not an attempt, try later. Changed rows are highlighted; an unlisted cause is retry.'),
    h('div', { class: 'scroll' }, h('table', { class: 'grid' },
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Cause'), CLASSES.map((k) => h('th', { scope: 'col' }, k)), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Default')))),
      tbody)),
    h('button', { type: 'button', onclick: () => addRow('', 'retry', true).focus() }, 'Add a cause'));
  el.dataset.path = 'causes';

  return {
    el,
    overrides: () => {
      const out: Record<string, string> = {};
      for (const r of rows) {
        const n = r.name();
        const v = r.value();
        if (!v || (!n && v === 'retry')) continue;
        if (defaults[n] !== v) out[n] = v;
      }
      return out;
    },
  };
}
