import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { prepareMeasurements } from '../../../src/aggregation/engine.js';
import type { ExecutionSummary, MeasurementRequest } from '../../../src/aggregation/types.js';
import { availableParallelism } from 'node:os';
import { readdirSync } from 'node:fs';
import { median } from 'simple-statistics';
import { discoverCgroup, readCgroupDiscoveryInput } from '../../../src/collectors/cgroup-discovery.js';
import type { BenchContext, BenchOutcome, Benchmark } from '../types.js';

export interface DrivenFixture {
  summary: ExecutionSummary;
  stdout: string;
}

/**
 * Run test/fixtures/bin/<program> under the measurement engine as `duct run`
 * does (prepare, spawn detached behind argvPrefix, sample each interval,
 * report each window and once after exit), without the CLI around it.
 */
export async function driveFixture(root: string, program: string, args: string[], req: Pick<MeasurementRequest, 'requested' | 'cgroupMode'> & { sampleSeconds: number; reportSeconds: number }): Promise<DrivenFixture> {
  const prepared = await prepareMeasurements({ requested: req.requested, cgroupMode: req.cgroupMode, sampleInterval: req.sampleSeconds, reportInterval: req.reportSeconds, mode: 'new-session' });
  const argv = [...prepared.argvPrefix, join(root, 'test', 'fixtures', 'bin', program), ...args];
  const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  let done = false;
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  void exited.then(() => (done = true));
  const engine = prepared.start(child.pid!);
  try {
    let lastReport = performance.now();
    while (!done) {
      const started = performance.now();
      await engine.sample();
      if (performance.now() - lastReport >= req.reportSeconds * 1000 - 1) {
        lastReport = performance.now();
        await engine.report();
      }
      const wait = Math.max(0, req.sampleSeconds * 1000 - (performance.now() - started));
      await Promise.race([exited, new Promise((r) => setTimeout(r, wait))]);
    }
    await engine.sample();
    await engine.report();
    return { summary: engine.summary(), stdout };
  } finally {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // the session is gone already
    }
    await engine.close();
  }
}

const MiB = 1024 * 1024;

function quickOf(ctx: BenchContext): boolean {
  return (ctx as BenchContext & { quick?: boolean }).quick === true;
}

/** Root on a v1 or delegated cgroup where the isolate child can be made: the cgroup truth is available. */
function isolateHere(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    const l = discoverCgroup(readCgroupDiscoveryInput());
    return l.memory !== null && !l.memory.isRoot && readdirSync(l.memory.dir).length > 0;
  } catch {
    return false;
  }
}

async function linuxOnly(): Promise<string | null> {
  return process.platform === 'linux' ? null : 'needs Linux /proc';
}

/** Up to `max` repeats (one with --quick) of `one`; the figure is their median. */
export async function repeat(ctx: BenchContext, max: number, one: (i: number) => Promise<{ figure: number; details: Record<string, unknown> }>): Promise<BenchOutcome> {
  const n = Math.max(1, Math.min(ctx.repeats, quickOf(ctx) ? 1 : max));
  const figures: number[] = [];
  const details: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const r = await one(i);
    ctx.progress(`repeat ${i + 1}/${n}: ${r.figure.toFixed(4)}`);
    figures.push(r.figure);
    details.push(r.details);
  }
  return { figure: median(figures), repeats: figures, details: { runs: details } };
}

/** 2 workers × 100% for 6 s (by CPU time) at the default 1 s sampling; truth: wait4's rusage of the workers. */
async function burnerRun(ctx: BenchContext): Promise<{ truth: number; summary: ExecutionSummary; seconds: number }> {
  const seconds = quickOf(ctx) ? 1.5 : 6;
  const r = await driveFixture(ctx.root, 'burner.py', [String(seconds), String(seconds)], {
    requested: ['proc_cpu_seconds', 'ps_cpu_seconds', 'pidusage_pdcpu_total', 'proc_pdcpu_total', 'ps_pdcpu_total', 'proc_pdcpu', 'ps_pdcpu'],
    cgroupMode: 'reader',
    sampleSeconds: 1,
    reportSeconds: 60,
  });
  const truth = (JSON.parse(r.stdout) as { children_cpu_seconds: number }).children_cpu_seconds;
  return { truth, summary: r.summary, seconds };
}

const cpuSecondsBench = (key: 'proc_cpu_seconds' | 'ps_cpu_seconds'): Benchmark => ({
  name: `accuracy_${key}`,
  description: `|${key} / wait4 CPU seconds − 1| for a burner of 2 processes × 100% for 6 s, sampled at 1 s`,
  unit: 'relative error',
  target: '<= 0.02',
  higherIsBetter: false,
  unavailable: linuxOnly,
  run: (ctx) =>
    repeat(ctx, 3, async () => {
      const { truth, summary, seconds } = await burnerRun(ctx);
      const measured = summary[key]?.total ?? 0;
      return { figure: Math.abs(measured / truth - 1), details: { truth_cpu_seconds: truth, measured_cpu_seconds: measured, nominal: 2 * seconds } };
    }),
});

