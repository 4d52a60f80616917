import { resolve } from 'node:path';
import { DuctError, ExitCode } from '../../src/errors.js';
import { helpShown, runScript, scriptArgs } from './cli.js';
import { DEFAULT_RESULTS_DIR, README } from './paths.js';
import { updateReadme } from './readme.js';
import { listResults, readResult } from './result.js';

const USAGE = `Usage: node dist/scripts/bench/readme-table.js [RESULT] [--readme FILE]

Rewrites the benchmark table in README.md's bench section (between its markers) from a
result file (default: the newest in bench/results/): date, machine, and one row per benchmark.

Example: node dist/scripts/bench/readme-table.js bench/baselines.json`;

async function main(argv: string[]): Promise<number> {
  const args = await scriptArgs(argv, USAGE)
    .positional('RESULT', { type: 'string' })
    .option('readme', { type: 'string', default: README, defaultDescription: 'README.md' })
    .command('$0 [RESULT]', false)
    .parseAsync();
  if (helpShown(args)) return ExitCode.ok;
  let path = args.RESULT as string | undefined;
  if (path === undefined) {
    path = listResults(DEFAULT_RESULTS_DIR)?.results.at(-1)?.path;
    if (path === undefined) throw new DuctError('E_INPUT', `no bench result in ${DEFAULT_RESULTS_DIR}; run \`npm run bench\` first, or name a result file`, ExitCode.usage);
  }
  updateReadme(args.readme, readResult(resolve(path)));
  process.stdout.write(`${args.readme}: bench table rewritten from ${path}\n`);
  return ExitCode.ok;
}

runScript('bench:readme', main);
