import { api } from '../api.js';
import { h, notice } from '../dom.js';
import { check, field, formErrorsBox, fromLocalInput, select, submitted, text, toLocalInput } from '../form.js';
import { navigate, type Page } from '../router.js';
import type { Calendar } from '../types.js';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export const calendarsPage: Page = async (main) => {
  main.append(h('h1', null, 'Calendars'), h('p', null, h('a', { href: '/calendars/new', class: 'button' }, 'New calendar')));
  const r = await api<Calendar[]>('GET', '/api/v2/calendars');
  if (!r.ok) return void main.append(h('p', { class: 'error' }, r.message));
  main.append(h('table', null,
    h('caption', { class: 'sr-only' }, 'Calendars'),
    h('thead', null, h('tr', null, ['Name', 'Time zone', 'Windows', 'Holidays', ''].map((t) => h('th', { scope: 'col' }, t || h('span', { class: 'sr-only' }, 'Actions'))))),
    h('tbody', null, r.data.length === 0 ? h('tr', null, h('td', { colspan: 5 }, 'No calendar yet. A campaign dials only in its calendar\'s hours: create one with New calendar.')) : r.data.map((c) => h('tr', null,
      h('td', null, h('a', { href: `/calendars/${c.id}` }, c.name)),
      h('td', null, c.timezone), h('td', null, c.windows.length), h('td', null, c.holidays.length),
      h('td', null, h('button', { type: 'button', class: 'danger', onclick: () => remove(c) }, `Delete ${c.name}`)))))));

  async function remove(c: Calendar): Promise<void> {
    if (!confirm(`Delete calendar "${c.name}"?`)) return;
    const d = await api('DELETE', `/api/v2/calendars/${c.id}`);
    if (!d.ok) return notice(d.message, 'error');
    notice('Calendar deleted');
    navigate('/calendars', true);
  }
};

