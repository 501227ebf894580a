import type { ApiResult, Issue } from './api.js';
import { h, hideNotice, uid } from './dom.js';

/*
 * Form fields with a visible label, an optional hint and an error slot tied to the input by
 * aria-describedby. Every input carries `data-path` (the API's field path without the
 * `body.` part), so the issues of a 400 answer land next to the field they name.
 */

export type Input = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

export interface FieldOptions {
  path: string;
  hint?: string;
  required?: boolean;
}

export function field(label: string, input: Input, o: FieldOptions): HTMLElement {
  input.id ||= uid('f');
  input.dataset.path = o.path;
  if (o.required) input.required = true;
  const describedBy: string[] = [];
  let hint: HTMLElement | null = null;
  if (o.hint) {
    hint = h('small', { id: `${input.id}-hint`, class: 'hint' }, o.hint);
    describedBy.push(hint.id);
  }
  if (describedBy.length) input.setAttribute('aria-describedby', describedBy.join(' '));
  const wrap = h('div', { class: input instanceof HTMLInputElement && input.type === 'checkbox' ? 'field check' : 'field' });
  const lab = h('label', { for: input.id }, label);
  if (input instanceof HTMLInputElement && input.type === 'checkbox') wrap.append(input, lab);
  else wrap.append(lab, input);
  if (hint) wrap.append(hint);
  return wrap;
}

export const text = (value = '', extra: Record<string, unknown> = {}): HTMLInputElement => h('input', { type: 'text', value, ...extra });
export const num = (value: number | '' = '', extra: Record<string, unknown> = {}): HTMLInputElement =>
  h('input', { type: 'number', value: String(value), step: '1', inputmode: 'numeric', ...extra });
export const check = (checked = false): HTMLInputElement => h('input', { type: 'checkbox', checked });
export function select(options: Array<string | { value: string; label: string }>, value = ''): HTMLSelectElement {
  const s = h('select', null, options.map((o) => {
    const v = typeof o === 'string' ? o : o.value;
    return h('option', { value: v, selected: v === value }, typeof o === 'string' ? o : o.label);
  }));
  // An absent value keeps the browser's default: the first option.
  if (options.some((o) => (typeof o === 'string' ? o : o.value) === value)) s.value = value;
  return s;
}

/** A number input's value: a number, or the raw text so the API names what is wrong. */
export function numberOf(i: HTMLInputElement): number | string {
  return i.value.trim() === '' ? '' : Number.isFinite(i.valueAsNumber) ? i.valueAsNumber : i.value;
}

/** Removes the message fieldError put next to `el`. */
export function clearFieldError(el: HTMLElement): void {
  el.removeAttribute('aria-invalid');
  const err = document.getElementById(`${el.id}-err`);
  if (!err) return;
  const ids = (el.getAttribute('aria-describedby') ?? '').split(' ').filter((x) => x && x !== err.id);
  if (ids.length) el.setAttribute('aria-describedby', ids.join(' '));
  else el.removeAttribute('aria-describedby');
  err.remove();
}

