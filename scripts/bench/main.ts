import { join, resolve } from 'node:path';
import { DUCT_VERSION } from '../../src/version.js';
import { ExitCode } from '../../src/errors.js';
import { ensureWritableDir, writeJsonAtomic } from './baseline.js';
import { helpShown, positiveInt, runScript, scriptArgs } from './cli.js';
import { discoverBenchmarks, selectBenchmarks } from './discover.js';
import { gitState, machineInfo } from './machine.js';
import { DEFAULT_BENCHMARKS_DIR, DEFAULT_RESULTS_DIR, DUCT_BIN, REPO_ROOT } from './paths.js';
import { resultTable } from './report.js';
import { resultFileName, type BenchResult } from './result.js';
import { runBenchmarks } from './runner.js';

const DEFAULT_REPEATS = 5;
const QUICK_REPEATS = 1;

const USAGE = `Usage: npm run bench [-- --only NAME,...] [--repeats N] [--quick]

Runs every benchmark module in dist/scripts/bench/benchmarks/ (each figure a ratio against its
reference measured in the same run, where one exists), writes bench/results/<timestamp>-<commit>.json
and prints a table. A benchmark that cannot run on this machine is skipped with the reason.
--only takes benchmark names or module names. Exits 1 when a benchmark failed.

Example: npm run bench -- --only passthrough --repeats 3`;

/** Progress goes to stderr only when a person is watching it. */
function progressWriter(): (msg: string) => void {
  return process.stderr.isTTY ? (msg) => process.stderr.write(`bench: ${msg}\n`) : () => undefined;
}

async function main(argv: string[]): Promise<number> {
  const args = await scriptArgs(argv, USAGE)
    .option('only', { type: 'string', array: true, describe: 'benchmark or module names, comma-separated' })
    .option('repeats', { type: 'string', describe: `repeats per benchmark (default ${DEFAULT_REPEATS}, --quick ${QUICK_REPEATS})` })
    .option('quick', { type: 'boolean', default: false, describe: 'smoke run: smaller inputs, one repeat; left out of the CV report' })
    .option('list', { type: 'boolean', default: false, describe: 'list the benchmarks and exit' })
    .option('results', { type: 'string', default: DEFAULT_RESULTS_DIR, defaultDescription: 'bench/results' })
    .option('benchmarks-dir', { type: 'string', default: DEFAULT_BENCHMARKS_DIR, hidden: true })
    .parseAsync();
  if (helpShown(args)) return ExitCode.ok;
  const only = args.only ? args.only.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean) : null;
  const repeats = args.repeats === undefined ? (args.quick ? QUICK_REPEATS : DEFAULT_REPEATS) : positiveInt(args.repeats, '--repeats');

  const { found, broken } = await discoverBenchmarks(resolve(args['benchmarks-dir']));
  const selected = selectBenchmarks(found, only, broken.map((b) => b.module));
  for (const b of broken) process.stderr.write(`bench: module ${b.module} failed to import: ${b.error}\n`);
  if (args.list) {
    for (const f of selected) process.stdout.write(`${f.benchmark.name}\t${f.module}\t${f.benchmark.unit}\t${f.benchmark.target}\t${f.benchmark.description}\n`);
    return ExitCode.ok;
  }

  ensureWritableDir(args.results);
  const timestamp = new Date().toISOString();
  const [machine, git] = [await machineInfo(), gitState(REPO_ROOT)];
  const ran = await runBenchmarks(selected, { root: REPO_ROOT, ductBin: DUCT_BIN, repeats, quick: args.quick, progress: progressWriter() });
  const result: BenchResult = {
    result_version: 1,
    timestamp,
    duct_version: DUCT_VERSION,
    git,
    machine,
    options: { repeats, quick: args.quick, only },
    ...ran,
  };
  // a module that would not import is a failure of the run, under the module's name
  for (const b of only === null ? broken : broken.filter((x) => only.includes(x.module))) result.failed[`${b.module} (module)`] = `failed to import: ${b.error}`;
  const path = join(args.results, resultFileName(timestamp, git.commit));
  writeJsonAtomic(path, result);
  process.stdout.write(resultTable(result));
  process.stdout.write(`\nresult: ${path}\n`);
  return Object.keys(result.failed).length > 0 ? ExitCode.failure : ExitCode.ok;
}

runScript('bench', main);
