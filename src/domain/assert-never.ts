/** Ends an exhaustive `switch`: a new union member fails the build here (STYLE §2.3). */
export function assertNever(x: never): never {
  throw new Error(`unexpected value ${JSON.stringify(x)}`);
}