/** The peak total CPU rate over cores × 100%: a rate above it would be impossible. */
const peakRateBench: Benchmark = {
  name: 'accuracy_peak_cpu_rate',
  description: 'largest proc_pdcpu_total / (cores × 100%) during the 2 × 100% burner (ps and pidusage figures in details)',
  unit: 'ratio',
  target: '<= 1.05',
  higherIsBetter: false,
  unavailable: linuxOnly,
  run: (ctx) =>
    repeat(ctx, 3, async () => {
      const { summary } = await burnerRun(ctx);
      const capacity = availableParallelism() * 100;
      const peak = (k: string): number | null => summary[k]?.peak ?? null;
      return {
        figure: (peak('proc_pdcpu_total') ?? 0) / capacity,
        details: { cores: availableParallelism(), proc_pdcpu_total: peak('proc_pdcpu_total'), ps_pdcpu_total: peak('ps_pdcpu_total'), pidusage_pdcpu_total: peak('pidusage_pdcpu_total') },
      };
    }),
};

/** 500 MiB touched: proc_hwm against the isolate cgroup's high-water mark (or the bytes touched when not root). */
const peakMemoryBench: Benchmark = {
  name: 'accuracy_peak_memory',
  description: '|proc_hwm peak / cgroup high-water mark − 1| for 500 MiB allocated and touched (truth: --cgroup isolate memory.max_usage_in_bytes as root, else the bytes touched)',
  unit: 'relative error',
  target: '<= 0.05',
  higherIsBetter: false,
  unavailable: linuxOnly,
  run: (ctx) =>
    repeat(ctx, 3, async () => {
      const isolate = isolateHere();
      const mb = quickOf(ctx) ? 100 : 500;
      const r = await driveFixture(ctx.root, 'alloc.py', [String(mb), '1.5'], {
        requested: ['proc_hwm', 'proc_rss_total', 'proc_pss_total', 'ps_rss_total', 'pidusage_rss_total', ...(isolate ? ['cgroup_mem_peak'] : [])],
        cgroupMode: isolate ? 'isolate' : 'reader',
        sampleSeconds: 0.5,
        reportSeconds: 60,
      });
      const truth = isolate ? r.summary['cgroup_mem_peak']!.peak! : mb * MiB;
      const peaks = Object.fromEntries(Object.entries(r.summary).map(([k, v]) => [k, v.peak ?? null]));
      return { figure: Math.abs(r.summary['proc_hwm']!.peak! / truth - 1), details: { truth_bytes: truth, truth_source: isolate ? 'cgroup_mem_peak (isolate)' : 'bytes touched', peaks } };
    }),
};

/** An 800 MiB spike held 0.3 s inside a 5 s run sampled at 1 s: the smaller of proc_hwm and cgroup_mem_peak over the spike size. */
const spikeBench: Benchmark = {
  name: 'accuracy_spike_caught',
  description: 'min(proc_hwm, cgroup_mem_peak with --cgroup isolate) / 800 MiB for a 0.3 s spike in a 5 s run sampled at 1 s (cgroup only as root)',
  unit: 'ratio',
  target: '>= 1',
  higherIsBetter: true,
  unavailable: linuxOnly,
  run: (ctx) =>
    repeat(ctx, 3, async () => {
      const isolate = isolateHere();
      const r = await driveFixture(ctx.root, 'spike.py', ['800', '0.3', '5', '2.3'], {
        requested: ['proc_hwm', 'proc_rss_total', ...(isolate ? ['cgroup_mem_peak', 'cgroup_mem_current'] : [])],
        cgroupMode: isolate ? 'isolate' : 'reader',
        sampleSeconds: 1,
        reportSeconds: 60,
      });
      const hwm = r.summary['proc_hwm']?.peak ?? 0;
      const cg = r.summary['cgroup_mem_peak']?.peak;
      return {
        figure: Math.min(hwm, cg ?? hwm) / (800 * MiB),
        details: { proc_hwm: hwm, cgroup_mem_peak: cg ?? null, sampled_proc_rss_total: r.summary['proc_rss_total']?.peak ?? null, sampled_cgroup_mem_current: r.summary['cgroup_mem_current']?.peak ?? null },
      };
    }),
};

/** 300 MiB shared copy-on-write by 4 processes: PSS total against the footprint; summed RSS shown double counting. */
const sharedBench: Benchmark = {
  name: 'accuracy_shared_pages_pss',
  description: 'proc_pss_total peak / real footprint (cgroup high-water mark as root, else 300 MiB) for 300 MiB shared by 4 forked processes (PSS also holds shared library pages the cgroup charged elsewhere); ps_rss_total ratio in details',
  unit: 'ratio',
  target: '<= 1.2',
  higherIsBetter: false,
  unavailable: linuxOnly,
  run: (ctx) =>
    repeat(ctx, 3, async () => {
      const isolate = isolateHere();
      const r = await driveFixture(ctx.root, 'fork-shared.py', ['300', '3', '2'], {
        requested: ['proc_pss_total', 'proc_rss_total', 'ps_rss_total', 'proc_uss_total', ...(isolate ? ['cgroup_mem_peak'] : [])],
        cgroupMode: isolate ? 'isolate' : 'reader',
        sampleSeconds: 0.5,
        reportSeconds: 60,
      });
      const footprint = isolate ? r.summary['cgroup_mem_peak']!.peak! : 300 * MiB;
      const pss = r.summary['proc_pss_total']!.peak!;
      return {
        figure: pss / footprint,
        details: { footprint_bytes: footprint, proc_pss_total: pss, ps_rss_total_ratio: (r.summary['ps_rss_total']?.peak ?? 0) / footprint, proc_rss_total_ratio: (r.summary['proc_rss_total']?.peak ?? 0) / footprint },
      };
    }),
};

export const accuracy: Benchmark[] = [cpuSecondsBench('proc_cpu_seconds'), cpuSecondsBench('ps_cpu_seconds'), peakRateBench, peakMemoryBench, spikeBench, sharedBench];
