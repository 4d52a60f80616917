import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from 'simple-statistics';
import type { FoundBenchmark } from './discover.js';
import type { BenchEntry } from './result.js';
import type { BenchContext, BenchOutcome } from './types.js';

export interface RunnerOptions {
  root: string;
  ductBin: string;
  repeats: number;
  quick: boolean;
  progress(msg: string): void;
}

export interface RunnerOutput {
  benchmarks: Record<string, BenchEntry>;
  skipped: Record<string, string>;
  failed: Record<string, string>;
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? 'unknown error';
}

/** Reject an outcome the result file could not hold honestly (NaN, no repeats). */
export function checkOutcome(name: string, outcome: BenchOutcome): void {
  if (typeof outcome !== 'object' || outcome === null) throw new Error(`${name} returned no outcome`);
  if (!Number.isFinite(outcome.figure)) throw new Error(`${name} returned a non-finite figure (${String(outcome.figure)})`);
  if (!Array.isArray(outcome.repeats) || outcome.repeats.length === 0 || !outcome.repeats.every(Number.isFinite)) {
    throw new Error(`${name} returned no finite repeats`);
  }
}

/** Run each benchmark in turn, in a scratch directory of its own; one failing never stops the others. */
export async function runBenchmarks(found: readonly FoundBenchmark[], opts: RunnerOptions): Promise<RunnerOutput> {
  const out: RunnerOutput = { benchmarks: {}, skipped: {}, failed: {} };
  for (const [i, { benchmark: b }] of found.entries()) {
    const tag = `[${i + 1}/${found.length}] ${b.name}`;
    let reason: string | null = null;
    try {
      reason = b.unavailable ? await b.unavailable() : null;
    } catch (e) {
      reason = `availability check failed: ${firstLine(e)}`;
    }
    if (reason !== null) {
      out.skipped[b.name] = reason;
      opts.progress(`${tag}: skipped (${reason})`);
      continue;
    }
    const tmp = mkdtempSync(join(tmpdir(), `duct-bench-${b.name}-`));
    const ctx: BenchContext = {
      root: opts.root,
      ductBin: opts.ductBin,
      tmp,
      repeats: opts.repeats,
      quick: opts.quick,
      progress: (msg) => opts.progress(`${tag}: ${msg}`),
    };
    opts.progress(`${tag}: running`);
    const started = performance.now();
    try {
      const outcome = await b.run(ctx);
      checkOutcome(b.name, outcome);
      const entry: BenchEntry = {
        description: b.description,
        unit: b.unit,
        target: b.target,
        higher_is_better: b.higherIsBetter,
        figure: outcome.figure,
        repeats: outcome.repeats,
        median: median(outcome.repeats),
        elapsed_seconds: Number(((performance.now() - started) / 1000).toFixed(3)),
      };
      if (outcome.details !== undefined) entry.details = outcome.details;
      out.benchmarks[b.name] = entry;
      opts.progress(`${tag}: ${outcome.figure} ${b.unit}`);
    } catch (e) {
      out.failed[b.name] = firstLine(e);
      opts.progress(`${tag}: failed (${firstLine(e)})`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  return out;
}

/** Whether a figure meets a target written like ">= 0.9" or "<= 300"; null when the target is not of that form. */
export function meetsTarget(figure: number, target: string): boolean | null {
  const m = /^\s*(>=|≥|<=|≤|>|<)\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)/i.exec(target.replace(/[,_](?=\d{3})/g, ''));
  if (!m) return null;
  const v = Number(m[2]);
  switch (m[1]) {
    case '>=':
    case '≥':
      return figure >= v;
    case '<=':
    case '≤':
      return figure <= v;
    case '>':
      return figure > v;
    default:
      return figure < v;
  }
}
