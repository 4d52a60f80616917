import { existsSync } from 'node:fs';
import { ExitCode } from '../../src/errors.js';
import { helpShown, positiveInt, runScript, scriptArgs } from './cli.js';
import { planReport, sourceText, verdictText } from './cv.js';
import { MIN_RUNS_FOR_GRADUATION, readGates, unknownHardGates } from './gates.js';
import { DEFAULT_BASELINE, DEFAULT_GATES, DEFAULT_RESULTS_DIR } from './paths.js';
import { listResults, readResult, type BenchResult } from './result.js';
import { formatFigure, formatPct, renderTable } from './table.js';

const USAGE = `Usage: npm run bench:cv-report [-- N] [--results DIR] [--baseline FILE] [--gates FILE]

Reads the last N result files (default 10) and prints, per benchmark, the mean, the sample
standard deviation and the CV% of its figure across those runs, marked OK (below the
benchmark's cv_threshold_pct in bench/gates.json) or OVER (graduation blocked). A soft gate that
is OK over at least ${MIN_RUNS_FOR_GRADUATION} runs may become hard (see README.md, "Benchmarks").
With fewer result files than N it falls back to the baseline's repeats and says so.
--quick results are left out. Always exits 0, except on bad usage or a named --results
directory that is missing or holds no result (exit 2).

Example: npm run bench:cv-report -- 20`;

async function main(argv: string[]): Promise<number> {
  const args = await scriptArgs(argv, USAGE)
    .positional('N', { type: 'string' })
    .option('results', { type: 'string', describe: 'directory of result files', defaultDescription: 'bench/results' })
    .option('baseline', { type: 'string', default: DEFAULT_BASELINE, defaultDescription: 'bench/baselines.json' })
    .option('gates', { type: 'string', default: DEFAULT_GATES, defaultDescription: 'bench/gates.json' })
    .command('$0 [N]', false)
    .parseAsync();
  if (helpShown(args)) return ExitCode.ok;
  const window = args.N === undefined ? MIN_RUNS_FOR_GRADUATION : positiveInt(args.N, 'N (how many recent result files)', 2);
  const explicitDir = args.results !== undefined;
  const dir = args.results ?? DEFAULT_RESULTS_DIR;

  const listed = listResults(dir);
  for (const bad of listed?.invalid ?? []) process.stderr.write(`bench:cv-report: skipping ${bad.reason}\n`);
  const all = listed?.results.map((r) => r.result) ?? [];
  const baseline: BenchResult | null = existsSync(args.baseline) ? readResult(args.baseline) : null;
  const gates = readGates(args.gates);
  const plan = planReport({ dir, explicitDir, all, dirExists: listed !== null, window, baseline, baselinePath: args.baseline, gates });
  const { rows } = plan;
  const unknown = unknownHardGates(gates, [...all.flatMap((r) => [...Object.keys(r.benchmarks), ...Object.keys(r.skipped ?? {}), ...Object.keys(r.failed ?? {})]), ...Object.keys(baseline?.benchmarks ?? {})]);
  const warnings = unknown.map((n) => `warning: ${args.gates} declares a hard gate for "${n}", a benchmark in no result and not in the baseline (a typo leaves that gate unapplied)`);
  process.stdout.write([...plan.preamble, ...warnings, ''].join('\n') + '\n');
  if (rows.length > 0) {
    process.stdout.write(
      renderTable(
        ['benchmark', 'unit', 'source', 'n', 'mean', 'stdev', 'CV%', 'gate', 'verdict'],
        rows.map((r) => [
          r.name,
          r.unit,
          sourceText(r.source),
          String(r.summary.n),
          formatFigure(r.summary.mean),
          formatFigure(r.summary.stdev),
          formatPct(r.summary.cvPct, 2),
          r.mode,
          verdictText(r),
        ]),
        new Set([3, 4, 5, 6]),
      ),
    );
  }
  const eligible = rows.filter((r) => r.mayGraduate).map((r) => r.name);
  const rule = `CV below its threshold over at least ${MIN_RUNS_FOR_GRADUATION} runs`;
  process.stdout.write(
    eligible.length
      ? `\nmay graduate to a hard gate (${rule}): ${eligible.join(', ')}; set its "mode" to "hard" in bench/gates.json\n`
      : `\nno soft gate may graduate yet (that needs ${rule})\n`,
  );
  return ExitCode.ok;
}

runScript('bench:cv-report', main);
