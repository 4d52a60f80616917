import yargs, { type Argv } from 'yargs';
import { DuctError, isDuctError } from '../../src/errors.js';

/** yargs for a bench script: strict, and a usage error becomes a DuctError (exit 2) instead of yargs' own exit. */
export function scriptArgs(argv: string[], usage: string): Argv {
  return yargs(argv)
    .scriptName('')
    .usage(usage)
    .strict()
    .help()
    .version(false)
    .wrap(null)
    .exitProcess(false)
    .fail((msg: string | null, err: Error | null) => {
      if (err && isDuctError(err)) throw err;
      throw new DuctError('E_USAGE', msg ?? err?.message ?? 'invalid usage');
    });
}

/** One place prints a bench script's errors (`<name>: message`) and sets the exit status. */
export function runScript(name: string, body: (argv: string[]) => Promise<number>): void {
  // a reader that went away (`| head`) has all it wanted: stop writing, no stack trace
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
  });
  body(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      if (isDuctError(err)) {
        process.stderr.write(`${name}: ${err.message}\n`);
        process.exitCode = err.exitCode;
        return;
      }
      process.stderr.write(`${name}: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}

/** Parse a positive integer option, naming the option and what is valid on failure. */
export function positiveInt(value: unknown, what: string, min = 1): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < min) throw new DuctError('E_OPTION_VALUE', `${what} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  return n;
}

/** True when --help was asked: yargs printed it already and the script should just exit 0. */
export function helpShown(parsed: Record<string, unknown>): boolean {
  return parsed.help === true;
}
