import type { MeasurementKey } from '../aggregation/catalogue.js';
import type { FlatSummary } from './run-figures.js';

/**
 * The run's GPU figures, one definition for the summary, `ls`, `recommend` and `pp`:
 * its GPU memory peak (the run's own processes where they were matched by pid, else
 * every process on its GPUs), its mean utilisation, how many GPUs it used and how
 * much memory one of them has.
 */

/** The GPU memory peak's candidate keys, best first. */
export const GPU_MEM_PEAK_KEYS = ['nvidia_gpu_mem_total', 'nvidia_gpu_mem_used'] as const satisfies readonly MeasurementKey[];

export const GPU_MEM_MEANING: Record<(typeof GPU_MEM_PEAK_KEYS)[number], string> = {
  nvidia_gpu_mem_total: "the run's processes, nvidia-smi",
  nvidia_gpu_mem_used: 'device memory used on its GPUs by every process, nvidia-smi',
};

/** The flat summary's field for the memory of the largest GPU listed in info.json's measurements.gpu. */
export const GPU_DEVICE_MEMORY_FIELD = 'gpu_device_memory';

function num(v: number | string | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export interface GpuFigures {
  mem_peak: { value: number; source: (typeof GPU_MEM_PEAK_KEYS)[number]; meaning: string } | null;
  /** time-weighted mean utilisation of the GPUs it used (percent). */
  util_mean: number | null;
  util_peak: number | null;
  /** the most GPUs it used at once. */
  count: number | null;
  /** bytes of one of its GPUs (the largest listed). */
  device_memory: number | null;
}

export function gpuFigures(summary: FlatSummary): GpuFigures {
  let mem_peak: GpuFigures['mem_peak'] = null;
  for (const source of GPU_MEM_PEAK_KEYS) {
    const value = num(summary[source]);
    if (value !== null) {
      mem_peak = { value, source, meaning: GPU_MEM_MEANING[source] };
      break;
    }
  }
  return {
    mem_peak,
    util_mean: num(summary['nvidia_gpu_util_mean']),
    util_peak: num(summary['nvidia_gpu_util']),
    count: num(summary['nvidia_gpu_count']),
    device_memory: num(summary[GPU_DEVICE_MEMORY_FIELD]),
  };
}

/** The largest memory_total_bytes of the GPUs an info.json lists, or null. */
export function deviceMemoryOfInfo(info: Record<string, unknown>): number | null {
  const m = info['measurements'] as { gpu?: { gpus?: Array<{ memory_total_bytes?: unknown }> } } | undefined;
  const totals = (m?.gpu?.gpus ?? []).map((g) => g.memory_total_bytes).filter((v): v is number => typeof v === 'number');
  return totals.length ? Math.max(...totals) : null;
}
