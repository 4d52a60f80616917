import { DuctError, ExitCode } from '../../src/errors.js';
import type { BenchResult } from './result.js';
import { gateFor, MIN_RUNS_FOR_GRADUATION, type GateMode, type GatesFile } from './gates.js';
import { summarize, type Summary } from './stats.js';

/** Where a row's figures came from: the last N runs, or (too few runs) the baseline run's own repeats. */
export type CvSource = { kind: 'runs'; runs: number } | { kind: 'baseline'; repeats: number; runsFound: number } | { kind: 'none'; runsFound: number };

export type CvVerdict = 'ok' | 'over' | 'no_data';

export interface CvRow {
  name: string;
  unit: string;
  summary: Summary;
  source: CvSource;
  thresholdPct: number;
  mode: GateMode;
  verdict: CvVerdict;
  /** a soft gate whose CV is below its threshold over at least MIN_RUNS_FOR_GRADUATION runs. */
  mayGraduate: boolean;
}

/**
 * Per benchmark, the spread of its figure over the last `window` runs. A benchmark with fewer
 * than `window` figures in those runs falls back to the baseline's repeats (within one run),
 * which shows noise but is not the across-run CV that graduation needs.
 */
export function cvRows(runs: readonly BenchResult[], window: number, baseline: BenchResult | null, gates: GatesFile): CvRow[] {
  const last = runs.slice(-window);
  const names = new Set<string>([...last.flatMap((r) => Object.keys(r.benchmarks)), ...Object.keys(baseline?.benchmarks ?? {})]);
  const rows: CvRow[] = [];
  for (const name of [...names].sort()) {
    const gate = gateFor(gates, name);
    const entries = last.flatMap((r) => {
      const e = r.benchmarks[name];
      return e ? [e] : [];
    });
    const base = baseline?.benchmarks[name];
    let values: number[];
    let source: CvSource;
    if (entries.length >= window) {
      values = entries.map((e) => e.figure);
      source = { kind: 'runs', runs: entries.length };
    } else if (base && base.repeats.length >= 2) {
      values = base.repeats;
      source = { kind: 'baseline', repeats: base.repeats.length, runsFound: entries.length };
    } else {
      values = [];
      source = { kind: 'none', runsFound: entries.length };
    }
    const summary = summarize(values);
    const verdict: CvVerdict = summary.cvPct === null ? 'no_data' : summary.cvPct < gate.cv_threshold_pct ? 'ok' : 'over';
    rows.push({
      name,
      unit: entries[0]?.unit ?? base?.unit ?? '',
      summary,
      source,
      thresholdPct: gate.cv_threshold_pct,
      mode: gate.mode,
      verdict,
      mayGraduate: verdict === 'ok' && gate.mode === 'soft' && source.kind === 'runs' && source.runs >= MIN_RUNS_FOR_GRADUATION,
    });
  }
  return rows;
}

export function verdictText(row: CvRow): string {
  switch (row.verdict) {
    case 'ok':
      return `OK (<${row.thresholdPct}%)`;
    case 'over':
      return 'OVER (graduation blocked)';
    case 'no_data':
      return 'NO DATA (graduation blocked)';
  }
}

export function sourceText(s: CvSource): string {
  switch (s.kind) {
    case 'runs':
      return `${s.runs} runs`;
    case 'baseline':
      return `baseline repeats (${s.repeats}; ${s.runsFound} runs found)`;
    case 'none':
      return `none (${s.runsFound} runs found, no baseline repeats)`;
  }
}

export interface ReportInput {
  dir: string;
  /** the user named the directory (--results), rather than taking the default. */
  explicitDir: boolean;
  dirExists: boolean;
  /** every valid result in the directory, oldest first. */
  all: readonly BenchResult[];
  window: number;
  baseline: BenchResult | null;
  baselinePath: string;
  gates: GatesFile;
}

/**
 * The rows and the lines that say what they are computed from. A directory the user named must
 * hold results (else a usage error); the default one may be missing or empty on a fresh clone,
 * and then the report falls back to the baseline and says so.
 */
export function planReport(input: ReportInput): { rows: CvRow[]; preamble: string[] } {
  const { dir, window, baseline } = input;
  if (input.explicitDir && !input.dirExists) {
    throw new DuctError('E_INPUT', `results directory ${dir} does not exist; name a directory holding bench result files`, ExitCode.usage);
  }
  if (input.explicitDir && input.all.length === 0) {
    throw new DuctError('E_INPUT', `results directory ${dir} holds no bench result file (*.json written by \`npm run bench\`)`, ExitCode.usage);
  }
  // --quick results are smoke checks: their spread says nothing about a gate
  const runs = input.all.filter((r) => !r.options?.quick);
  const rows = cvRows(runs, window, baseline, input.gates);
  const used = runs.slice(-window);
  const preamble: string[] = [];
  if (used.length > 0) {
    preamble.push(`CV report over the last ${used.length} of ${runs.length} result files in ${dir} (${used[0]!.timestamp} .. ${used.at(-1)!.timestamp})`);
  }
  const quick = input.all.length - runs.length;
  if (quick > 0) preamble.push(`left out ${quick} --quick result file(s)`);
  if (used.length < window) {
    const found = input.dirExists ? `${runs.length} result file(s) in ${dir}` : `${dir} does not exist`;
    preamble.push(
      baseline
        ? `fallback: ${found}, ${window} needed; benchmarks with fewer than ${window} runs use the baseline's repeats within one run (${input.baselinePath}, ${baseline.timestamp}), which is not the across-run CV that graduation needs`
        : `fallback: ${found}, ${window} needed, and no baseline at ${input.baselinePath}: nothing to report yet`,
    );
  } else if (rows.some((r) => r.source.kind !== 'runs')) {
    preamble.push(`fallback: benchmarks missing from some of the last ${window} runs use the baseline's repeats`);
  }
  return { rows, preamble };
}
