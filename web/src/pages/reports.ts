import { instantOfWall, zoneClock } from '../../../src/contract/zone-clock.js';
import { api, authHeaders } from '../api.js';
import { append, h, notice } from '../dom.js';
import { check, clearIssues, field, formErrorsBox, select, showIssues } from '../form.js';
import type { Page } from '../router.js';
import { timeChart } from '../time-chart.js';
import type { AgentReport, Calendar, Campaign, CampaignForecast, CampaignReport } from '../types.js';

/*
 * Q4: a campaign's report (Q2) and forecast (Q3) as charts over a chosen range of days in the
 * campaign's zone (its calendar's), each with its table, the agents' occupancy (Q2) and the
 * attempts of the range as a CSV file (Q1). Loaded on its own, with the chart library, only when
 * this page is opened.
 */

type Interval = CampaignReport['interval'];
const INTERVALS: Array<{ value: Interval; label: string }> = [
  { value: '15min', label: '15 minutes' }, { value: 'hour', label: 'Hour' }, { value: 'day', label: 'Day' },
];

const count = (v: number) => String(Math.round(v));
const percent = (v: number) => `${v.toFixed(1)}`;
const pct = (r: number | null) => (r === null ? null : Math.round(r * 1000) / 10);

/** `2026-12-04T10:00+02:00` → `2026-12-04 10:00` (the offset is in the zone named beside it). */
const wall = (local: string) => local.replace('T', ' ').replace(/[+-]\d\d:\d\d$/, '');

/** YYYY-MM-DD of the zone's wall clock at `t`. */
function wallDate(zone: string, t: number): string {
  return new Date(t + zoneClock(zone)!.offsetMs(t)).toISOString().slice(0, 10);
}