export const calendarEditPage: Page = async (main, params) => {
  const id = params.id;
  let cal: Calendar = { id: 0, name: '', timezone: Intl.DateTimeFormat().resolvedOptions().timeZone, start_at: null, end_at: null,
    windows: [1, 2, 3, 4, 5].map((day) => ({ day, start: '09:00', end: '18:00' })), holidays: [], created_at: null, updated_at: null };
  if (id) {
    const r = await api<Calendar>('GET', `/api/v2/calendars/${id}`);
    if (!r.ok) return void main.append(h('p', { class: 'error' }, r.message));
    cal = r.data;
  }
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const name = text(cal.name);
  const tz = text(cal.timezone, { list: 'tz-list', autocomplete: 'off' });
  const startAt = h('input', { type: 'datetime-local', value: toLocalInput(cal.start_at) });
  const endAt = h('input', { type: 'datetime-local', value: toLocalInput(cal.end_at) });

  const winBody = h('tbody');
  const addWindow = (w: { day: number; start: string; end: string }) => {
    const tr = h('tr');
    const day = select(DAYS.map((d, n) => ({ value: String(n), label: d })), String(w.day));
    const start = text(w.start, { size: 5, placeholder: 'HH:MM' });
    const end = text(w.end, { size: 5, placeholder: 'HH:MM' });
    day.dataset.col = 'day';
    start.dataset.col = 'start';
    end.dataset.col = 'end';
    tr.append(h('td', null, day), h('td', null, start), h('td', null, end),
      h('td', null, h('button', { type: 'button', class: 'link', onclick: () => { tr.remove(); renumber(winBody, 'windows'); } }, 'Remove')));
    winBody.append(tr);
    renumber(winBody, 'windows');
  };
  cal.windows.forEach(addWindow);

  const holBody = h('tbody');
  const addHoliday = (x: { date: string; name: string; repeat_yearly: boolean }) => {
    const tr = h('tr');
    const date = h('input', { type: 'date', value: x.date });
    const hname = text(x.name);
    const yearly = check(x.repeat_yearly);
    date.dataset.col = 'date';
    hname.dataset.col = 'name';
    yearly.dataset.col = 'repeat_yearly';
    tr.append(h('td', null, date), h('td', null, hname), h('td', null, yearly),
      h('td', null, h('button', { type: 'button', class: 'link', onclick: () => { tr.remove(); renumber(holBody, 'holidays'); } }, 'Remove')));
    holBody.append(tr);
    renumber(holBody, 'holidays');
  };
  cal.holidays.forEach(addHoliday);

  const form = h('form', { class: 'card', novalidate: true },
    h('h1', null, id ? `Calendar: ${cal.name}` : 'New calendar'),
    formErrorsBox(),
    field('Name', name, { path: 'name', required: true }),
    field('Time zone', tz, { path: 'timezone', required: true, hint: 'IANA name, e.g. Europe/Kyiv; a member\'s own zone wins' }),
    h('datalist', { id: 'tz-list' }, zones.map((z) => h('option', { value: z }))),
    h('div', { class: 'row' },
      field('Works from', startAt, { path: 'start_at', hint: 'optional; your browser\'s local time' }),
      field('Works until', endAt, { path: 'end_at', hint: 'optional; the campaign stops when it passes' })),
    h('fieldset', null, h('legend', null, 'Weekly windows'),
      h('table', { class: 'grid' }, h('thead', null, h('tr', null, ['Day', 'Start (HH:MM)', 'End (HH:MM, up to 24:00)', ''].map((t) => h('th', { scope: 'col' }, t || h('span', { class: 'sr-only' }, 'Actions'))))), winBody),
      h('button', { type: 'button', onclick: () => addWindow({ day: 1, start: '09:00', end: '18:00' }) }, 'Add window')),
    h('fieldset', null, h('legend', null, 'Holidays (closed)'),
      h('table', { class: 'grid' }, h('thead', null, h('tr', null, ['Date', 'Name', 'Every year', ''].map((t) => h('th', { scope: 'col' }, t || h('span', { class: 'sr-only' }, 'Actions'))))), holBody),
      h('button', { type: 'button', onclick: () => addHoliday({ date: '', name: '', repeat_yearly: false }) }, 'Add holiday')),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save calendar'), ' ', h('a', { href: '/calendars' }, 'Back to calendars')));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {
      name: name.value, timezone: tz.value,
      start_at: fromLocalInput(startAt.value), end_at: fromLocalInput(endAt.value),
      windows: rows(winBody).map((r) => ({ day: Number(r.day!.value), start: r.start!.value, end: r.end!.value })),
      holidays: rows(holBody).map((r) => ({ date: r.date!.value, name: r.name!.value, repeat_yearly: (r.repeat_yearly as HTMLInputElement).checked })),
    };
    const saved = await submitted(form, api<Calendar>(id ? 'PUT' : 'POST', id ? `/api/v2/calendars/${id}` : '/api/v2/calendars', body));
    if (!saved) return;
    notice(`Calendar "${saved.name}" saved`);
    if (!id) navigate(`/calendars/${saved.id}`, true);
  });
  main.append(form);
};

/** Gives each grid input its API path (`windows.2.end`) and an accessible name. */
export function renumber(body: HTMLElement, list: string): void {
  [...body.children].forEach((tr, i) => {
    for (const el of tr.querySelectorAll<HTMLElement>('[data-col]')) {
      el.dataset.path = `${list}.${i}.${el.dataset.col}`;
      el.setAttribute('aria-label', `${list === 'windows' ? 'Window' : 'Holiday'} ${i + 1}: ${el.dataset.col!.replace('_', ' ')}`);
    }
    tr.querySelector('button')?.setAttribute('aria-label', `Remove ${list === 'windows' ? 'window' : 'holiday'} ${i + 1}`);
  });
}

function rows(body: HTMLElement): Array<Record<string, HTMLInputElement | HTMLSelectElement>> {
  return [...body.children].map((tr) => {
    const o: Record<string, HTMLInputElement | HTMLSelectElement> = {};
    for (const el of tr.querySelectorAll<HTMLInputElement | HTMLSelectElement>('[data-col]')) o[el.dataset.col!] = el;
    return o;
  });
}
