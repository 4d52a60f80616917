import { quantile } from 'simple-statistics';
import { eligibleKeys, FIGURE_KEYS } from '../files/run-figures.js';
import { CPU_RATE_KEYS, JOB_MEMORY_KEY } from './keys.js';
import type { RecommendRun } from './recommend-run.js';
import { formatSlurmMem, formatSlurmTime } from './sbatch-format.js';
import { gpuRecommendation, gpuWasteFlags, gresFlag, type GpuRecommendation, type GpuWasteFlag } from './gres.js';
import { wasteFlags, type WasteFlag } from './waste.js';

export type { RecommendRun } from './recommend-run.js';

export interface RecommendOptions {
  /** fraction added to memory and time (0.2 = 20%). */
  headroom: number;
  /** the percentile of the total CPU rate that sizes --cpus-per-task (0.95). */
  cpu_quantile: number;
}

export interface MemoryFigure {
  key: string;
  /** runs that had the key. */
  runs: number;
  peak_bytes: number;
  recommended_bytes: number;
  /** the --mem value, e.g. "3500M". */
  value: string;
}

export interface CpuFigure {
  key: string;
  runs: number;
  /** usage windows (or run peaks, where a run's series was not available) the percentile is over. */
  points: number;
  percentile_percent: number;
  cores: number;
  value: number;
}

export interface TimeFigure {
  runs: number;
  max_wall_seconds: number;
  recommended_seconds: number;
  value: string;
}

export interface GroupRecommendation {
  group: string;
  /** runs found in the group, finished or not. */
  runs: number;
  /** runs whose memory was measured (the ones --mem is sized from). */
  runs_used: number;
  /** runs left out, with why. */
  skipped: { prefix: string; reason: string }[];
  memory: MemoryFigure | null;
  /** largest job-level cgroup peak (cgroup_job_mem_peak), what SLURM's --mem is enforced on. */
  job_mem_peak_bytes: number | null;
  cpus: CpuFigure | null;
  time: TimeFigure | null;
  /** "#SBATCH --mem=… --cpus-per-task=… --time=…" with the flags that could be sized. */
  sbatch: string;
  waste: WasteFlag[];
  /** what the runs used of their GPUs (--gres), null where none measured them. */
  gpu: GpuRecommendation | null;
  /** runs whose GPUs sat mostly idle. */
  gpu_waste: GpuWasteFlag[];
}

/** A CPU percentile at most this far over a whole number of cores counts as that number (tick jitter reads a single-threaded job as 101%). */
export const CORE_TOLERANCE = 0.05;

