/** History API routing: `/campaigns/:id` patterns, links navigate without reloading. */
export type Cleanup = () => void;
/**
 * A page renders into `view`, an element of its own: when the user moves on, `view` is taken
 * out of the document and `signal` aborts, so whatever a late answer renders lands nowhere.
 */
export type Page = (view: HTMLElement, params: Record<string, string>, signal: AbortSignal) => Promise<Cleanup | void> | Cleanup | void;

interface Route {
  re: RegExp;
  keys: string[];
  page: Page;
  title: string;
}

const routes: Route[] = [];
let render: (page: Page, params: Record<string, string>, title: string) => void = () => undefined;

export function route(pattern: string, title: string, page: Page): void {
  const keys: string[] = [];
  const re = new RegExp(`^${pattern.replace(/:([a-z]+)/g, (_m, k: string) => {
    keys.push(k);
    return '([^/]+)';
  })}/?$`);
  routes.push({ re, keys, page, title });
}

export function onRoute(fn: typeof render): void {
  render = fn;
}

export function navigate(path: string, replace = false): void {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  resolve();
}

export function resolve(): void {
  const path = location.pathname;
  for (const r of routes) {
    const m = r.re.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    r.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1]!)));
    render(r.page, params, r.title);
    return;
  }
  render(notFound, {}, 'Not found');
}

const notFound: Page = (main) => {
  main.textContent = 'This page does not exist.';
};

function focusTarget(id: string): void {
  const target = document.getElementById(id);
  if (!target) return;
  if (!target.hasAttribute('tabindex')) target.tabIndex = -1;
  target.focus();
  target.scrollIntoView({ block: 'start' });
}

export function startRouter(): void {
  window.addEventListener('popstate', resolve);
  document.addEventListener('click', (e) => {
    const a = (e.target as Element | null)?.closest('a');
    if (!a || a.target || a.hasAttribute('download') || e.defaultPrevented || e.button !== 0) return;
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || a.dataset.external !== undefined) return;
    e.preventDefault();
    // An in-page link (the "Skip to content" link): move focus there, no route, no history entry.
    if (url.hash && url.pathname === location.pathname && url.search === location.search) {
      focusTarget(decodeURIComponent(url.hash.slice(1)));
      return;
    }
    navigate(url.pathname + url.search);
  });
  resolve();
}
