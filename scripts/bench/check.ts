import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DuctError, ExitCode } from '../../src/errors.js';
import { toBaseline, writeJsonAtomic } from './baseline.js';
import { helpShown, runScript, scriptArgs } from './cli.js';
import { compareToBaseline, hardFailures, statusText, toleranceText } from './compare.js';
import { readGates, unknownHardGates } from './gates.js';
import { DEFAULT_BASELINE, DEFAULT_GATES, DEFAULT_RESULTS_DIR } from './paths.js';
import { listResults, readResult, type BenchResult } from './result.js';
import { formatFigure, formatPct, renderTable } from './table.js';

const USAGE = `Usage: npm run bench:check [-- RESULT] [--baseline FILE] [--gates FILE] [--results DIR] [--update-baseline]

Compares a bench result (default: the newest in bench/results/) with bench/baselines.json and
reports, per benchmark, OK or a regression beyond its tolerance. Exits 1 only when a benchmark
whose gate mode is "hard" (bench/gates.json) regressed or failed; soft gates are reported only.

Example: npm run bench:check -- bench/results/2026-01-01T00-00-00-000Z-0123456789ab.json`;

/** The newest valid result in a directory, or a usage error saying how to get one. */
function newestResult(dir: string): { path: string; result: BenchResult } {
  const listed = listResults(dir);
  const last = listed?.results.at(-1);
  if (!last) throw new DuctError('E_INPUT', `no bench result in ${dir}; run \`npm run bench\` first, or name a result file`, ExitCode.usage);
  return last;
}

async function main(argv: string[]): Promise<number> {
  const args = await scriptArgs(argv, USAGE)
    .positional('RESULT', { type: 'string' })
    .option('baseline', { type: 'string', default: DEFAULT_BASELINE, describe: 'reference figures' })
    .option('gates', { type: 'string', default: DEFAULT_GATES, describe: 'per-benchmark gate mode and tolerance' })
    .option('results', { type: 'string', default: DEFAULT_RESULTS_DIR, describe: 'where to find the newest result when RESULT is omitted' })
    .option('update-baseline', { type: 'boolean', default: false, describe: 'accept RESULT as the new baseline instead of comparing' })
    .command('$0 [RESULT]', false)
    .parseAsync();
  if (helpShown(args)) return ExitCode.ok;
  const named = args.RESULT as string | undefined;
  const { path, result } = named !== undefined ? { path: resolve(named), result: readResult(resolve(named)) } : newestResult(args.results);

  if (args['update-baseline']) {
    writeJsonAtomic(args.baseline, toBaseline(result, path));
    process.stdout.write(`baseline ${args.baseline} now holds ${Object.keys(result.benchmarks).length} benchmark(s) from ${path}; run \`npm run bench:readme\` so README.md shows it\n`);
    return ExitCode.ok;
  }
  if (!existsSync(args.baseline)) {
    throw new DuctError('E_INPUT', `no baseline at ${args.baseline}; accept a result with \`npm run bench:check -- RESULT --update-baseline\``, ExitCode.usage);
  }
  const baseline = readResult(args.baseline);
  const gates = readGates(args.gates);
  const rows = compareToBaseline(result, baseline, gates);

  const out: string[] = [`result:   ${path} (${result.timestamp}, commit ${result.git?.commit?.slice(0, 12) ?? 'unknown'})`];
  out.push(`baseline: ${args.baseline} (${baseline.timestamp}, commit ${baseline.git?.commit?.slice(0, 12) ?? 'unknown'})`);
  if (result.machine?.kind !== baseline.machine?.kind) {
    out.push(`note: measured on "${result.machine?.kind ?? '?'}", baseline from "${baseline.machine?.kind ?? '?'}": ratios carry over, absolute figures may not`);
  }
  for (const name of unknownHardGates(gates, [...rows.map((r) => r.name), ...Object.keys(result.skipped ?? {}), ...Object.keys(baseline.skipped ?? {})])) {
    out.push(`warning: ${args.gates} declares a hard gate for "${name}", a benchmark in neither the result nor the baseline (a typo leaves that gate unapplied)`);
  }
  if (result.options?.quick) out.push('note: this is a --quick result; its figures are smoke checks, not gate quality');
  out.push('');
  process.stdout.write(out.join('\n') + '\n');
  process.stdout.write(
    renderTable(
      ['benchmark', 'baseline', 'result', 'change', 'tolerance', 'gate', 'status'],
      rows.map((r) => [
        r.name,
        formatFigure(r.baseline),
        formatFigure(r.figure),
        r.changePct === null ? '-' : `${r.changePct >= 0 ? '+' : ''}${formatPct(r.changePct)}`,
        toleranceText(r),
        r.mode,
        statusText(r),
      ]),
      new Set([1, 2, 3, 4]),
    ),
  );
  const failing = hardFailures(rows);
  const soft = rows.filter((r) => r.mode === 'soft' && (r.status === 'regression' || r.status === 'failed'));
  process.stdout.write(
    `\n${failing.length === 0 ? 'PASS' : 'FAIL'}: ${failing.length} hard-gate failure(s)${failing.length ? ` (${failing.map((r) => r.name).join(', ')})` : ''}, ${soft.length} soft-gate regression(s) reported only\n`,
  );
  return failing.length === 0 ? ExitCode.ok : ExitCode.failure;
}

runScript('bench:check', main);
