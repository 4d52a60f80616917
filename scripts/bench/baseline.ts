import { renameSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { BenchResult } from './result.js';

/** A baseline is the accepted result itself, without the bulky per-repeat details, naming the file it came from. */
export function toBaseline(result: BenchResult, sourcePath: string): BenchResult {
  const benchmarks: BenchResult['benchmarks'] = {};
  for (const [name, entry] of Object.entries(result.benchmarks)) {
    const { details: _details, ...kept } = entry;
    benchmarks[name] = kept;
  }
  return { ...result, benchmarks, source: basename(sourcePath) };
}

/** Write JSON atomically (temp file + rename), so a reader never sees half a file. */
export function writeJsonAtomic(path: string, data: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n');
  renameSync(tmp, path);
}
