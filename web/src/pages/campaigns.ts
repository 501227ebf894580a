import { DEFAULT_CAUSES } from '../../../src/contract/cause-classes.js';
import { api } from '../api.js';
import { h, notice } from '../dom.js';
import { check, field, formErrorsBox, jsonField, num, numberOf, select, submitted, text } from '../form.js';
import { board, onBoard, shownState } from '../live.js';
import { navigate, type Page } from '../router.js';
import type { Calendar, Campaign, CauseClass, LineGroup } from '../types.js';
import { causeGrid } from './cause-grid.js';
import { pacingFields } from './campaign-pacing.js';
import { runStopButton } from './run-stop.js';
import { tiersSection } from './tiers.js';

export const campaignsPage: Page = async (main) => {
  main.append(h('h1', null, 'Campaigns'), h('p', null, h('a', { href: '/campaigns/new', class: 'button' }, 'New campaign')));
  const r = await api<Campaign[]>('GET', '/api/v2/dialer');
  if (!r.ok) return void main.append(h('p', { class: 'error' }, r.message));
  // Rows are built once; a push changes their text in place, so a focused Run/Stop button or
  // link keeps keyboard focus through a run (a rebuilt row would drop it to the page).
  const rows = r.data.map((c) => campaignListRow(c));
  main.append(h('table', null, h('thead', null, h('tr', null,
    ['Name', 'State', 'Priority', 'Live calls / limit', 'Remaining members', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, rows.length ? rows.map((x) => x.el) : h('tr', null, h('td', { colspan: 6 }, 'No campaign yet.')))));
  const paint = () => rows.forEach((x) => x.paint());
  return onBoard(paint);
};

function campaignListRow(c: Campaign): { el: HTMLElement; paint(): void } {
  const state = h('span');
  const calls = h('td');
  const remaining = h('td');
  const button = runStopButton(c.id, c.name, c.state, (n) => { c.state = n.state; paint(); });
  const paint = () => {
    const live = board.campaigns.get(c.id);
    const s = live?.state ?? c.state;
    const shown = live ? shownState(s) : { text: s, cls: s };
    setText(state, shown.text);
    state.className = `state ${shown.cls}`;
    setText(calls, live ? `${live.live_calls} / ${c.limit}` : `– / ${c.limit}`);
    setText(remaining, live ? `${live.remaining} of ${live.members.total}` : '');
    button.show(s);
  };
  paint();
  const el = h('tr', { id: `campaign-row-${c.id}` },
    h('td', null, h('a', { href: `/campaigns/${c.id}` }, c.name)), h('td', null, state), h('td', null, c.priority), calls, remaining,
    h('td', { class: 'nowrap' }, button.el, ' ', h('a', { href: `/campaigns/${c.id}/members` }, 'Members'), ' · ',
      h('a', { href: `/campaigns/${c.id}/reports` }, 'Reports'), ' · ',
      h('a', { href: `/campaigns/${c.id}/import` }, 'Upload CSV'), ' ', deleteButton(c)));
  return { el, paint };
}

/** Deletes the campaign after a confirmation; the API refuses (409) while it runs or has live calls. */
function deleteButton(c: Campaign): HTMLElement {
  return h('button', { type: 'button', class: 'danger', 'aria-label': `Delete campaign ${c.name}`, onclick: async () => {
    if (!confirm(`Delete campaign "${c.name}" with its members, their history and its tiers?`)) return;
    const d = await api('DELETE', `/api/v2/dialer/${c.id}`);
    if (!d.ok) return notice(d.message, 'error');
    notice(`Campaign "${c.name}" deleted`);
    navigate('/campaigns', true);
  } }, 'Delete');
}

/** Changes a text node only when it differs (no needless mutation for screen readers). */
function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

export const campaignEditPage: Page = async (main, params) => {
  const id = params.id ? Number(params.id) : undefined;
  const [cals, groups, current] = await Promise.all([
    api<Calendar[]>('GET', '/api/v2/calendars'),
    api<LineGroup[]>('GET', '/api/v2/line-groups'),
    id ? api<Campaign>('GET', `/api/v2/dialer/${id}`) : Promise.resolve(undefined),
  ]);
  if (!cals.ok || !groups.ok) return void main.append(h('p', { class: 'error' }, 'Could not read calendars or line groups.'));
  if (current && !current.ok) return void main.append(h('p', { class: 'error' }, current.message));
  const c: Campaign = current?.ok ? current.data : {
    id: 0, name: '', type: 'progressive', preview_sec: 30, preview_timeout: 'return', abandon_cap_pct: 3, abandon_target_pct: 2.4,
    compliance_window: 'rolling-30-days', min_ring_sec: 15, info_message: null, dnc_opt_out_key: null, amd: false, calendar_id: cals.data[0]?.id ?? 0, priority: 0, limit: 10, retry_wait_sec: 300,
    max_tries: 3, max_minus_attempts: 10, min_success_sec: 10, wait_result: false, wrapup_sec: 60, allow_end_wrap_up_early: false, variables: {}, causes: { ...DEFAULT_CAUSES },
    line_group_id: null, state: 'idle', reason: null, version: 0, finished_at: null, created_at: null, updated_at: null,
  };
  if (cals.data.length === 0) {
    main.append(h('p', { class: 'error' }, 'A campaign needs a calendar: ', h('a', { href: '/calendars/new' }, 'create one first'), '.'));
  }
  const name = text(c.name);
  const type = select([
    { value: 'progressive', label: 'Progressive (agent first)' },
    { value: 'preview', label: 'Preview (agent sees the member first)' },
    { value: 'predictive', label: 'Predictive (subscriber first)' },
  ], c.type);
  const pacing = pacingFields(c);
  const calendar = select(cals.data.map((x) => ({ value: String(x.id), label: `${x.name} (${x.timezone})` })), String(c.calendar_id));
  const lineGroup = select([{ value: '', label: 'None (no shared limit)' }, ...groups.data.map((g) => ({ value: String(g.id), label: `${g.name} (${g.capacity})` }))],
    c.line_group_id ? String(c.line_group_id) : '');
  const priority = num(c.priority);
  const limit = num(c.limit, { min: 1 });
  const retryWait = num(c.retry_wait_sec, { min: 0 });
  const maxTries = num(c.max_tries, { min: 1 });
  const maxMinus = num(c.max_minus_attempts, { min: 1 });
  const minSuccess = num(c.min_success_sec, { min: 0 });
  const waitResult = check(c.wait_result);
  const wrapup = num(c.wrapup_sec, { min: 0 });
  const endWrapUpEarly = check(c.allow_end_wrap_up_early);
  const variables = h('textarea', { rows: 4, spellcheck: 'false' }, JSON.stringify(c.variables, null, 2));
  const causes = causeGrid(DEFAULT_CAUSES, c.causes);

  // Built once and changed in place on pushes: the Run/Stop button keeps keyboard focus.
  const stateSpan = h('span');
  const reasonText = h('span', { class: 'reason' });
  const liveText = h('span');
  const button = id ? runStopButton(id, c.name, c.state, (n) => { c.state = n.state; paintState(); }) : undefined;
  const stateBox = h('p', { class: 'campaign-state' }, 'State: ', stateSpan, reasonText, liveText, button ? [' ', button.el, ' ', deleteButton(c)] : null);
  const paintState = () => {
    const live = id ? board.campaigns.get(id) : undefined;
    const state = live?.state ?? c.state;
    const shown = live ? shownState(state) : { text: state, cls: state };
    setText(stateSpan, shown.text);
    stateSpan.className = `state ${shown.cls}`;
    const reason = live ? live.reason : c.reason;
    setText(reasonText, reason ? ` ${reason.text}` : '');
    setText(liveText, live ? ` · live calls ${live.live_calls} / ${live.limit} · remaining ${live.remaining} of ${live.members.total}` : '');
    button?.show(state);
  };
  paintState();

  const form = h('form', { class: 'card', novalidate: true },
    h('h1', null, id ? `Campaign: ${c.name}` : 'New campaign'),
    id ? stateBox : null,
    id ? h('p', null, h('a', { href: `/campaigns/${id}/members` }, 'Members'), ' · ', h('a', { href: `/campaigns/${id}/reports` }, 'Reports'), ' · ', h('a', { href: `/campaigns/${id}/import` }, 'Upload members (CSV)')) : null,
    formErrorsBox(),
    h('div', { class: 'row' },
      field('Name', name, { path: 'name', required: true }),
      field('Type', type, { path: 'type' })),
    h('div', { class: 'row' },
      field('Calendar', calendar, { path: 'calendar_id', required: true }),
      field('Outbound line group', lineGroup, { path: 'line_group_id' })),
    h('div', { class: 'row' },
      field('Priority', priority, { path: 'priority', hint: 'higher is served first' }),
      field('Limit', limit, { path: 'limit', hint: 'simultaneous calls at most' }),
      field('Max tries', maxTries, { path: 'max_tries', hint: 'after this many calls the member ends as tried out (MAX_TRY_COUNT)' })),
    h('div', { class: 'row' },
      field('Retry wait, seconds', retryWait, { path: 'retry_wait_sec', hint: 'between two attempts of a member' }),
      field('Minimum success duration, seconds', minSuccess, { path: 'min_success_sec', hint: 'talk time a success needs' }),
      field('Max uncounted attempts', maxMinus, { path: 'max_minus_attempts', hint: 'minus causes do not use tries; after this many the member ends with the cause' })),
    h('div', { class: 'row' },
      field('Wait for a result status', waitResult, { path: 'wait_result', hint: 'a call counts as a success only once the agent sets a result' }),
      field('Wrap-up for the result, seconds', wrapup, { path: 'wrapup_sec' }),
      field('Agents may end their wrap-up early', endWrapUpEarly, { path: 'allow_end_wrap_up_early', hint: 'from the agent desk, before their wrap-up time is over' })),
    pacing.preview,
    pacing.predictive,
    field('Campaign variables (JSON object)', variables, { path: 'variables', hint: 'set on every channel; member variables override' }),
    causes.el,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, id ? 'Save campaign' : 'Create campaign'), ' ', h('a', { href: '/campaigns' }, 'Back to campaigns')));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const vars = jsonField(variables, 'variables');
    if ('issue' in vars) return void (await submitted(form, Promise.resolve(vars.issue)));
    const body = {
      name: name.value, type: type.value, calendar_id: Number(calendar.value) || calendar.value,
      line_group_id: lineGroup.value ? Number(lineGroup.value) : null,
      priority: numberOf(priority), limit: numberOf(limit), retry_wait_sec: numberOf(retryWait), max_tries: numberOf(maxTries),
      max_minus_attempts: numberOf(maxMinus), min_success_sec: numberOf(minSuccess), wait_result: waitResult.checked, wrapup_sec: numberOf(wrapup),
      allow_end_wrap_up_early: endWrapUpEarly.checked,
      ...pacing.values(),
      variables: vars.value, causes: causes.overrides(),
    };
    const saved = await submitted(form, api<Campaign>(id ? 'PUT' : 'POST', id ? `/api/v2/dialer/${id}` : '/api/v2/dialer', body));
    if (!saved) return;
    notice(`Campaign "${saved.name}" saved`);
    if (!id) navigate(`/campaigns/${saved.id}`, true);
  });
  const showType = () => pacing.show(type.value);
  type.addEventListener('change', showType);
  showType();
  main.append(form);
  if (id) main.append(await tiersSection(id));
  return id ? onBoard(paintState) : undefined;
};

export type { CauseClass };
