import { clearSession, currentSession } from './session.js';

/** One field problem from a 400 answer: `path` names it (`body.windows.0.end`). */
export interface Issue {
  path: string;
  message: string;
}

export type ApiResult<T> =
  | { ok: true; status: number; data: T }
  | { ok: false; status: number; code: string; message: string; issues: Issue[]; details: unknown };

/** Called when the server says the login is over (401). */
let onUnauthorized: (message: string) => void = () => undefined;
export function setUnauthorizedHandler(fn: (message: string) => void): void {
  onUnauthorized = fn;
}

export function authHeaders(): Record<string, string> {
  const s = currentSession();
  return s ? { 'X-Key': s.key, 'X-Access-Token': s.token } : {};
}

/** JSON request to the REST API; failures are values, not exceptions. `timeoutMs`: longer for work over a whole campaign. */
export async function api<T = unknown>(method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { ...authHeaders(), Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? null : JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    return { ok: false, status: 0, code: 'NETWORK', message: `the server did not answer (${(err as Error).message})`, issues: [], details: null };
  }
  return toResult<T>(res.status, await res.text(), path);
}

const NOT_A_LOGIN = new Set(['/api/v2/session/login', '/api/v2/session/resume']);

export function toResult<T>(status: number, text: string, path = ''): ApiResult<T> {
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  if (status >= 200 && status < 300) return { ok: true, status, data: parsed as T };
  const e = (parsed as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
  const details = e?.details ?? null;
  const issues = Array.isArray((details as { issues?: unknown })?.issues) ? (details as { issues: Issue[] }).issues : [];
  const out = { ok: false as const, status, code: e?.code ?? 'HTTP', message: e?.message ?? `HTTP ${status}`, issues, details };
  // A refused log-in is an answer for the form, not the end of a login.
  if (status === 401 && !NOT_A_LOGIN.has(path)) {
    clearSession();
    onUnauthorized(out.message);
  }
  return out;
}

/**
 * A file from the REST API saved by the browser as `filename` (the credentials are headers, so a
 * plain link cannot fetch it). An error answer is a value, as for api().
 */
export async function download(path: string, filename: string): Promise<ApiResult<null>> {
  let res: Response;
  try {
    res = await fetch(path, { headers: authHeaders() });
    if (!res.ok) return toResult<null>(res.status, await res.text(), path);
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    return { ok: true, status: res.status, data: null };
  } catch (err) {
    return { ok: false, status: 0, code: 'NETWORK', message: `the server did not answer (${(err as Error).message})`, issues: [], details: null };
  }
}
