import { api } from '../api.js';
import { h } from '../dom.js';
import { field, formErrorsBox, showIssues, text } from '../form.js';
import { navigate, type Page } from '../router.js';
import { saveSession, type Session } from '../session.js';

/** Where to go after logging in: the `next` page of the login URL, if it is a page of this client. */
export function nextPage(search: string = location.search): string {
  const next = new URLSearchParams(search).get('next') ?? '';
  // Only a path of this origin: no `//host`, no backslash (browsers read it as a slash), not the login page itself.
  return /^\/(?![/\\])[^\\]*$/.test(next) && !/^\/login(\/|\?|$)/.test(next) ? next : '/';
}

/** The login page's URL that leads back to `path` afterwards. */
export function loginPath(path: string): string {
  return path === '/' || path.startsWith('/login') ? '/login' : `/login?next=${encodeURIComponent(path)}`;
}

export const loginPage: Page = (main) => {
  const user = text('', { autocomplete: 'username' });
  const pass = h('input', { type: 'password', autocomplete: 'current-password' });
  const form = h('form', { class: 'card narrow', novalidate: true },
    h('h1', null, 'Log in'),
    formErrorsBox(),
    field('Username', user, { path: 'username', required: true }),
    field('Password', pass, { path: 'password', required: true }),
    h('button', { type: 'submit' }, 'Log in'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const r = await api<Session>('POST', '/api/v2/session/login', { username: user.value, password: pass.value });
    if (!r.ok) {
      showIssues(form, r.message, r.issues, 'Not logged in');
      // A refused password (no field named): type it again, from the password field.
      if (r.issues.length === 0) {
        pass.value = '';
        pass.focus();
      }
      return;
    }
    saveSession(r.data);
    // Replace the login entry: Back should not lead to the login form again.
    navigate(nextPage(), true);
  });
  main.append(form);
  user.focus();
};
