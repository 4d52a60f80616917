import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuctError } from '../../src/errors.js';
import type { Benchmark } from './types.js';

/** A benchmark and the module file that exported it. */
export interface FoundBenchmark {
  module: string;
  benchmark: Benchmark;
}

/** Duck-typed: what the runner accepts as a benchmark from a module's exports. */
export function isBenchmark(x: unknown): x is Benchmark {
  return typeof x === 'object' && x !== null && typeof (x as Benchmark).name === 'string' && typeof (x as Benchmark).run === 'function';
}

/** The benchmarks among a module's exports (default and named, single or arrays), each once, in export order. */
export function benchmarksOf(exports: Record<string, unknown>): Benchmark[] {
  const seen = new Set<Benchmark>();
  const ordered = ['default', ...Object.keys(exports).filter((k) => k !== 'default')];
  for (const key of ordered) {
    const v = exports[key];
    for (const item of Array.isArray(v) ? v : [v]) if (isBenchmark(item)) seen.add(item);
  }
  return [...seen];
}

/** What discovery found: the benchmarks, and the modules that would not even import (reported, never fatal). */
export interface Discovery {
  found: FoundBenchmark[];
  broken: { module: string; error: string }[];
}

/** Import every compiled module in the benchmarks directory, so a new module needs no registration. */
export async function discoverBenchmarks(dir: string): Promise<Discovery> {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.js')).sort();
  } catch (e) {
    throw new DuctError('E_INPUT', `cannot read the benchmarks directory ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (run \`npm run build\` first)`);
  }
  const found: FoundBenchmark[] = [];
  const broken: Discovery['broken'] = [];
  const owner = new Map<string, string>();
  for (const file of files) {
    const module = basename(file, '.js');
    let exports: Record<string, unknown>;
    try {
      exports = (await import(pathToFileURL(join(dir, file)).href)) as Record<string, unknown>;
    } catch (e) {
      // one module's broken import must not cost the figures of all the others
      broken.push({ module, error: (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '' });
      continue;
    }
    for (const benchmark of benchmarksOf(exports)) {
      const prior = owner.get(benchmark.name);
      if (prior !== undefined) throw new DuctError('E_INVALID', `benchmark name "${benchmark.name}" is exported by both ${prior} and ${module}; names must be unique`);
      owner.set(benchmark.name, module);
      found.push({ module, benchmark });
    }
  }
  return { found, broken };
}

/** Narrow to `--only` names: a benchmark name, or a module name for all of that module's benchmarks. */
export function selectBenchmarks(found: readonly FoundBenchmark[], only: readonly string[] | null, brokenModules: readonly string[] = []): FoundBenchmark[] {
  if (only === null) return [...found];
  // a module that failed to import is still a valid name: its failure is reported, not an unknown name
  const valid = new Set([...found.map((f) => f.benchmark.name), ...found.map((f) => f.module), ...brokenModules]);
  const unknown = only.filter((n) => !valid.has(n));
  if (unknown.length > 0) {
    throw new DuctError('E_OPTION_VALUE', `--only: unknown benchmark ${unknown.map((n) => JSON.stringify(n)).join(', ')}; valid: ${[...valid].sort().join(', ')}`);
  }
  return found.filter((f) => only.includes(f.benchmark.name) || only.includes(f.module));
}
