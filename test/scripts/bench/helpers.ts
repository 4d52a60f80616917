import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../helpers/cli.js';
import type { BenchEntry, BenchResult } from '../../../scripts/bench/result.js';

/** Run a built bench script (dist/scripts/bench/NAME.js) as a black box, stderr piped (so never a TTY). */
export function runBenchScript(name: string, args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'dist', 'scripts', 'bench', `${name}.js`), ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function entry(figure: number, over: Partial<BenchEntry> = {}): BenchEntry {
  return {
    description: 'test figure',
    unit: 'ratio',
    target: '>= 0.9',
    higher_is_better: true,
    figure,
    repeats: [figure],
    median: figure,
    ...over,
  };
}

/** A result holding the given figures, `minutes` after a fixed start so results sort by time. */
export function makeResult(minutes: number, benchmarks: Record<string, BenchEntry>, over: Partial<BenchResult> = {}): BenchResult {
  return {
    result_version: 1,
    timestamp: new Date(Date.UTC(2026, 0, 1, 0, minutes)).toISOString(),
    duct_version: '0.0.0-test',
    git: { commit: 'c0ffee0000000000000000000000000000000000', dirty: false },
    machine: {
      kind: 'Test CPU x2, 4 GiB, linux x64',
      hostname: 'test',
      cpu_model: 'Test CPU',
      logical_cores: 2,
      physical_cores: 2,
      memory_bytes: 4 * 2 ** 30,
      os: 'TestOS 1',
      kernel: '6.0',
      node_version: 'v20.0.0',
    },
    options: { repeats: 1, quick: false, only: null },
    benchmarks,
    skipped: {},
    failed: {},
    ...over,
  };
}

/** Write results as files into dir (created), named as the runner names them. */
export function writeResults(dir: string, results: BenchResult[]): string[] {
  mkdirSync(dir, { recursive: true });
  return results.map((r, i) => {
    const path = join(dir, `${r.timestamp.replace(/[:.]/g, '-')}-${String(i).padStart(4, '0')}.json`);
    writeFileSync(path, JSON.stringify(r));
    return path;
  });
}

export function writeJson(path: string, data: unknown): string {
  writeFileSync(path, JSON.stringify(data));
  return path;
}
