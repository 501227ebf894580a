import { api, type ApiResult } from '../api.js';
import { fmtTime, h, notice } from '../dom.js';
import { clearFieldError, field, fieldError, formErrorsBox, select, submitted, text } from '../form.js';
import { navigate, type Page } from '../router.js';
import { currentSession } from '../session.js';
import type { Agent, User } from '../types.js';

const ROLES = [
  { value: 'operator', label: 'operator: everything but users' },
  { value: 'admin', label: 'admin: everything, users too' },
  { value: 'api', label: 'api: add members and post result statuses only' },
  { value: 'agent', label: 'agent: acts as its own agent only (its status, calls and results)' },
];

/** W1: the agents a user of role agent may act as, '' for none. */
function agentSelect(agents: Agent[], value: number | null): HTMLSelectElement {
  return select([{ value: '', label: '— none —' }, ...agents.map((a) => ({ value: String(a.id), label: `${a.name} (${a.sip_user})` }))],
    value === null ? '' : String(value));
}

const agentIdOf = (s: HTMLSelectElement): number | null => (s.value === '' ? null : Number(s.value));

/** S1: users and their roles, for admins (the API answers 403 to anyone else). */
export const usersPage: Page = async (main) => {
  main.append(h('h1', null, 'Users'));
  if (currentSession()?.role !== 'admin') return void main.append(h('p', { class: 'error' }, 'Users are managed by administrators.'));
  const [r, agents] = await Promise.all([api<User[]>('GET', '/api/v2/users'), api<Agent[]>('GET', '/api/v2/agents')]);
  if (!r.ok) return void main.append(h('p', { class: 'error' }, r.message));
  if (!agents.ok) return void main.append(h('p', { class: 'error' }, agents.message));
  const me = currentSession()?.username;
  main.append(
    h('table', null, h('caption', { class: 'sr-only' }, 'Users'),
      h('thead', null, h('tr', null, ['Username', 'Role', 'Agent', 'New password', 'Created', ''].map((t) => h('th', { scope: 'col' }, t || h('span', { class: 'sr-only' }, 'Actions'))))),
      h('tbody', null, r.data.map((u) => userRow(u, u.username === me, agents.data)))),
    newUserForm(agents.data));
};

function userRow(u: User, self: boolean, agents: Agent[]): HTMLElement {
  const role = select(ROLES.map((x) => ({ value: x.value, label: x.value })), u.role);
  role.setAttribute('aria-label', `Role of ${u.username}`);
  const agent = agentSelect(agents, u.agent_id);
  agent.setAttribute('aria-label', `Agent of ${u.username}`);
  const password = h('input', { type: 'password', autocomplete: 'new-password', 'aria-label': `New password for ${u.username}`, size: 14 });
  // A failure is shown next to the control it concerns, with the API's message.
  const save = async (input: HTMLElement, call: Promise<ApiResult<User>>, done: string): Promise<boolean> => {
    clearFieldError(input);
    const res = await call;
    if (res.ok) {
      notice(done);
      return true;
    }
    fieldError(input, res.issues.length ? res.issues.map((i) => i.message).join('; ') : res.message);
    input.focus();
    return false;
  };
  return h('tr', null,
    h('th', { scope: 'row' }, u.username, self ? h('span', { class: 'muted' }, ' (you)') : null),
    h('td', null, h('span', { class: 'cell-edit' }, role, ' ', h('button', { type: 'button', onclick: async () => {
      // W1: becoming an agent takes the agent chosen beside it; leaving the role unlinks it.
      const body = role.value === 'agent' ? { role: role.value, agent_id: agentIdOf(agent) } : { role: role.value };
      if (!(await save(role, api<User>('PUT', `/api/v2/users/${u.id}`, body), `${u.username} is now ${role.value}`))) return;
      u.role = role.value as User['role'];
      if (u.role !== 'agent') agent.value = '';
    } }, `Save role of ${u.username}`))),
    h('td', null, h('span', { class: 'cell-edit' }, agent, ' ', h('button', { type: 'button', onclick: async () => {
      if (await save(agent, api<User>('PUT', `/api/v2/users/${u.id}`, { agent_id: agentIdOf(agent) }), `${u.username} now acts as ${agent.selectedOptions[0]?.text ?? 'no agent'}`)) {
        u.agent_id = agentIdOf(agent);
      }
    } }, `Save agent of ${u.username}`))),
    h('td', null, h('span', { class: 'cell-edit' }, password, ' ', h('button', { type: 'button', onclick: async () => {
      const ok = await save(password, api<User>('PUT', `/api/v2/users/${u.id}`, { password: password.value }),
        `Password of ${u.username} changed; its logins have ended`);
      if (ok) password.value = '';
    } }, `Set password of ${u.username}`))),
    h('td', null, fmtTime(u.created_at)),
    h('td', null, h('button', { type: 'button', class: 'danger', disabled: self, onclick: async () => {
      if (!confirm(`Delete user "${u.username}"? Its logins end at once.`)) return;
      const d = await api('DELETE', `/api/v2/users/${u.id}`);
      if (!d.ok) return notice(d.message, 'error');
      notice(`User "${u.username}" deleted`);
      navigate('/users', true);
    } }, `Delete ${u.username}`)));
}

function newUserForm(agents: Agent[]): HTMLElement {
  const username = text('', { autocomplete: 'off' });
  const password = h('input', { type: 'password', autocomplete: 'new-password' });
  const role = select(ROLES, 'operator');
  const agent = agentSelect(agents, null);
  const form = h('form', { class: 'card', novalidate: true }, h('h2', null, 'New user'), formErrorsBox(),
    h('div', { class: 'row' },
      field('Username', username, { path: 'username', required: true, hint: 'letters, digits, _ . @ -' }),
      field('Password', password, { path: 'password', required: true, hint: 'at least 8 characters' }),
      field('Role', role, { path: 'role' }),
      field('Agent', agent, { path: 'agent_id', hint: 'for role agent: the agent this user acts as' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Create user')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const saved = await submitted(form, api<User>('POST', '/api/v2/users', {
      username: username.value, password: password.value, role: role.value, agent_id: role.value === 'agent' ? agentIdOf(agent) : null,
    }));
    if (!saved) return;
    notice(`User "${saved.username}" created`);
    navigate('/users', true);
  });
  return form;
}
