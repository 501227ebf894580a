import { api } from '../api.js';
import { h, notice } from '../dom.js';
import { field, formErrorsBox, num, numberOf, select, submitted } from '../form.js';
import type { AgentTier, Campaign } from '../types.js';

/** A1: the campaigns an agent works (its tiers), on the agent's page, and adding it to another. */
export async function agentCampaignsSection(agentId: number, agentName: string): Promise<HTMLElement> {
  const section = h('section', { class: 'card', 'aria-labelledby': 'agent-campaigns-h' });
  const paint = async () => {
    const [camps, tiers] = await Promise.all([api<Campaign[]>('GET', '/api/v2/dialer'), api<AgentTier[]>('GET', `/api/v2/agents/${agentId}/tiers`)]);
    section.replaceChildren(h('h2', { id: 'agent-campaigns-h', tabindex: -1 }, 'Campaigns this agent works'));
    if (!camps.ok) return void section.append(h('p', { class: 'error' }, camps.message));
    if (!tiers.ok) return void section.append(h('p', { class: 'error' }, tiers.message));
    const worked = tiers.data.map((t) => ({ c: { id: t.campaign_id, name: t.campaign_name, state: t.campaign_state }, level: t.level }));
    section.append(worked.length === 0 ? h('p', { id: 'agent-campaigns-none' }, 'This agent works no campaign yet: it gets no calls.') : h('table', { id: 'agent-campaigns' },
      h('thead', null, h('tr', null, ['Campaign', 'State', 'Level', ''].map((t) => h('th', { scope: 'col' }, t || h('span', { class: 'sr-only' }, 'Actions'))))),
      h('tbody', null, worked.map(({ c, level }) => h('tr', null,
        h('td', null, h('a', { href: `/campaigns/${c.id}` }, c.name)), h('td', null, h('span', { class: `state ${c.state}` }, c.state)),
        h('td', null, level),
        h('td', null, h('button', { type: 'button', class: 'danger', onclick: async () => {
          const r = await api('DELETE', `/api/v2/dialer/${c.id}/tiers/${agentId}`);
          if (!r.ok) return notice(r.message, 'error');
          notice(`${agentName} no longer works ${c.name}`);
          await repaint();
        } }, `Take ${agentName} off ${c.name}`)))))));
    const free = camps.data.filter((c) => !worked.some((w) => w.c.id === c.id));
    if (free.length === 0) return;
    const campaign = select(free.map((c) => ({ value: String(c.id), label: c.name })));
    const level = num(1, { min: 1 });
    const form = h('form', { class: 'inline', novalidate: true }, formErrorsBox(),
      field('Campaign', campaign, { path: 'campaign' }), field('Level', level, { path: 'level' }),
      h('button', { type: 'submit' }, 'Add to campaign'));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const saved = await submitted(form, api('POST', `/api/v2/dialer/${campaign.value}/tiers`, { agent_id: agentId, level: numberOf(level) }));
      if (saved) await repaint();
    });
    section.append(form);
  };
  // The list is rebuilt after a change: keep the keyboard in this section.
  const repaint = async () => {
    await paint();
    section.querySelector<HTMLElement>('h2')?.focus();
  };
  await paint();
  return section;
}
