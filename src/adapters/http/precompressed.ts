import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { NextFunction, Request, Response } from 'express';

/*
 * The web client's assets are compressed once, at build time (web/vite.config.ts writes
 * `<file>.br` and `<file>.gz` beside each), and sent as they are: no CPU per request on a
 * machine that is dialling, brotli at its best level, and no compression package to add. A
 * browser that takes neither encoding gets the plain file from express.static after this.
 */

const ENCODINGS = [['br', '.br'], ['gzip', '.gz']] as const;

/** Serves `<dir>/<path>.br` or `.gz` when the client accepts it and the build wrote it. */
export function precompressed(dir: string, headers: Record<string, string>) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    // The answer differs by Accept-Encoding, compressed or not: caches must keep them apart.
    res.vary('Accept-Encoding');
    // Built asset names only (letters, digits, dash, dot): anything else is express.static's.
    const rel = req.path.slice(1);
    if (!/^[\w-]+(\.[\w-]+)+$/.test(rel)) return next();
    // Brotli first when the browser takes both (it lists them in no order of preference).
    const pick = ENCODINGS.find(([e, suffix]) => req.acceptsEncodings(e) === e && existsSync(join(dir, rel + suffix)));
    if (!pick) return next();
    res.setHeader('Content-Encoding', pick[0]);
    res.type(extname(rel));
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.sendFile(rel + pick[1], { root: dir, dotfiles: 'deny' }, (err) => err && next());
  };
}
