import { gpuFigures, type GpuFigures } from '../files/gpu-figures.js';
import type { RecommendRun } from './recommend-run.js';

/** jobstats' thresholds on a run's mean GPU utilisation: under 15% is red, under 25% a warning. */
export const GPU_UTIL_RED_PERCENT = 15;
export const GPU_UTIL_WARN_PERCENT = 25;

/** What a group of runs used of their GPUs, for --gres and the GPU-memory line. */
export interface GpuRecommendation {
  /** runs that measured how many GPUs they used. */
  runs: number;
  /** the most GPUs any run used at once: the N of --gres=gpu:N (0: no run used one). */
  gpus: number;
  /** the largest GPU memory peak, with the key it came from. */
  mem_peak_bytes: number | null;
  mem_source: string | null;
  /** memory of one of their GPUs (the largest listed). */
  device_bytes: number | null;
}

/** A run that kept its GPUs idle: its mean utilisation under a jobstats threshold. */
export interface GpuWasteFlag {
  prefix: string;
  util_mean_percent: number;
  level: 'red' | 'warn';
}

/** The GPUs a group's finished runs used; null when none measured its GPUs. */
export function gpuRecommendation(runs: readonly RecommendRun[]): GpuRecommendation | null {
  const figures = runs.map((r) => gpuFigures(r.summary)).filter((g) => g.count !== null);
  if (figures.length === 0) return null;
  const peaks = figures.filter((g): g is GpuFigures & { mem_peak: NonNullable<GpuFigures['mem_peak']> } => g.mem_peak !== null);
  const top = peaks.reduce<(typeof peaks)[number] | null>((best, g) => (best === null || g.mem_peak.value > best.mem_peak.value ? g : best), null);
  const devices = figures.map((g) => g.device_memory).filter((v): v is number => v !== null);
  return {
    runs: figures.length,
    gpus: Math.max(...figures.map((g) => g.count!)),
    mem_peak_bytes: top?.mem_peak.value ?? null,
    mem_source: top?.mem_peak.source ?? null,
    device_bytes: devices.length ? Math.max(...devices) : null,
  };
}

/** The --gres flag of a group, or null when no run used a GPU (or none measured it). */
export function gresFlag(g: GpuRecommendation | null): string | null {
  return g && g.gpus > 0 ? `--gres=gpu:${g.gpus}` : null;
}

/** The runs whose GPUs sat mostly idle (mean utilisation under the jobstats thresholds). */
export function gpuWasteFlags(runs: readonly RecommendRun[]): GpuWasteFlag[] {
  const flags: GpuWasteFlag[] = [];
  for (const r of runs) {
    const mean = gpuFigures(r.summary).util_mean;
    if (mean === null) continue;
    if (mean < GPU_UTIL_RED_PERCENT) flags.push({ prefix: r.prefix, util_mean_percent: mean, level: 'red' });
    else if (mean < GPU_UTIL_WARN_PERCENT) flags.push({ prefix: r.prefix, util_mean_percent: mean, level: 'warn' });
  }
  return flags;
}
