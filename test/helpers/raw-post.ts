import { request } from 'node:http';
import type { Readable } from 'node:stream';

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/**
 * POSTs bytes (or a stream) with node:http and reads the answer even when the server answers and
 * closes before the whole body was sent (a refused upload): fetch reports that as a network error.
 */
export function rawPost(url: string, path: string, body: Buffer | Readable, headers: Record<string, string>): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url + path, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON: kept as text
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
      res.on('error', reject);
    });
    // The server may close while the body is still being written; the answer decides.
    let writeError: Error | undefined;
    req.on('error', (err) => {
      writeError = err;
      setTimeout(() => reject(writeError), 2000).unref();
    });
    req.setTimeout(120_000, () => req.destroy(new Error('no answer within 120 s')));
    if (Buffer.isBuffer(body)) req.end(body);
    else body.pipe(req);
  });
}
