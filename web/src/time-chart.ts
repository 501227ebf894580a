import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h, uid } from './dom.js';

/*
 * Q4: a time chart (uPlot) with its figures as a table beside it. The canvas is one picture for
 * a screen reader (role=img, its name says what it shows and that the table has the numbers);
 * the table is the text alternative and what a keyboard user reads. Colours are Okabe–Ito's
 * colour-blind-safe set, and each series has its own dash and point shape as well, so it is told
 * apart without colour too.
 */

/** Okabe & Ito (2008): blue, vermillion, bluish green, reddish purple, orange. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00'] as const;
const DASHES: Array<number[] | undefined> = [undefined, [8, 4], [2, 3], [12, 3, 2, 3], [4, 4]];

export interface ChartSeries {
  label: string;
  /** One value per x, null where there is none (a gap, not a zero). */
  values: Array<number | null>;
  /** How a value is printed in the legend and the table. */
  format: (v: number) => string;
}

export interface TimeChart {
  title: string;
  /** The y axis's label, with its unit: "attempts", "%", "members". */
  unit: string;
  zone: string;
  /** Instants of the x values (ms), and how each is written in the table's first column. */
  x: number[];
  xText: string[];
  xHeading: string;
  series: ChartSeries[];
  /** Table id, for links and tests. */
  id: string;
}

const WIDTH = 860;

/** The chart and its table, in a figure; `draw()` makes the chart once the figure is in the page. */
export function timeChart(c: TimeChart): { el: HTMLElement; close(): void } {
  const captionId = uid('chart');
  const plotBox = h('div', { class: 'chart-plot', role: 'img',
    'aria-label': `${c.title}: chart of ${c.series.map((s) => s.label).join(', ')} (${c.unit}) by time in ${c.zone}; the table below has the figures.` });
  const table = h('table', { id: c.id, class: 'inner chart-table' },
    h('caption', null, `${c.title} (${c.unit}), by ${c.xHeading.toLowerCase()} in ${c.zone}`),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, c.xHeading), c.series.map((s) => h('th', { scope: 'col' }, s.label)))),
    h('tbody', null, c.x.map((_x, i) => h('tr', null, h('th', { scope: 'row' }, c.xText[i] ?? ''),
      c.series.map((s) => {
        const v = s.values[i];
        return h('td', { class: 'num' }, v === null || v === undefined ? '–' : s.format(v));
      })))));
  const el = h('figure', { class: 'chart card', 'aria-labelledby': captionId },
    h('figcaption', { id: captionId }, h('h2', null, c.title)), plotBox, // A scrolling box: focusable and named, so the keyboard can scroll it (WCAG 2.1.1).
    h('div', { class: 'scroll chart-table-box', tabindex: 0, role: 'region', 'aria-label': `Table: ${c.title}` }, table));

  const opts: uPlot.Options = {
    width: Math.min(WIDTH, Math.max(320, (document.querySelector('main')?.clientWidth ?? WIDTH) - 48)),
    height: 280,
    // The axis and the legend show the campaign's wall clock, not the browser's.
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), c.zone),
    scales: { x: { time: true } },
    series: [
      { label: 'Time' },
      ...c.series.map((s, i): uPlot.Series => ({
        label: `${s.label} (${c.unit})`,
        stroke: PALETTE[i % PALETTE.length],
        width: 2,
        ...(DASHES[i % DASHES.length] ? { dash: DASHES[i % DASHES.length] } : {}),
        points: { show: true, size: 6 + 2 * (i % 3), fill: i % 2 ? '#fff' : PALETTE[i % PALETTE.length] },
        value: (_u, v) => (v === null || v === undefined ? '–' : s.format(v)),
        spanGaps: false,
      })),
    ],
    axes: [
      { label: `Time (${c.zone})`, stroke: '#1d2330', grid: { stroke: '#d9dde4' } },
      { label: c.unit, stroke: '#1d2330', grid: { stroke: '#d9dde4' }, size: 60 },
    ],
    legend: { show: true, live: true },
    cursor: { drag: { x: false, y: false } },
  };
  const data: uPlot.AlignedData = [c.x.map((t) => t / 1000), ...c.series.map((s) => s.values)];
  let plot: uPlot | undefined = new uPlot(opts, data, plotBox);
  // uPlot's legend is a table of its own: it describes the picture, the real table is below.
  plotBox.querySelector('.u-legend')?.setAttribute('aria-hidden', 'true');
  return {
    el,
    close: () => {
      plot?.destroy();
      plot = undefined;
    },
  };
}
