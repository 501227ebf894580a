/** The demo's REST client: every call checks its status, so a broken step stops the demo loudly. */
export class DemoClient {
  #headers: Record<string, string> = {};
  constructor(private readonly url: string) {}

  async login(username: string, password: string): Promise<void> {
    const r = await this.#send('POST', '/login', { username, password }, [200]);
    this.#headers = { 'x-key': r.key, 'x-access-token': r.token };
  }

  get(path: string) { return this.#send('GET', path, undefined, [200]); }
  post(path: string, body?: unknown) { return this.#send('POST', path, body, [200, 201]); }
  put(path: string, body: unknown, ok = [200]) { return this.#send('PUT', path, body, ok); }

  async upload(path: string, csv: string): Promise<any> {
    const res = await fetch(this.url + path, { method: 'POST', headers: { ...this.#headers, 'content-type': 'text/csv' }, body: csv });
    const body = await res.json();
    if (res.status !== 200) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  }

  async #send(method: string, path: string, body: unknown, ok: number[]): Promise<any> {
    const res = await fetch(this.url + path, {
      method,
      headers: { ...this.#headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? null : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    const parsed = text ? JSON.parse(text) : undefined;
    if (!ok.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return parsed;
  }
}
