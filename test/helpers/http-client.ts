export interface Credentials {
  key: string;
  token: string;
}

export interface HttpAnswer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** Plain fetch with JSON in and out, and the API's key + token headers. */
export function httpClient(url: string) {
  const send = async (method: string, path: string, body: BodyInit | undefined, contentType: string | undefined,
    auth: Credentials | null, extra: Record<string, string> = {}): Promise<HttpAnswer> => {
    const headers: Record<string, string> = { ...extra };
    if (contentType) headers['content-type'] = contentType;
    if (auth) {
      headers['x-key'] = auth.key;
      headers['x-access-token'] = auth.token;
    }
    const res = await fetch(url + path, { method, headers, body: body ?? null, signal: AbortSignal.timeout(60_000) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  const login = async (username: string, password: string): Promise<Credentials> => {
    const r = await send('POST', '/login', JSON.stringify({ username, password }), 'application/json', null);
    if (r.status !== 200) throw new Error(`login of ${username} failed: ${r.status} ${JSON.stringify(r.body)}`);
    return { key: r.body.key, token: r.body.token };
  };
  return { send, login };
}
