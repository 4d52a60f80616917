import { existsSync } from 'node:fs';
import { median } from 'simple-statistics';
import type { BenchContext, BenchOutcome, Benchmark } from '../types.js';
import { ductUnderLoad } from './process-load.js';

const MIB = 2 ** 20;

async function needsProc(): Promise<string | null> {
  return existsSync('/proc/self/stat') ? null : "needs /proc to read duct's own CPU and memory";
}

function repeatsOf(ctx: BenchContext, most: number): number {
  return Math.max(1, Math.min(ctx.repeats, ctx.quick ? 1 : most));
}

/**
 * duct's whole-process CPU per sample with 51 live pids (default keys): a run at
 * `--s-i 0.1` against the same run at `--s-i 10`, both with 10 s report windows,
 * so start-up, reports and the end cancel out and what is left is the per-sample
 * cost, reduce included (con-duct 0.21 measured 12.4 ms here the same way).
 */
export const sampleCost: Benchmark = {
  name: 'sample_cost_51_pids_ms',
  description: "duct's CPU per sample (collect + fold into the window), 51 live pids, --s-i 0.1 against --s-i 10 over the same 20 s run",
  unit: 'ms CPU/sample',
  target: '<= 1.2',
  higherIsBetter: false,
  unavailable: needsProc,
  async run(ctx: BenchContext): Promise<BenchOutcome> {
    const seconds = ctx.quick ? '3' : '20';
    const figures: number[] = [];
    const details: Array<{ fast_cpu_s: number; fast_samples: number; slow_cpu_s: number; slow_samples: number }> = [];
    for (let i = 0; i < repeatsOf(ctx, 5); i++) {
      ctx.progress(`sample cost ${i + 1}`);
      const fast = await ductUnderLoad(ctx, ctx.tmp, ['steady-tree', '50', seconds], { sample: 0.1, report: 10 });
      const slow = await ductUnderLoad(ctx, ctx.tmp, ['steady-tree', '50', seconds], { sample: 10, report: 10 });
      figures.push(((fast.cpuSeconds - slow.cpuSeconds) / (fast.samples - slow.samples)) * 1000);
      details.push({ fast_cpu_s: fast.cpuSeconds, fast_samples: fast.samples, slow_cpu_s: slow.cpuSeconds, slow_samples: slow.samples });
    }
    return { figure: median(figures), repeats: figures, details: { pids: 51, runs: details } };
  },
};

/**
 * What a long report window costs in memory: duct's peak RSS over one 30 s window
 * minus its peak RSS with 1 s windows, 500 live pids at --s-i 0.05 (600 samples
 * a window). A window that keeps every sample grows by ~0.8 KB per pid and sample.
 */
export const windowMemory: Benchmark = {
  name: 'window_30s_vs_1s_500_pids_mib',
  description: "duct's peak RSS with one 30 s report window minus with 1 s windows, 500 live pids, --s-i 0.05",
  unit: 'MiB',
  target: '<= 16',
  higherIsBetter: false,
  unavailable: needsProc,
  async run(ctx: BenchContext): Promise<BenchOutcome> {
    const seconds = ctx.quick ? 8 : 31;
    const figures: number[] = [];
    const details: Array<{ long_window_mib: number; short_windows_mib: number; long_window_samples: number }> = [];
    for (let i = 0; i < repeatsOf(ctx, 3); i++) {
      ctx.progress(`window memory ${i + 1}`);
      const long = await ductUnderLoad(ctx, ctx.tmp, ['steady-tree', '499', String(seconds)], { sample: 0.05, report: 30 });
      const short = await ductUnderLoad(ctx, ctx.tmp, ['steady-tree', '499', String(seconds)], { sample: 0.05, report: 1 });
      figures.push((long.peakRssBytes - short.peakRssBytes) / MIB);
      details.push({ long_window_mib: long.peakRssBytes / MIB, short_windows_mib: short.peakRssBytes / MIB, long_window_samples: long.samples });
    }
    return { figure: median(figures), repeats: figures, details: { pids: 500, sample_interval_s: 0.05, runs: details } };
  },
};

/** duct's peak RSS with 2,000 live pids, --s-i 0.1 and a 60 s report window (the whole 20 s run in one window). */
export const manyPidsMemory: Benchmark = {
  name: 'rss_2000_pids_mib',
  description: "duct's peak RSS with 2,000 live pids, --s-i 0.1, one report window over the 20 s run",
  unit: 'MiB',
  target: '<= 150',
  higherIsBetter: false,
  unavailable: needsProc,
  async run(ctx: BenchContext): Promise<BenchOutcome> {
    const seconds = ctx.quick ? '6' : '20';
    const figures: number[] = [];
    const samples: number[] = [];
    for (let i = 0; i < repeatsOf(ctx, 3); i++) {
      ctx.progress(`2,000 pids ${i + 1}`);
      const run = await ductUnderLoad(ctx, ctx.tmp, ['steady-tree', '1999', seconds], { sample: 0.1, report: 60 });
      figures.push(run.peakRssBytes / MIB);
      samples.push(run.samples);
    }
    return { figure: median(figures), repeats: figures, details: { pids: 2000, sample_interval_s: 0.1, samples } };
  },
};
