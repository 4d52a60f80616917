import { accessSync, constants, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { DuctError } from '../../src/errors.js';
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

/** Make sure an output directory exists and takes files, before minutes of benchmarking go into it. */
export function ensureWritableDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new DuctError('E_OUTPUT_UNWRITABLE', `cannot write results to ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; name a writable directory with --results`);
  }
}

/** Write JSON atomically (temp file + rename), so a reader never sees half a file. */
export function writeJsonAtomic(path: string, data: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n');
    renameSync(tmp, path);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // the directory itself is unusable, so there is no temp file to remove
    }
    throw new DuctError('E_OUTPUT_UNWRITABLE', `cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
