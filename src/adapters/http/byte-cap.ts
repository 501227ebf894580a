import { Transform } from 'node:stream';

/** What a ByteCap fails with once more than its limit went through. */
export class TooManyBytes extends Error {
  override name = 'TooManyBytes';
  constructor(readonly limit: number) {
    super(`more than ${limit} bytes`);
  }
}

/**
 * Passes bytes through and fails with TooManyBytes at the first chunk past
 * `limit` (SPEC S5). Put after an inflater, it counts inflated bytes as they
 * flow, so a gzip bomb is cut off after `limit` bytes instead of inflating
 * whole: the inflater only works as fast as this stream is read.
 */
export class ByteCap extends Transform {
  readonly #limit: number;
  #seen = 0;

  constructor(limit: number) {
    super();
    this.#limit = limit;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null, data?: Buffer) => void): void {
    this.#seen += chunk.length;
    if (this.#seen > this.#limit) cb(new TooManyBytes(this.#limit));
    else cb(null, chunk);
  }
}
