import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { median } from 'simple-statistics';
import { discoverCgroup, readCgroupDiscoveryInput } from '../../../src/collectors/cgroup-discovery.js';
import type { RunInfo } from '../../../src/files/info.js';
import type { BenchContext, BenchOutcome, Benchmark } from '../types.js';

/**
 * The run's headline figures (info.json `figures`, what the summary, ls and recommend
 * show) against ground truth, through the built CLI as a user runs it: duct's default
 * preset in the cgroup this machine gives it, against --cgroup isolate of the same
 * workload in the same run (memory), and against GNU time inside the same run (CPU).
 */


function run(ctx: BenchContext, prefix: string, args: string[]): Promise<RunInfo> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ctx.ductBin, '-q', '-p', join(ctx.tmp, prefix), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`duct ${args.join(' ')} exited ${code}: ${err.trim()}`));
      else resolve(JSON.parse(readFileSync(join(ctx.tmp, `${prefix}info.json`), 'utf8')) as RunInfo);
    });
  });
}

function canIsolate(): Promise<string | null> {
  if (process.platform !== 'linux') return Promise.resolve('needs Linux');
  if (process.getuid?.() !== 0) return Promise.resolve('needs root for the --cgroup isolate truth');
  const l = discoverCgroup(readCgroupDiscoveryInput());
  return Promise.resolve(l.memory && !l.memory.isRoot ? null : 'no memory cgroup to make an isolate group under');
}

async function repeat(ctx: BenchContext, one: () => Promise<{ figure: number; details: Record<string, unknown> }>): Promise<BenchOutcome> {
  const n = Math.max(1, Math.min(ctx.repeats, ctx.quick ? 1 : 3));
  const figures: number[] = [];
  const details: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const r = await one();
    ctx.progress(`repeat ${i + 1}/${n}: ${r.figure.toFixed(4)}`);
    figures.push(r.figure);
    details.push(r.details);
  }
  return { figure: median(figures), repeats: figures, details: { runs: details } };
}

/** The default headline of a workload over its --cgroup isolate high-water mark, both measured now. */
function againstIsolate(name: string, description: string, command: (ctx: BenchContext) => string[]): Benchmark {
  return {
    name,
    description,
    unit: 'relative error',
    target: '<= 0.1',
    higherIsBetter: false,
    unavailable: canIsolate,
    run: (ctx) =>
      repeat(ctx, async () => {
        const cmd = command(ctx);
        const truth = (await run(ctx, 'iso_', ['--clobber', '--cgroup', 'isolate', '--s-i', '0.2', '--', ...cmd])).figures.mem_peak!;
        const info = await run(ctx, 'def_', ['--clobber', '--s-i', '0.2', '--', ...cmd]);
        const headline = info.figures.mem_peak!;
        return {
          figure: Math.abs(headline.value / truth.value - 1),
          details: { headline_bytes: headline.value, headline_source: headline.source, isolate_bytes: truth.value, summed_rss_bytes: info.execution_summary['proc_rss_total']?.peak ?? null, largest_process_bytes: info.execution_summary['proc_hwm']?.peak ?? null, cgroup_membership: info.cgroup?.membership ?? null },
        };
      }),
  };
}

const fixture = (ctx: BenchContext, name: string): string => join(ctx.root, 'test', 'fixtures', 'bin', name);

export const twoProcesses = againstIsolate(
  'accuracy_headline_two_processes',
  '|default mem_peak / --cgroup isolate mem_peak − 1| for two independent processes of 150 MiB each (a per-process key would read ~0.5)',
  (ctx) => ['sh', '-c', '"$0" 150 1.5 & "$0" 150 1.5; wait', fixture(ctx, 'alloc.py')],
);

export const forkShared = againstIsolate(
  'accuracy_headline_fork_shared',
  '|default mem_peak / --cgroup isolate mem_peak − 1| for 4 forked workers sharing a 200 MiB parent (summed RSS would read ~5)',
  (ctx) => [fixture(ctx, 'fork-shared.py'), '200', '4', '1.5'],
);

export const cpuSeconds: Benchmark = {
  name: 'accuracy_headline_cpu_seconds',
  description: '|cpu_seconds (rusage_cpu_seconds) / GNU time user+sys − 1| for a 2-process burner of 2 × 3 s, GNU time inside the same run, at the default 1 s sampling; proc_cpu_seconds in details',
  unit: 'relative error',
  target: '<= 0.02',
  higherIsBetter: false,
  unavailable: () => Promise.resolve(existsSync('/usr/bin/time') ? (process.platform === 'linux' ? null : 'needs Linux') : 'needs GNU time at /usr/bin/time (Debian package time)'),
  run: (ctx) =>
    repeat(ctx, async () => {
      const seconds = ctx.quick ? '0.8' : '3';
      const out = join(ctx.tmp, 'time.txt');
      const info = await run(ctx, 'cpu_', ['--clobber', '--', '/usr/bin/time', '-f', '%U %S', '-o', out, fixture(ctx, 'burner.py'), seconds, seconds]);
      const truth = readFileSync(out, 'utf8').trim().split(/\s+/).map(Number).reduce((a, b) => a + b, 0);
      const figure = info.figures.cpu_seconds!;
      return { figure: Math.abs(figure.value / truth - 1), details: { gnu_time_seconds: truth, cpu_seconds: figure.value, source: figure.source, proc_cpu_seconds: info.execution_summary['proc_cpu_seconds']?.total ?? null } };
    }),
};