/** Shows `message` next to the input (its .field, or its parent), tied by aria-describedby and aria-invalid. */
export function fieldError(target: HTMLElement, message: string, root: HTMLElement = target.parentElement ?? document.body): void {
  target.id ||= uid('f');
  let err = document.getElementById(`${target.id}-err`);
  if (!err) {
    err = h('span', { id: `${target.id}-err`, class: 'error' });
    (target.closest('.field') ?? target.parentElement ?? root).appendChild(err);
    const ids = (target.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
    target.setAttribute('aria-describedby', [...ids, err.id].join(' '));
  }
  err.textContent = err.textContent ? `${err.textContent}; ${message}` : message;
  target.setAttribute('aria-invalid', 'true');
}

/** Clears the errors shown by showIssues in `root`. */
export function clearIssues(root: HTMLElement): void {
  for (const el of root.querySelectorAll<HTMLElement>('[aria-invalid="true"]')) clearFieldError(el);
  const summary = root.querySelector<HTMLElement>('.form-errors');
  if (summary) {
    summary.hidden = true;
    summary.textContent = '';
  }
}

/**
 * Shows each issue next to the input whose data-path it names (or its nearest parent path); the
 * rest in the summary, headed by `title` (what did not happen: "Not saved", "Not logged in").
 */
export function showIssues(root: HTMLElement, message: string, issues: Issue[], title = 'Not saved'): void {
  clearIssues(root);
  // An earlier "saved" must not stand beside "Not saved".
  hideNotice();
  const loose: string[] = [];
  let first: HTMLElement | undefined;
  for (const issue of issues) {
    const path = issue.path.replace(/^(body|query|params)\.?/, '');
    const target = findByPath(root, path);
    if (!target) {
      loose.push(`${issue.path}: ${issue.message}`);
      continue;
    }
    fieldError(target, sentence(target, issue.message), root);
    first ??= target;
  }
  let summary = root.querySelector<HTMLElement>('.form-errors');
  if (!summary) {
    summary = h('div', { class: 'form-errors', role: 'alert' });
    root.prepend(summary);
  }
  summary.hidden = false;
  summary.textContent = '';
  summary.append(h('strong', null, issues.length ? `${title}: ${issues.length} problem(s) to fix.` : `${title}: ${message}`));
  if (loose.length) summary.append(h('ul', null, loose.map((l) => h('li', null, l))));
  first?.focus();
}

/**
 * The API's wording for a field ("must be at least 1") as a sentence naming the field by the
 * label the user sees: "Limit must be at least 1.". A message that is already a sentence stays.
 */
export function sentence(target: HTMLElement, message: string): string {
  if (!/^(must|is|has) /.test(message)) return message;
  const label = (target.id ? document.querySelector(`label[for="${CSS.escape(target.id)}"]`)?.textContent : null)
    ?? target.getAttribute('aria-label') ?? 'This field';
  return `${label.trim()} ${message}.`;
}

function findByPath(root: HTMLElement, path: string): HTMLElement | undefined {
  const parts = path.split('.');
  while (parts.length) {
    const el = root.querySelector<HTMLElement>(`[data-path="${CSS.escape(parts.join('.'))}"]`);
    if (el) return el;
    parts.pop();
  }
  return undefined;
}

/** A field checked here before sending, with its problem shaped like the API's 400. */
function localIssue(path: string, message: string): ApiResult<never> {
  return { ok: false, status: 400, code: 'LOCAL', message, issues: [{ path: `body.${path}`, message }], details: null };
}

/** The JSON object typed in a field (empty means {}), or its problem for `submitted`. */
export function jsonField(input: Input, path: string): { value: unknown } | { issue: ApiResult<never> } {
  try {
    return { value: JSON.parse(input.value.trim() || '{}') };
  } catch (err) {
    return { issue: localIssue(path, `not valid JSON: ${(err as Error).message}`) };
  }
}

/** Runs a save, showing its problems in the form; true when it succeeded. */
export async function submitted<T>(root: HTMLElement, result: Promise<ApiResult<T>>, title?: string): Promise<T | undefined> {
  const btn = root.querySelector<HTMLButtonElement>('button[type="submit"]');
  if (btn) btn.disabled = true;
  try {
    const r = await result;
    if (r.ok) {
      clearIssues(root);
      return r.data;
    }
    showIssues(root, r.message, r.issues, title);
    return undefined;
  } finally {
    if (btn) enableKeepingFocus(btn);
  }
}

/**
 * Enables a button that was disabled while its action ran. Disabling the focused button sent
 * keyboard focus to the page: it comes back here unless something else took it meanwhile.
 */
export function enableKeepingFocus(btn: HTMLButtonElement): void {
  btn.disabled = false;
  const lost = document.activeElement === null || document.activeElement === document.body;
  if (lost && btn.isConnected) btn.focus();
}

export function formErrorsBox(): HTMLElement {
  return h('div', { class: 'form-errors', role: 'alert', hidden: true });
}

/** ISO instant → value of an <input type="datetime-local"> (local time of the browser). */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Value of an <input type="datetime-local"> → ISO instant, or null when empty. */
export function fromLocalInput(v: string): string | null {
  if (!v) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? v : d.toISOString();
}
