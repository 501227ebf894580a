import { api } from '../api.js';
import { h, notice } from '../dom.js';
import { clearFieldError, field, fieldError, formErrorsBox, num, numberOf, select, sentence, submitted } from '../form.js';
import type { Agent, Tier } from '../types.js';

/** A1: the agents who work a campaign (tiers), with their level. */
export async function tiersSection(campaignId: number): Promise<HTMLElement> {
  const section = h('section', { class: 'card', 'aria-labelledby': 'tiers-h' });
  const P = `/api/v2/dialer/${campaignId}/tiers`;
  const paint = async () => {
    const [tiers, agents] = await Promise.all([api<Tier[]>('GET', P), api<Agent[]>('GET', '/api/v2/agents')]);
    section.replaceChildren(h('h2', { id: 'tiers-h', tabindex: -1 }, 'Agents of this campaign'));
    if (!tiers.ok || !agents.ok) return void section.append(h('p', { class: 'error' }, 'Could not read the agents.'));
    section.append(tiers.data.length === 0 ? h('p', null, 'No agent works this campaign yet.') : h('table', null,
      h('thead', null, h('tr', null, ['Agent', 'SIP user', 'Level', ''].map((t) => h('th', { scope: 'col' }, t || h('span', { class: 'sr-only' }, 'Actions'))))),
      h('tbody', null, tiers.data.map((t) => {
        const level = num(t.level, { min: 1, 'aria-label': `Level of ${t.agent_name}`, class: 'short' });
        return h('tr', null, h('td', null, t.agent_name), h('td', null, t.sip_user),
          h('td', null, h('span', { class: 'cell-edit' }, level, ' ', h('button', { type: 'button', onclick: async () => {
            clearFieldError(level);
            const r = await api('PUT', `${P}/${t.agent_id}`, { level: numberOf(level) });
            if (r.ok) return notice(`Level of ${t.agent_name} saved`);
            // Next to the field, in words naming it ("Level of Petro must be at least 1.").
            fieldError(level, r.issues.length ? r.issues.map((i) => sentence(level, i.message)).join(' ') : r.message);
            level.focus();
          } }, `Save level of ${t.agent_name}`))),
          h('td', null, h('button', { type: 'button', class: 'danger', onclick: async () => {
            const r = await api('DELETE', `${P}/${t.agent_id}`);
            if (!r.ok) return notice(r.message, 'error');
            notice(`${t.agent_name} no longer works this campaign`);
            await repaint();
          } }, `Remove ${t.agent_name}`)));
      }))));
    const free = agents.data.filter((a) => !tiers.data.some((t) => t.agent_id === a.id));
    if (free.length === 0) {
      section.append(h('p', null, agents.data.length ? 'Every agent already works this campaign.' : h('a', { href: '/agents/new' }, 'Create an agent')));
      return;
    }
    const agent = select(free.map((a) => ({ value: String(a.id), label: `${a.name} (${a.sip_user})` })));
    const level = num(1, { min: 1 });
    const form = h('form', { class: 'inline', novalidate: true }, formErrorsBox(),
      field('Agent', agent, { path: 'agent_id' }), field('Level', level, { path: 'level' }),
      h('button', { type: 'submit' }, 'Add agent to campaign'));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const name = agent.selectedOptions[0]?.textContent ?? '';
      if (!(await submitted(form, api('POST', P, { agent_id: Number(agent.value), level: numberOf(level) })))) return;
      notice(`${name} works this campaign now`);
      await repaint();
    });
    section.append(form);
  };
  // The section is rebuilt after a change: the keyboard stays in it, on the next agent to add
  // if there is one (a rebuilt button would leave focus on the page).
  const repaint = async () => {
    await paint();
    (section.querySelector<HTMLElement>('form select') ?? section.querySelector<HTMLElement>('h2'))?.focus();
  };
  await paint();
  return section;
}
