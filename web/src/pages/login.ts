import { api } from '../api.js';
import { h } from '../dom.js';
import { field, formErrorsBox, showIssues, text } from '../form.js';
import { navigate, type Page } from '../router.js';
import { saveSession, type Session } from '../session.js';

export const loginPage: Page = (main) => {
  const user = text('', { autocomplete: 'username', autofocus: true });
  const pass = h('input', { type: 'password', autocomplete: 'current-password' });
  const form = h('form', { class: 'card narrow', novalidate: true },
    h('h1', null, 'Log in'),
    formErrorsBox(),
    field('Username', user, { path: 'username', required: true }),
    field('Password', pass, { path: 'password', required: true }),
    h('button', { type: 'submit' }, 'Log in'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const r = await api<Omit<Session, 'username'>>('POST', '/login', { username: user.value, password: pass.value });
    if (!r.ok) {
      showIssues(form, r.message, r.issues);
      return;
    }
    saveSession({ ...r.data, username: user.value });
    navigate('/');
  });
  main.append(form);
  user.focus();
};