export const reportsPage: Page = async (main, params, signal) => {
  const id = Number(params.id);
  const c = await api<Campaign>('GET', `/api/v2/dialer/${id}`);
  if (!c.ok) return void main.append(h('p', { class: 'error' }, c.message));
  const cal = await api<Calendar>('GET', `/api/v2/calendars/${c.data.calendar_id}`);
  const zone = cal.ok && zoneClock(cal.data.timezone) ? cal.data.timezone : 'UTC';
  const today = wallDate(zone, Date.now());
  const weekAgo = wallDate(zone, Date.now() - 6 * 86_400_000);
  const from = h('input', { type: 'date', value: weekAgo, required: true });
  const to = h('input', { type: 'date', value: today, required: true });
  const interval = select(INTERVALS, 'hour');
  const semicolon = check(false);
  const out = h('div', { id: 'report-charts', 'aria-live': 'polite', 'aria-busy': 'false' });
  const form = h('form', { class: 'filters', novalidate: true }, formErrorsBox(),
    field('From (first day)', from, { path: 'from', required: true }),
    field('To (last day, included)', to, { path: 'to', required: true }),
    field('Interval', interval, { path: 'interval' }),
    h('button', { type: 'submit' }, 'Show'));
  const download = h('button', { type: 'button', onclick: () => void downloadCsv() }, 'Download the attempts (CSV)');
  main.append(
    h('h1', null, `Reports: ${c.data.name}`),
    h('p', null, h('a', { href: `/campaigns/${id}` }, 'Campaign'), ' · ', h('a', { href: `/campaigns/${id}/members` }, 'Members')),
    h('p', { class: 'hint' }, `Days and times are those of the campaign's time zone, ${zone} (its calendar's).`),
    form,
    h('div', { class: 'filters' }, download, field('Separate with semicolons (spreadsheets with a decimal comma)', semicolon, { path: 'sep' })),
    out);

  let charts: Array<{ close(): void }> = [];
  const closeCharts = () => {
    for (const ch of charts) ch.close();
    charts = [];
  };

  /** The chosen days as [from, to) instants: midnight of the first day to midnight after the last, in the zone. */
  const range = (): { from: string; to: string } | undefined => {
    const clock = zoneClock(zone)!;
    const a = Date.parse(`${from.value}T00:00:00Z`);
    const b = Date.parse(`${to.value}T00:00:00Z`);
    const issues = [];
    if (Number.isNaN(a)) issues.push({ path: 'from', message: 'must be a date' });
    if (Number.isNaN(b)) issues.push({ path: 'to', message: 'must be a date' });
    else if (!Number.isNaN(a) && b < a) issues.push({ path: 'to', message: 'must be on or after the first day' });
    if (issues.length) {
      showIssues(form, 'bad range', issues, 'Not shown');
      return undefined;
    }
    return { from: new Date(instantOfWall(clock, a)).toISOString(), to: new Date(instantOfWall(clock, b + 86_400_000)).toISOString() };
  };

  const load = async () => {
    const r = range();
    if (!r) return;
    const q = new URLSearchParams({ interval: interval.value, from: r.from, to: r.to });
    out.setAttribute('aria-busy', 'true');
    const [rep, agents, fc] = await Promise.all([
      api<CampaignReport>('GET', `/api/v2/dialer/${id}/reports?${q}`),
      api<AgentReport>('GET', `/api/v2/agents/reports?${q}&zone=${encodeURIComponent(zone)}`),
      api<CampaignForecast>('GET', `/api/v2/dialer/${id}/forecast`),
    ]);
    out.setAttribute('aria-busy', 'false');
    if (signal.aborted) return;
    if (!rep.ok) return showIssues(form, rep.message, rep.issues, 'Not shown');
    clearIssues(form);
    closeCharts();
    const parts = [...campaignCharts(rep.data, zone), ...(agents.ok ? [occupancyChart(agents.data, zone)] : [])];
    charts = parts;
    out.replaceChildren();
    append(out, [
      h('p', { class: 'totals' }, totalsText(rep.data)),
      rep.data.abandon_cap ? h('p', { class: 'abandons', id: 'report-abandons' }, abandonText(rep.data)) : null,
      ...parts.map((p) => p.el),
      agents.ok ? null : h('p', { class: 'error' }, `Agent occupancy: ${agents.message}`),
      fc.ok ? forecastSection(fc.data, zone, (ch) => charts.push(ch)) : h('p', { class: 'error' }, `Forecast: ${fc.message}`)]);
  };

  const downloadCsv = async () => {
    const r = range();
    if (!r) return;
    const q = new URLSearchParams({ format: 'csv', from: r.from, to: r.to, ...(semicolon.checked ? { sep: ';' } : {}) });
    download.disabled = true;
    try {
      // The API wants its key in headers, so the file comes through fetch, not a plain link.
      const res = await fetch(`/api/v2/dialer/${id}/attempts/export?${q}`, { headers: authHeaders() });
      if (!res.ok) return void notice(`The attempts could not be downloaded (HTTP ${res.status}).`, 'error');
      const url = URL.createObjectURL(await res.blob());
      const a = h('a', { href: url, download: `attempts-campaign-${id}-${from.value}-${to.value}.csv`, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      notice('The attempts are downloaded as a CSV file.');
    } finally {
      download.disabled = false;
    }
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void load();
  });
  await load();
  return closeCharts;
};

function totalsText(r: CampaignReport): string {
  const t = r.totals;
  const rate = (v: number | null) => (v === null ? 'no attempts' : `${percent(v * 100)} %`);
  return `In the range: ${t.attempts} attempts, ${t.answered} answered (contact rate ${rate(t.contact_rate)}), ` +
    `${t.successful} successful (success rate ${rate(t.success_rate)}).`;
}

/** P4: a predictive campaign's abandoned calls over the range, against its cap. */
function abandonText(r: CampaignReport): string | null {
  const cap = r.abandon_cap;
  if (!cap) return null;
  const t = r.totals;
  const rate = t.abandon_rate === null ? 'no answers yet' : `${percent(t.abandon_rate * 100)} %`;
  const window = cap.compliance_window === 'calendar-day' ? 'the calendar day' : 'a rolling 30 days';
  return `Abandon rate in the range: ${rate} (${t.abandoned} abandoned of ${t.answered} answered); ` +
    `cap ${percent(cap.cap_pct)} %, target ${percent(cap.target_pct)} %, held over ${window} (the live board shows that window).`;
}

function campaignCharts(r: CampaignReport, zone: string) {
  const x = r.buckets.map((b) => Date.parse(b.start));
  const xText = r.buckets.map((b) => wall(b.local));
  const xHeading = r.interval === 'day' ? 'Day' : r.interval === 'hour' ? 'Hour' : 'Quarter hour';
  return [
    timeChart({ id: 'report-attempts', title: 'Attempts and successes', unit: 'attempts', zone, x, xText, xHeading, series: [
      { label: 'Attempts', values: r.buckets.map((b) => b.attempts), format: count },
      { label: 'Answered', values: r.buckets.map((b) => b.answered), format: count },
      { label: 'Successful', values: r.buckets.map((b) => b.successful), format: count },
      ...(r.abandon_cap ? [{ label: 'Abandoned', values: r.buckets.map((b) => b.abandoned), format: count }] : []),
    ] }),
    timeChart({ id: 'report-rates', title: 'Success and contact rates', unit: '%', zone, x, xText, xHeading, series: [
      { label: 'Success rate', values: r.buckets.map((b) => pct(b.success_rate)), format: percent },
      { label: 'Contact rate', values: r.buckets.map((b) => pct(b.contact_rate)), format: percent },
    ] }),
    ...(r.abandon_cap ? [abandonChart(r, zone, x, xText, xHeading, r.abandon_cap.cap_pct)] : []),
  ];
}

/** P4: abandoned ÷ answered per bucket beside the campaign's cap. */
function abandonChart(r: CampaignReport, zone: string, x: number[], xText: string[], xHeading: string, capPct: number) {
  return timeChart({ id: 'report-abandon', title: 'Abandon rate and cap', unit: '%', zone, x, xText, xHeading, series: [
    { label: 'Abandon rate', values: r.buckets.map((b) => pct(b.abandon_rate)), format: percent },
    { label: 'Cap', values: r.buckets.map(() => capPct), format: percent },
  ] });
}

/** Q2: the occupancy of all agents together per bucket: (talking + wrap-up) / (logged in − break). */
function occupancyChart(r: AgentReport, zone: string) {
  const first = r.agents[0]?.buckets ?? [];
  const sums = first.map((_b, i) => {
    let work = 0;
    let workable = 0;
    for (const a of r.agents) {
      const b = a.buckets[i]!;
      work += b.talking_sec + b.wrap_up_sec;
      workable += b.logged_in_sec - b.break_sec;
    }
    return { occupancy: workable > 0 ? Math.round((work / workable) * 1000) / 10 : null };
  });
  const xHeading = r.interval === 'day' ? 'Day' : r.interval === 'hour' ? 'Hour' : 'Quarter hour';
  return timeChart({ id: 'report-occupancy', title: 'Agent occupancy (all agents)', unit: '%', zone,
    x: first.map((b) => Date.parse(b.start)), xText: first.map((b) => wall(b.local)), xHeading, series: [
      { label: 'Occupancy', values: sums.map((s) => s.occupancy), format: percent },
    ] });
}

function forecastSection(f: CampaignForecast, zone: string, keep: (c: { close(): void }) => void): HTMLElement {
  const when = (iso: string | null) => (iso ? `${wall(new Date(Date.parse(iso) + zoneClock(zone)!.offsetMs(Date.parse(iso))).toISOString().slice(0, 16))}` : 'not within the calendar');
  if (f.status !== 'forecast' || !f.basis || !f.likely) {
    const why = f.status === 'finished' ? 'The campaign has finished: no member is left.' : `No forecast: ${f.reason ?? f.status}.`;
    return h('section', { class: 'card', id: 'report-forecast' }, h('h2', null, 'Finish forecast'), h('p', null, why));
  }
  const at = Date.parse(f.at);
  const left = f.basis.remaining_members;
  // Members left, falling straight from now to none at each forecast instant.
  const ends = [f.earliest, f.likely, f.latest].map((s) => (s ? Date.parse(s) : null));
  const x = [...new Set([at, ...ends.filter((t): t is number => t !== null)])].sort((a, b) => a - b);
  const line = (end: number | null) => x.map((t) => (end === null ? null : t >= end ? 0 : Math.round(left * (1 - (t - at) / (end - at)))));
  const chart = timeChart({ id: 'report-forecast-table', title: 'Finish forecast: members left', unit: 'members', zone,
    x, xText: x.map((t) => when(new Date(t).toISOString())), xHeading: 'Time', series: [
      { label: 'Earliest', values: line(ends[0]!), format: count },
      { label: 'Likely', values: line(ends[1]!), format: count },
      { label: 'Latest', values: line(ends[2]!), format: count },
    ] });
  keep(chart);
  return h('section', { id: 'report-forecast' },
    h('p', { class: 'forecast' }, `Likely finish ${when(f.likely)} (${zone}); earliest ${when(f.earliest)}, latest ${when(f.latest)}. ` +
      `${left} members left, ${f.basis.attempts_left} attempts expected, at ${f.basis.attempts_per_agent_hour} attempts per agent-hour with ${f.basis.agents} agents.`),
    chart.el);
}
