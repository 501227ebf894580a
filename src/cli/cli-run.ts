import { ConfigError } from '../config.js';

/** A bad command line: its message and the usage go to stderr, exit code 1. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Runs a command-line tool's `run` and sets the exit code it returns. A usage error prints the
 * usage, a configuration error names the variable, anything else is `<what> failed: …`; all exit 1.
 */
export function runCli(what: string, usage: string, run: (argv: string[]) => Promise<number>): void {
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      if (err instanceof UsageError) process.stderr.write(`${err.message}\n\n${usage}`);
      else if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
      else process.stderr.write(`${what} failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