function num(v: number | string | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * The key that covers the most runs, ties going to the earlier (better) key:
 * mixing keys across the runs of one group would compare different things.
 */
function pickKey(runs: RecommendRun[], keys: readonly string[], has: (r: RecommendRun, k: string) => boolean): string | null {
  let best: string | null = null;
  let bestCount = 0;
  for (const k of keys) {
    const count = runs.filter((r) => has(r, k)).length;
    if (count > bestCount) [best, bestCount] = [k, count];
  }
  return best;
}

/** A run's memory candidates it may be sized by (a cgroup's mark only where the cgroup held the run alone). */
function memoryCandidate(r: RecommendRun, k: string): boolean {
  return num(r.summary[k]) !== null && (eligibleKeys('mem_peak', r.summary) as string[]).includes(k);
}

function memoryFigure(runs: RecommendRun[], headroom: number): MemoryFigure | null {
  const key = pickKey(runs, [...FIGURE_KEYS.mem_peak, 'conduct_peak_rss'], memoryCandidate);
  if (key === null) return null;
  const peaks = runs.filter((r) => memoryCandidate(r, key)).map((r) => num(r.summary[key])).filter((v): v is number => v !== null);
  const peak = Math.max(...peaks);
  const recommended = peak * (1 + headroom);
  return { key, runs: peaks.length, peak_bytes: peak, recommended_bytes: recommended, value: formatSlurmMem(recommended) };
}

function cpuFigure(runs: RecommendRun[], q: number): CpuFigure | null {
  const key = pickKey(runs, CPU_RATE_KEYS, (r, k) => (r.cpu_windows[k]?.length ?? 0) > 0 || num(r.summary[k]) !== null);
  if (key === null) return null;
  const points: number[] = [];
  let used = 0;
  for (const r of runs) {
    const windows = r.cpu_windows[key] ?? [];
    const peak = num(r.summary[key]);
    if (windows.length > 0) points.push(...windows);
    else if (peak !== null) points.push(peak);
    else continue;
    used++;
  }
  const pct = quantile(points, q);
  const cores = pct / 100;
  // CPUs get no headroom: too few cores slows a job, it never kills it (unlike --mem and --time).
  const value = Math.max(1, Math.ceil(cores - CORE_TOLERANCE));
  return { key, runs: used, points: points.length, percentile_percent: pct, cores, value };
}

function timeFigure(runs: RecommendRun[], headroom: number): TimeFigure | null {
  const walls = runs.map((r) => num(r.summary.wall_clock_time)).filter((v): v is number => v !== null);
  if (walls.length === 0) return null;
  const max = Math.max(...walls);
  const value = formatSlurmTime(max * (1 + headroom));
  return { runs: walls.length, max_wall_seconds: max, recommended_seconds: max * (1 + headroom), value };
}

function sbatchLine(mem: MemoryFigure | null, cpus: CpuFigure | null, time: TimeFigure | null, gres: string | null): string {
  const flags: string[] = [];
  if (mem) flags.push(`--mem=${mem.value}`);
  if (cpus) flags.push(`--cpus-per-task=${cpus.value}`);
  if (time) flags.push(`--time=${time.value}`);
  if (gres) flags.push(gres);
  return `#SBATCH ${flags.join(' ')}`;
}

/** Size one group of runs; null when none of its finished runs has a memory measurement. */
export function recommendGroup(group: string, runs: RecommendRun[], opts: RecommendOptions): GroupRecommendation | null {
  const skipped: GroupRecommendation['skipped'] = [];
  const finished: RecommendRun[] = [];
  for (const r of runs) {
    if (r.finished) finished.push(r);
    else skipped.push({ prefix: r.prefix, reason: 'still running' });
  }
  const memory = memoryFigure(finished, opts.headroom);
  if (memory === null) return null;
  for (const r of finished) {
    if (!memoryCandidate(r, memory.key)) {
      const shared = num(r.summary[memory.key]) !== null;
      skipped.push({ prefix: r.prefix, reason: shared ? `its ${memory.key} is of a cgroup shared with other processes (cgroup_scope ${String(r.summary['cgroup_scope'])})` : `no ${memory.key}` });
    }
  }
  const jobPeaks = finished.map((r) => num(r.summary[JOB_MEMORY_KEY])).filter((v): v is number => v !== null);
  const cpus = cpuFigure(finished, opts.cpu_quantile);
  const time = timeFigure(finished, opts.headroom);
  const gpu = gpuRecommendation(finished);
  return {
    group,
    runs: runs.length,
    runs_used: memory.runs,
    skipped,
    memory,
    job_mem_peak_bytes: jobPeaks.length > 0 ? Math.max(...jobPeaks) : null,
    cpus,
    time,
    sbatch: sbatchLine(memory, cpus, time, gresFlag(gpu)),
    waste: wasteFlags(finished, memory.key),
    gpu,
    gpu_waste: gpuWasteFlags(finished),
  };
}

/** Groups in first-seen order, each sized; groups with no measured run are listed by name in `unmeasured`. */
export function recommend(runs: RecommendRun[], opts: RecommendOptions): { groups: GroupRecommendation[]; unmeasured: string[] } {
  const byGroup = new Map<string, RecommendRun[]>();
  for (const r of runs) {
    const key = r.group_key ?? r.group;
    const list = byGroup.get(key);
    if (list) list.push(r);
    else byGroup.set(key, [r]);
  }
  const groups: GroupRecommendation[] = [];
  const unmeasured: string[] = [];
  for (const members of byGroup.values()) {
    // named as duct wrote it (quoted) where a member is a duct run, else as con-duct did
    const group = (members.find((m) => m.group_key !== undefined) ?? members[0]!).group;
    const rec = recommendGroup(group, members, opts);
    if (rec) groups.push(rec);
    else unmeasured.push(group);
  }
  return { groups, unmeasured };
}
