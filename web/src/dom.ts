/** A tiny element builder: the whole "framework" of the web client. */
type Child = Node | string | number | null | undefined | false | Child[];
type Props = Record<string, unknown>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props | null = null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v as EventListener);
    else if (k === 'class') el.className = String(v);
    else if (k === 'value' || k === 'checked' || k === 'selected' || k === 'disabled' || k === 'hidden' || k === 'multiple') {
      (el as unknown as Record<string, unknown>)[k] = v;
    } else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

let seq = 0;
/** A unique element id (labels, aria-describedby). */
export function uid(prefix: string): string {
  return `${prefix}-${++seq}`;
}

let fresh = false;

/** Hides the notice unless the action that led here just posted it (e.g. "deleted", then back to the list). */
export function clearStaleNotice(): void {
  if (!fresh) hideNotice();
}

/** Hides the notice (a "saved" that an error shown since would contradict). */
export function hideNotice(): void {
  const box = document.getElementById('notice');
  if (!box) return;
  clearTimeout(Number(box.dataset.timer));
  box.textContent = '';
  box.className = 'notice';
}

/** Shows a short message to screen readers and sighted users, in the live region of index.html (role=status, polite). */
export function notice(text: string, kind: 'ok' | 'error' = 'ok'): void {
  let box = document.getElementById('notice');
  if (!box) {
    box = h('div', { id: 'notice', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
    document.body.appendChild(box);
  }
  box.className = `notice ${kind}`;
  box.textContent = text;
  // Posted by the action now running: a navigation it starts in the same task keeps it.
  fresh = true;
  setTimeout(() => (fresh = false));
  clearTimeout(Number(box.dataset.timer));
  box.dataset.timer = String(setTimeout(() => { box!.textContent = ''; box!.className = 'notice'; }, 6000));
}

export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}
