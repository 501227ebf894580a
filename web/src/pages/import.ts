import { api, authHeaders, toResult } from '../api.js';
import { navigate } from '../router.js';
import { append, clear, h, notice } from '../dom.js';
import { check, clearIssues, enableKeepingFocus, field, fieldError, formErrorsBox, select, showIssues, text } from '../form.js';
import { guessSeparator, guessTargets, looksLikeHeader, parseCsv, TARGETS, type Target } from '../csv-preview.js';
import type { Page } from '../router.js';
import type { Campaign } from '../types.js';

const CHARSETS = ['utf-8', 'windows-1251', 'koi8-r', 'iso-8859-1', 'windows-1252', 'utf-16le'];
const SEPARATORS = [{ value: ',', label: 'Comma ,' }, { value: ';', label: 'Semicolon ;' }, { value: '\\t', label: 'Tab' }, { value: '|', label: 'Pipe |' }];
const PREVIEW_BYTES = 64 * 1024;
const PREVIEW_ROWS = 5;

interface ImportReport {
  inserted: number;
  rejected_count: number;
  rejected: Array<{ line: number; reason: string }>;
}

/** M6: the CSV upload wizard: file, reading options, column mapping with a preview, upload with progress, rejected lines. */
export const importPage: Page = async (main, params) => {
  const id = Number(params.id);
  const c = await api<Campaign>('GET', `/api/v2/dialer/${id}`);
  if (!c.ok) return void main.append(h('p', { class: 'error' }, c.message));

  const file = h('input', { type: 'file', accept: '.csv,.txt,text/csv,text/plain' });
  const charset = select(CHARSETS, 'utf-8');
  const separator = select(SEPARATORS, ',');
  const skipHeader = check(false);
  const autoRun = check(false);
  const mapping = h('div', { class: 'mapping' }, h('p', { class: 'hint' }, 'Choose a file to see its first rows.'));
  const progress = h('progress', { max: 100, value: 0, id: 'upload-progress' });
  const progressText = h('span', { id: 'upload-progress-text', 'aria-live': 'polite' });
  const result = h('section', { 'aria-live': 'polite', id: 'import-result' });
  const upload = h('button', { type: 'submit', disabled: true }, 'Upload');
  let columns: Array<{ target: HTMLSelectElement; varName: HTMLInputElement; priority: HTMLInputElement }> = [];
  /** The user changed the mapping: a new guess (header ticked or not) must not undo it. */
  let mappedByHand = false;

  const form = h('form', { class: 'card wizard', novalidate: true },
    h('h1', null, `Upload members: ${c.data.name}`),
    formErrorsBox(),
    h('fieldset', null, h('legend', null, '1. File'), field('CSV file', file, { path: 'file', hint: 'read in your browser for the preview; the server imports it streamed' })),
    h('fieldset', null, h('legend', null, '2. How to read it'), h('div', { class: 'row' },
      field('Character set', charset, { path: 'charset' }),
      field('Separator', separator, { path: 'separator' }),
      field('First line is a header (skip it)', skipHeader, { path: 'skip_header' }))),
    h('fieldset', null, h('legend', null, '3. Columns'), mapping),
    h('fieldset', null, h('legend', null, '4. Upload'),
      field('Run the campaign after the upload', autoRun, { path: 'autoRun' }),
      h('div', { class: 'progress' }, h('label', { for: progress.id }, 'File sent to the server'), progress, progressText),
      h('div', { class: 'actions' }, upload, ' ', h('a', { href: `/campaigns/${id}/members` }, 'Members of this campaign'))),
    result);

  /** `fresh`: a file was just chosen, so its separator is guessed from its first line. */
  const preview = async (fresh = false) => {
    const f = file.files?.[0];
    clearIssues(form);
    // What is shown below is about the file and options chosen now, not an earlier upload.
    clear(result);
    progress.value = 0;
    progressText.textContent = '';
    if (!f) return;
    let textValue: string;
    let notUtf8 = false;
    try {
      const buf = await f.slice(0, PREVIEW_BYTES).arrayBuffer();
      textValue = new TextDecoder(charset.value).decode(buf);
      if (charset.value === 'utf-8') {
        // stream: a character cut at the end of the slice is not an error.
        try { new TextDecoder('utf-8', { fatal: true }).decode(buf, { stream: true }); } catch { notUtf8 = true; }
      }
    } catch (err) {
      return showIssues(form, 'preview failed', [{ path: 'charset', message: `cannot decode the file as ${charset.value}: ${(err as Error).message}` }], 'No preview');
    }
    if (fresh) {
      const guessed = guessSeparator(textValue);
      if (guessed && guessed !== separator.value) separator.value = guessed;
    }
    // Mis-read names would be stored as they show here: say so before the upload.
    if (notUtf8) fieldError(charset, 'this file is not UTF-8: choose its character set (windows-1251 for most Cyrillic files from Excel)');
    const sep = separator.value === '\\t' ? '\t' : separator.value;
    const rows = parseCsv(textValue, sep, PREVIEW_ROWS + 1, f.size <= PREVIEW_BYTES);
    if (fresh) skipHeader.checked = looksLikeHeader(rows);
    const header = skipHeader.checked ? rows[0] : undefined;
    const body = skipHeader.checked ? rows.slice(1) : rows.slice(0, PREVIEW_ROWS);
    const width = Math.max(1, ...rows.map((r) => r.length));
    const prev = columns.length === width && mappedByHand
      ? columns.map((x) => ({ target: x.target.value as Target, varName: x.varName.value, priority: x.priority.value }))
      : guessTargets(header, width).map((g) => ({ ...g, priority: '' }));
    columns = prev.map((g, i) => {
      const label = header?.[i] ? `"${header[i]}"` : `${i + 1}`;
      const target = select(TARGETS.map((t) => ({ value: t, label: t === '-' ? 'skip' : t === 'var' ? 'variable…' : t })), g.target);
      target.setAttribute('aria-label', `Column ${label} is`);
      const varName = text(g.varName, { size: 10, 'aria-label': `Variable name for column ${label}`, placeholder: 'variable name' });
      // M1: a number column may carry its own priority (number:<p>); empty = by position, left first.
      const priority = h('input', { type: 'number', step: '1', value: g.priority, class: 'short', 'aria-label': `Priority of the numbers in column ${label}`,
        placeholder: 'priority', title: 'optional; higher is dialled first' });
      const sync = () => {
        varName.hidden = target.value !== 'var';
        priority.hidden = target.value !== 'number';
      };
      sync();
      for (const el of [varName, priority]) el.addEventListener('input', () => (mappedByHand = true));
      target.addEventListener('change', () => {
        mappedByHand = true;
        sync();
        if (!varName.hidden) varName.focus();
      });
      return { target, varName, priority };
    });
    if (columns[0]) columns[0].target.dataset.path = 'columns';
    clear(mapping);
    const head = h('tr', null, columns.map((col, i) =>
      h('th', { scope: 'col' }, header?.[i] ? h('div', { class: 'muted' }, header[i]) : `Column ${i + 1}`, col.target, ' ', col.varName, col.priority)));
    const rowsEl = body.map((r) => h('tr', null, Array.from({ length: width }, (_v, i) => h('td', null, r[i] ?? ''))));
    mapping.append(
      h('p', { class: 'hint' }, `Map each column. At least one must be a number; several number columns are dialled left first unless you give them priorities (higher first). Preview of the first ${body.length} row(s):`),
      h('div', { class: 'scroll' }, h('table', { class: 'grid preview' }, h('thead', null, head), h('tbody', null, rowsEl))));
    upload.disabled = false;
  };
  file.addEventListener('change', () => { columns = []; mappedByHand = false; void preview(true); });
  for (const el of [charset, separator]) el.addEventListener('change', () => { columns = []; mappedByHand = false; void preview(); });
  // Ticking "header" changes which rows are data, not what the columns are.
  skipHeader.addEventListener('change', () => void preview());

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = file.files?.[0];
    if (!f) return showIssues(form, 'no file', [{ path: 'file', message: 'choose a CSV file first' }], 'Not uploaded');
    const mapped = columns.map((x) => (x.target.value === 'var' ? `var:${x.varName.value.trim()}`
      : x.target.value === 'number' && x.priority.value.trim() !== '' ? `number:${x.priority.value.trim()}` : x.target.value));
    const q = new URLSearchParams({ charset: charset.value, separator: separator.value, skip_header: String(skipHeader.checked),
      columns: mapped.join(',') });
    if (autoRun.checked) q.set('autoRun', 'true');
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v2/dialer/${id}/members/import?${q}`);
    for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
    xhr.setRequestHeader('Content-Type', 'text/csv');
    xhr.timeout = 15 * 60_000;
    xhr.upload.onprogress = (ev) => {
      if (!ev.lengthComputable) return;
      progress.value = Math.round((ev.loaded / ev.total) * 100);
      progressText.textContent = ` ${progress.value}% of the file sent`;
    };
    // The bar measures bytes sent; the server imports as it reads and answers when it is done.
    xhr.upload.onload = () => {
      progressText.textContent = ' file sent; the server is finishing the import…';
    };
    xhr.onload = () => {
      enableKeepingFocus(upload);
      progress.value = 100;
      progressText.textContent = ' file sent; import finished';
      const r = toResult<ImportReport>(xhr.status, xhr.responseText, 'import');
      if (r.ok) {
        clearIssues(form);
        showReport(result, r.data, null);
        return result.append(nextSteps(id, c.data.name, autoRun.checked));
      }
      if (r.code === 'BAD_CSV') {
        clearIssues(form);
        return showReport(result, r.details as ImportReport, r.message);
      }
      clear(result);
      showIssues(form, r.message, r.issues, 'Not uploaded');
    };
    xhr.onerror = xhr.ontimeout = () => {
      enableKeepingFocus(upload);
      progressText.textContent = ' failed: the server did not answer';
    };
    upload.disabled = true;
    progress.value = 0;
    progressText.textContent = ' 0% of the file sent';
    clear(result);
    xhr.send(f);
  });
  main.append(form);
};

function showReport(box: HTMLElement, r: ImportReport, stopped: string | null): void {
  clear(box);
  append(box, [h('h2', null, 'Result'),
    stopped ? h('p', { class: 'error', role: 'alert' }, `The import stopped: ${stopped}`) : null,
    h('p', { id: 'import-summary' }, `${r.inserted} member(s) added, ${r.rejected_count} line(s) rejected.`)]);
  if (r.rejected.length) {
    box.append(h('table', { id: 'rejected-lines' }, h('caption', null, r.rejected_count > r.rejected.length ? `First ${r.rejected.length} rejected lines` : 'Rejected lines'),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Line'), h('th', { scope: 'col' }, 'Reason'))),
      h('tbody', null, r.rejected.map((x) => h('tr', null, h('td', null, x.line), h('td', null, x.reason))))));
  }
}

/** What a supervisor does after an upload: run the campaign, or go back to it. */
function nextSteps(id: number, name: string, started: boolean): HTMLElement {
  const run = h('button', { type: 'button', onclick: async () => {
    const r = await api<Campaign>('POST', `/api/v2/dialer/${id}/run`);
    if (!r.ok) return notice(r.message, 'error');
    notice(`Campaign "${name}" is ${r.data.state}`);
    navigate(`/campaigns/${id}`);
  } }, 'Run campaign');
  return h('p', { class: 'actions', id: 'import-next' }, started ? null : [run, ' '], h('a', { href: `/campaigns/${id}` }, 'Back to campaign'));
}
