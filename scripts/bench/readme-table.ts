import { resolve } from 'node:path';
import { ExitCode } from '../../src/errors.js';
import { helpShown, runScript, scriptArgs } from './cli.js';
import { DEFAULT_BASELINE, README } from './paths.js';
import { updateReadme } from './readme.js';
import { readResult } from './result.js';

const USAGE = `Usage: npm run bench:readme [-- RESULT] [--readme FILE]

Rewrites the benchmark table in README.md's bench section (between its markers) from the
committed baseline (default bench/baselines.json) or another result file: date, machine, and
one row per benchmark. A test checks that README.md shows the baseline's table.

Example: npm run bench:readme`;

async function main(argv: string[]): Promise<number> {
  const args = await scriptArgs(argv, USAGE)
    .positional('RESULT', { type: 'string' })
    .option('readme', { type: 'string', default: README, defaultDescription: 'README.md' })
    .command('$0 [RESULT]', false)
    .parseAsync();
  if (helpShown(args)) return ExitCode.ok;
  const path = (args.RESULT as string | undefined) ?? DEFAULT_BASELINE;
  updateReadme(args.readme, readResult(resolve(path)));
  process.stdout.write(`${args.readme}: bench table rewritten from ${path}\n`);
  return ExitCode.ok;
}

runScript('bench:readme', main);
