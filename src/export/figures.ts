import type { RunInfo } from '../files/info.js';
// the one dependency on the run's headline values: swap this import to move to another source of them
import { summaryValues } from '../run/summary-values.js';

/** One exported figure of a run, named for OTLP and for Prometheus (README "Sending to your monitoring" lists them). */
export interface RunFigure {
  /** OTel name: a semantic-convention one where it exists, else `duct.*`. */
  otel: string;
  /** Prometheus name, base units, `_total` on counters. */
  prom: string;
  /** UCUM unit as OTLP carries it. */
  unit: string;
  /** counter: a cumulative total that only grows while the run lasts; gauge: a level. */
  kind: 'gauge' | 'counter';
  help: string;
  value: number;
}

type Spec = Omit<RunFigure, 'value'> & { value: (v: ReturnType<typeof summaryValues>, info: RunInfo, nowMs: number) => number | null };

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const cores = (pcpu: unknown): number | null => (num(pcpu) === null ? null : (pcpu as number) / 100);

/** Every figure, in export order; a figure the run did not measure is left out, never sent as 0. */
export const FIGURES: readonly Spec[] = [
  { otel: 'duct.memory.peak', prom: 'duct_memory_peak_bytes', unit: 'By', kind: 'gauge',
    help: "The run's peak memory, duct's headline figure: the high-water mark of a cgroup holding the run alone, else PSS, else summed RSS.",
    value: (v) => num(v.mem_peak) },
  { otel: 'duct.memory.rss.average', prom: 'duct_memory_rss_average_bytes', unit: 'By', kind: 'gauge',
    help: "Time-weighted mean of the summed RSS of the command's process tree (an upper bound: shared pages counted per process).", value: (v) => num(v.average_rss) },
  { otel: 'process.cpu.time', prom: 'duct_cpu_seconds_total', unit: 's', kind: 'counter',
    help: "CPU seconds (user + system) used by the command's process tree so far.", value: (v) => num(v.cpu_seconds) },
  { otel: 'duct.cpu.peak', prom: 'duct_cpu_peak_cores', unit: '{cpu}', kind: 'gauge',
    help: 'Peak CPU rate of the process tree over a sample interval, in cores (1 = one core busy).', value: (v) => cores(v.peak_pcpu) },
  { otel: 'duct.cpu.average', prom: 'duct_cpu_average_cores', unit: '{cpu}', kind: 'gauge',
    help: 'Time-weighted mean CPU rate of the process tree, in cores.', value: (v) => cores(v.average_pcpu) },
  { otel: 'process.uptime', prom: 'duct_wall_seconds', unit: 's', kind: 'gauge',
    help: 'Wall-clock seconds since the command started (its whole run time once finished).',
    value: (v, _i, nowMs) => num(v.wall_clock_time) ?? (typeof v.start_time === 'string' ? Math.max(0, (nowMs - Date.parse(v.start_time)) / 1000) : null) },
  { otel: 'duct.gpu.memory.peak', prom: 'duct_gpu_memory_peak_bytes', unit: 'By', kind: 'gauge',
    help: "Peak GPU memory of the run's own processes (nvidia_gpu_mem_total), else device memory used on the GPUs it used (nvidia_gpu_mem_used).",
    value: (_v, info) => num(info.execution_summary['nvidia_gpu_mem_total']?.peak) ?? num(info.execution_summary['nvidia_gpu_mem_used']?.peak) },
  { otel: 'duct.gpu.utilization', prom: 'duct_gpu_utilization_ratio', unit: '1', kind: 'gauge',
    help: 'Time-weighted mean utilisation of the GPUs the run used, 0 to 1 (nvidia_gpu_util).',
    value: (_v, info) => { const m = num(info.execution_summary['nvidia_gpu_util']?.mean); return m === null ? null : m / 100; } },
  { otel: 'duct.gpu.count', prom: 'duct_gpus', unit: '{gpu}', kind: 'gauge',
    help: 'GPUs the run used (nvidia_gpu_count).', value: (_v, info) => num(info.execution_summary['nvidia_gpu_count']?.peak) },
  { otel: 'duct.run.start_time', prom: 'duct_start_time_seconds', unit: 's', kind: 'gauge',
    help: 'When the command started, seconds since the Unix epoch.', value: (v) => (typeof v.start_time === 'string' ? Date.parse(v.start_time) / 1000 : null) },
  { otel: 'duct.run.exit_code', prom: 'duct_exit_code', unit: '1', kind: 'gauge',
    help: "The command's exit status (128 + signal number when killed by a signal); absent while it runs.",
    value: (v, info) => (info.status === 'finished' ? num(v.exit_code) : null) },
  { otel: 'duct.run.finished', prom: 'duct_run_finished', unit: '1', kind: 'gauge',
    help: '1 once the run has ended and these are its final figures, 0 while it runs.', value: (_v, info) => (info.status === 'finished' ? 1 : 0) },
];

/** The run's figures as of `info` (a report's running info, or the final one). */
export function runFigures(info: RunInfo, nowMs: number): RunFigure[] {
  const values = summaryValues(info);
  const out: RunFigure[] = [];
  for (const { value, ...spec } of FIGURES) {
    const v = value(values, info, nowMs);
    if (v !== null) out.push({ ...spec, value: v });
  }
  return out;
}
