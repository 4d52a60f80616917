import { humanizeBytes, humanizePercent, humanizeSeconds } from '../format/units.js';
import { FIGURE_KEYS, SOURCE_MEANING, type FigureSource } from '../files/run-figures.js';
import { GPU_UTIL_RED_PERCENT, GPU_UTIL_WARN_PERCENT } from './gres.js';
import { formatSlurmMem, scriptSafeLines } from './sbatch-format.js';
import type { GroupRecommendation } from './recommend.js';
import { WASTE_FRACTION, type WasteFlag } from './waste.js';

const pct = (f: number): string => `${Math.round(f * 100)}%`;
const runs = (n: number): string => `${n} run${n === 1 ? '' : 's'}`;

function wasteFigure(w: WasteFlag): string {
  const figures: Record<WasteFlag['resource'], () => string> = {
    memory: () => `--mem: used ${humanizeBytes(w.used)} of ${humanizeBytes(w.requested)}`,
    cpus: () => `CPUs: used ${w.used.toFixed(2)} on average of ${w.requested}`,
    time: () => `--time: ran ${humanizeSeconds(w.used)} of ${humanizeSeconds(w.requested)}`,
  };
  return `${figures[w.resource]()} (${pct(w.fraction)}, from ${w.source})`;
}

/** One line per wasteful run, its resources side by side. */
function wasteLines(flags: WasteFlag[]): string[] {
  const byRun = new Map<string, string[]>();
  for (const w of flags) byRun.set(w.prefix, [...(byRun.get(w.prefix) ?? []), wasteFigure(w)]);
  return [
    `#   waste: ${runs(byRun.size)} used under ${pct(WASTE_FRACTION)} of what they requested:`,
    ...[...byRun].map(([prefix, figures]) => `#     ${prefix}: ${figures.join('; ')}`),
  ];
}

/** The --gres line, the GPU memory peak against one device's memory, and the idle-GPU flags (jobstats' thresholds). */
function gpuLines(g: GroupRecommendation): string[] {
  const gpu = g.gpu;
  if (!gpu) return [];
  const lines = [
    gpu.gpus > 0
      ? `#   --gres=gpu:${gpu.gpus}: the most GPUs a run used at once (nvidia_gpu_count) over ${runs(gpu.runs)}`
      : `#   --gres: no run used a GPU (nvidia_gpu_count 0 over ${runs(gpu.runs)}): request none`,
  ];
  if (gpu.mem_peak_bytes !== null) {
    const of = gpu.device_bytes !== null ? ` of ${humanizeBytes(gpu.device_bytes)} per GPU (${pct(gpu.mem_peak_bytes / gpu.device_bytes)})` : '';
    lines.push(`#   GPU memory: peak ${gpu.mem_source} ${humanizeBytes(gpu.mem_peak_bytes)}${of}`);
  }
  for (const w of g.gpu_waste) {
    const threshold = w.level === 'red' ? GPU_UTIL_RED_PERCENT : GPU_UTIL_WARN_PERCENT;
    lines.push(`#   ${w.level === 'red' ? 'waste (red)' : 'waste (warning)'}: ${w.prefix}: GPU utilization ${humanizePercent(w.util_mean_percent)} on average, under ${threshold}% (nvidia_gpu_util mean)`);
  }
  return lines;
}

/**
 * One group as text a person can paste into a batch script: the #SBATCH line, then
 * comment lines saying where each figure came from and the headroom applied.
 */
export function formatGroup(g: GroupRecommendation, headroom: number, cpuQuantile: number): string[] {
  const lines = [`# ${g.group}: ${runs(g.runs)}, ${g.runs_used} with ${g.memory?.key ?? 'memory'} measured`, g.sbatch];
  const h = `+ ${pct(headroom)} headroom`;
  if (g.memory) {
    const m = g.memory;
    const best = FIGURE_KEYS.mem_peak[0];
    const fallback = m.key === best ? '' : ` (${SOURCE_MEANING[m.key as FigureSource] ?? m.key}; no ${best} of a cgroup holding the run alone)`;
    lines.push(`#   --mem=${m.value}: peak ${m.key} ${humanizeBytes(m.peak_bytes)} over ${runs(m.runs)} ${h}${fallback}`);
  }
  if (g.job_mem_peak_bytes !== null) {
    lines.push(`#   job cgroup peak (cgroup_job_mem_peak): ${humanizeBytes(g.job_mem_peak_bytes)}; SLURM enforces --mem on the job's cgroup`);
    if (g.memory && g.job_mem_peak_bytes > g.memory.recommended_bytes) {
      lines.push(`#   warning: the job cgroup peak is above --mem=${g.memory.value}; the job's other processes need room too, e.g. --mem=${formatSlurmMem(g.job_mem_peak_bytes * (1 + headroom))}`);
    }
  }
  if (g.cpus) {
    const c = g.cpus;
    lines.push(
      `#   --cpus-per-task=${c.value}: p${Math.round(cpuQuantile * 100)} of ${c.key} ${humanizePercent(c.percentile_percent)} ` +
        `over ${c.points} usage windows of ${runs(c.runs)} = ${c.cores.toFixed(2)} cores, rounded up (no headroom: CPUs slow a job, never kill it)`,
    );
  } else {
    lines.push('#   --cpus-per-task: not sized, no total CPU rate recorded (proc_pdcpu_total, ps_pdcpu_total, pidusage_pdcpu_total)');
  }
  if (g.time) {
    lines.push(`#   --time=${g.time.value}: longest wall time ${humanizeSeconds(g.time.max_wall_seconds)} over ${runs(g.time.runs)} ${h}, rounded up to whole minutes`);
  } else {
    lines.push('#   --time: not sized, no finished run has a wall_clock_time');
  }
  lines.push(...gpuLines(g));
  if (g.skipped.length > 0) {
    lines.push(`#   not used: ${g.skipped.map((s) => `${s.prefix} (${s.reason})`).join(', ')}`);
  }
  if (g.waste.length > 0) lines.push(...wasteLines(g.waste));
  // the group name, prefixes and reasons come from the runs' files
  return scriptSafeLines(lines);
}
