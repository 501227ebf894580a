import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { webRoutes } from '../../src/adapters/http/web-routes.js';
import { startTestApi, type TestApi } from '../helpers/http-api.js';

/** The raw answer: status, headers and the bytes as sent (Node's fetch would inflate them). */
function get(url: string, acceptEncoding?: string): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: acceptEncoding ? { 'Accept-Encoding': acceptEncoding } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('web client assets are sent compressed (issue 13 §3)', function () {
  this.timeout(30_000);
  let api: TestApi;
  let dist: string;
  const js = Buffer.from('console.log("the web client");\n'.repeat(50));

  before(async () => {
    dist = mkdtempSync(join(tmpdir(), 'dialer-dist-'));
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>x</title>');
    writeFileSync(join(dist, 'assets', 'index-abc.js'), js);
    writeFileSync(join(dist, 'assets', 'index-abc.js.br'), brotliCompressSync(js));
    writeFileSync(join(dist, 'assets', 'index-abc.js.gz'), gzipSync(js));
    api = await startTestApi('web_precompressed', { extraRouters: [webRoutes(dist)] });
  });
  after(async () => {
    await api?.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('brotli when accepted, else gzip, else the plain file; typed as the asset, immutable, Vary: Accept-Encoding', async () => {
    const url = `${api.url}/assets/index-abc.js`;
    const br = await get(url, 'gzip, deflate, br');
    expect(br.headers).to.include({ 'content-encoding': 'br', vary: 'Accept-Encoding' });
    expect(br.headers['content-type']).to.match(/^text\/javascript|^application\/javascript/);
    expect(br.headers['cache-control']).to.include('immutable');
    expect(br.body.equals(readFileSync(join(dist, 'assets', 'index-abc.js.br')))).to.equal(true);
    const gz = await get(url, 'gzip');
    expect(gz.headers['content-encoding']).to.equal('gzip');
    expect(gz.body.equals(readFileSync(join(dist, 'assets', 'index-abc.js.gz')))).to.equal(true);
    const plain = await get(url, 'identity');
    expect(plain.headers['content-encoding']).to.equal(undefined);
    expect(plain.headers.vary).to.equal('Accept-Encoding');
    expect(plain.body.equals(js)).to.equal(true);
  });

  it('the build writes a .br and a .gz beside each script and style sheet', () => {
    // web/dist of this checkout, built by `npm run build` (npm ci runs it).
    const assets = join(process.cwd(), 'web', 'dist', 'assets');
    const names = readdirSync(assets);
    const code = names.filter((n) => /\.(js|css)$/.test(n));
    expect(code).to.not.be.empty;
    for (const n of code) expect(names).to.include.members([`${n}.br`, `${n}.gz`]);
  });
});
