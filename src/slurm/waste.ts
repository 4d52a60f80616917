import { runFigure } from '../files/run-figures.js';
import { CPU_RATE_KEYS, JOB_MEMORY_KEY } from './keys.js';
import type { RecommendRun } from './recommend-run.js';

/** A run is flagged when it used under this fraction of what it requested. */
export const WASTE_FRACTION = 0.5;

/** One resource a run used far less of than its SLURM request. */
export interface WasteFlag {
  prefix: string;
  resource: 'memory' | 'cpus' | 'time';
  used: number;
  requested: number;
  /** used / requested. */
  fraction: number;
  /** how `used` was measured (a key, or wall_clock_time). */
  source: string;
}

function num(v: number | string | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Mean cores over the run: CPU seconds / wall time, else a rate key's time-weighted mean. */
function meanCores(r: RecommendRun): { cores: number; source: string } | null {
  const wall = num(r.summary.wall_clock_time);
  // the run's own CPU seconds (run-figures.ts): never a shared cgroup's counter
  const seconds = runFigure('cpu_seconds', r.summary);
  if (seconds && wall !== null && wall > 0) return { cores: seconds.value / wall, source: `${seconds.source} / wall_clock_time` };
  for (const k of CPU_RATE_KEYS) {
    const mean = num(r.summary[`${k}_mean`]);
    if (mean !== null) return { cores: mean / 100, source: `${k}_mean` };
  }
  return null;
}

/**
 * The runs that used under WASTE_FRACTION of the memory, CPUs or time they requested:
 * the over-request that sizing removes. Memory compares the job-level cgroup peak
 * (what the request limits) where recorded, else the group's memory key.
 */
export function wasteFlags(runs: RecommendRun[], memoryKey: string): WasteFlag[] {
  const flags: WasteFlag[] = [];
  const flag = (r: RecommendRun, resource: WasteFlag['resource'], used: number, requested: number, source: string): void => {
    const fraction = used / requested;
    if (fraction < WASTE_FRACTION) flags.push({ prefix: r.prefix, resource, used, requested, fraction, source });
  };
  for (const r of runs) {
    const req = r.request;
    if (!req) continue;
    if (req.mem_bytes !== null) {
      const job = num(r.summary[JOB_MEMORY_KEY]);
      const own = num(r.summary[memoryKey]);
      if (job !== null) flag(r, 'memory', job, req.mem_bytes, JOB_MEMORY_KEY);
      else if (own !== null) flag(r, 'memory', own, req.mem_bytes, memoryKey);
    }
    if (req.cpus !== null) {
      const mean = meanCores(r);
      if (mean) flag(r, 'cpus', mean.cores, req.cpus, mean.source);
    }
    const wall = num(r.summary.wall_clock_time);
    if (req.time_limit_seconds !== null && wall !== null) flag(r, 'time', wall, req.time_limit_seconds, 'wall_clock_time');
  }
  return flags;
}
