import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DuctError, ExitCode } from '../../src/errors.js';

/** The machine a result was measured on; `kind` is what baselines are matched by. */
export interface MachineInfo {
  /** "<cpu model> x<logical cores>, <memory GiB> GiB, <os arch>": results are comparable within one kind. */
  kind: string;
  hostname: string;
  cpu_model: string;
  logical_cores: number;
  physical_cores: number;
  memory_bytes: number;
  os: string;
  kernel: string;
  node_version: string;
}

/** One benchmark's figures in one run. */
export interface BenchEntry {
  description: string;
  unit: string;
  /** the DESIGN.md target as text, e.g. ">= 0.9". */
  target: string;
  higher_is_better: boolean;
  /** the figure gated on (the benchmark's own; by contract the median of its repeats). */
  figure: number;
  /** each repeat's figure. */
  repeats: number[];
  /** median of `repeats`, computed by the runner. */
  median: number;
  /** wall time the benchmark took, seconds. */
  elapsed_seconds?: number;
  /** raw measurements behind the ratio (both sides). */
  details?: Record<string, unknown>;
}

/** One `npm run bench` run: bench/results/<timestamp>-<commit>.json. Baselines share this shape. */
export interface BenchResult {
  result_version: 1;
  /** ISO 8601 start time of the run. */
  timestamp: string;
  duct_version: string;
  git: { commit: string; dirty: boolean };
  machine: MachineInfo;
  options: { repeats: number; quick: boolean; only: string[] | null };
  benchmarks: Record<string, BenchEntry>;
  /** benchmark name → why it could not run here. */
  skipped: Record<string, string>;
  /** benchmark name → the error it ended with. */
  failed: Record<string, string>;
  /** baselines only: the result file it was taken from. */
  source?: string;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isEntry(x: unknown): x is BenchEntry {
  return (
    isRecord(x) &&
    typeof x.figure === 'number' &&
    typeof x.unit === 'string' &&
    typeof x.higher_is_better === 'boolean' &&
    Array.isArray(x.repeats) &&
    x.repeats.every((r) => typeof r === 'number')
  );
}

/** Check the parts of a result the scripts rely on; the message names the file and what is wrong. */
export function parseResult(text: string, path: string): BenchResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new DuctError('E_INPUT', `${path} is not JSON (${(e as Error).message}); expected a bench result written by \`npm run bench\``, ExitCode.usage);
  }
  if (!isRecord(data) || data.result_version !== 1 || typeof data.timestamp !== 'string' || !isRecord(data.benchmarks)) {
    throw new DuctError('E_INPUT', `${path} is not a bench result (expected result_version 1, timestamp and benchmarks)`, ExitCode.usage);
  }
  for (const [name, entry] of Object.entries(data.benchmarks)) {
    if (!isEntry(entry)) {
      throw new DuctError('E_INPUT', `${path}: benchmark "${name}" lacks a numeric figure, unit, higher_is_better or repeats`, ExitCode.usage);
    }
  }
  return data as unknown as BenchResult;
}

export function readResult(path: string): BenchResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new DuctError('E_INPUT', `cannot read bench result ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, ExitCode.usage);
  }
  return parseResult(text, path);
}

export interface ListedResults {
  /** valid results, oldest first. */
  results: { path: string; result: BenchResult }[];
  /** files that are not valid results, with why: skipped, and the caller warns. */
  invalid: { path: string; reason: string }[];
}

/** Every result file (*.json) in a directory, oldest first by recorded timestamp; null when the directory does not exist. */
export function listResults(dir: string): ListedResults | null {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) return null;
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return null; // missing or unreadable: the caller decides whether that is an error
  }
  const out: ListedResults = { results: [], invalid: [] };
  for (const name of names.sort()) {
    const path = join(dir, name);
    try {
      out.results.push({ path, result: readResult(path) });
    } catch (e) {
      out.invalid.push({ path, reason: (e as Error).message });
    }
  }
  out.results.sort((a, b) => compareStrings(a.result.timestamp, b.result.timestamp) || compareStrings(basename(a.path), basename(b.path)));
  return out;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The file name a run's result gets: sortable by time, traceable to its commit. */
export function resultFileName(timestamp: string, commit: string): string {
  return `${timestamp.replace(/[:.]/g, '-')}-${commit.slice(0, 12) || 'unknown'}.json`;
}
