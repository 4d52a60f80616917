import type { MeasurementKey } from '../aggregation/catalogue.js';
import type { RunInfo } from '../files/info.js';
import { CONDUCT_DUCT_EQUIVALENTS } from '../files/legacy/conduct-names.js';
import { figuresOfInfo } from '../files/run-figures-of-info.js';
import { gpuFigures } from '../files/gpu-figures.js';
import { summarizeInfo } from '../files/run-reader.js';
import { humanizeBytes } from '../format/units.js';
import type { SummaryValues } from './summary-format.js';

/** The first key of a preference list that the run measured. */
function first(info: RunInfo, keys: readonly string[], field: 'peak' | 'mean' | 'total') {
  for (const k of keys) {
    const v = info.execution_summary[k as MeasurementKey]?.[field];
    if (typeof v === 'number') return v;
  }
  return null;
}


/** The cgroup line's note when the group's figures are not the run's. */
function cgroupNote(info: RunInfo): string {
  const c = info.cgroup;
  if (!c || c.mode === 'isolate' || c['membership'] === 'exclusive') return '';
  const n = typeof c['foreign_processes'] === 'number' ? c['foreign_processes'] : 0;
  const ex = c['foreign_example'] as { pid: number; comm: string } | null | undefined;
  if (c['membership'] === 'shared') {
    return ` (shared: ${n} other process${n === 1 ? '' : 'es'} in the cgroup${ex ? `, e.g. ${ex.pid} ${ex.comm}` : ''}; not the run's figure: --cgroup isolate, a SLURM step, a container or a systemd scope gives its own)`;
  }
  return ' (not verified to hold the run alone)';
}

/** The summary's GPU lines (memory peak against one device's memory, utilisation), '' where no GPU was measured. */
function gpuLines(info: RunInfo): string {
  const g = gpuFigures(summarizeInfo(info as unknown as Record<string, unknown>).summary);
  const lines: string[] = [];
  const on = g.count !== null ? ` on ${g.count} GPU${g.count === 1 ? '' : 's'}` : '';
  if (g.mem_peak) lines.push(`GPU Memory Peak: ${humanizeBytes(g.mem_peak.value)} (${g.mem_peak.meaning})${g.device_memory !== null ? ` of ${humanizeBytes(g.device_memory)}` : ''}${on}`);
  if (g.util_mean !== null) lines.push(`GPU Utilization: ${g.util_mean.toFixed(2)}% mean, ${(g.util_peak ?? g.util_mean).toFixed(2)}% peak${on}`);
  else if (g.count === 0) lines.push('GPU: none of the run\'s processes used a GPU');
  return lines.map((l) => `${l}\n`).join('');
}

/** Why the command failed, for people: a detected failure, the kernel OOM killer, or the signal. */
function failureOf(info: RunInfo): string {
  const oomKills = info.execution_summary['cgroup_oom_kills']?.total ?? 0;
  if (info.signal === 'SIGKILL' && oomKills > 0 && !info.forcefully_terminated) {
    return ` (OOM-killed: the kernel's OOM killer killed ${oomKills} process${oomKills === 1 ? '' : 'es'} in its cgroup)`;
  }
  if (info.detectors.headline) return ` (${info.detectors.headline})`;
  return info.signal ? ` (killed by ${info.signal})` : '';
}

/**
 * The values a summary template can name: the run fields, con-duct's field names
 * (filled from duct's keys with their right meaning: peak_pcpu is an interval rate),
 * and every measured key as KEY (its headline figure), KEY_peak, KEY_mean, KEY_total.
 */
export function summaryValues(info: RunInfo): SummaryValues {
  const figures = info.figures ?? figuresOfInfo(info as unknown as Record<string, unknown>);
  const v: SummaryValues = {
    exit_code: info.exit_code ?? info.duct_exit_code,
    signal: info.signal,
    failure: failureOf(info),
    command: info.command,
    logs_prefix: info.output_paths.prefix,
    wall_clock_time: info.wall_clock_time,
    message: info.message,
    start_time: info.start_time,
    end_time: info.end_time,
    ...Object.fromEntries(Object.entries(CONDUCT_DUCT_EQUIVALENTS).map(([name, e]) => [name, first(info, e.keys, e.stat)])),
    mem_peak: figures.mem_peak?.value ?? null,
    mem_peak_source: figures.mem_peak?.meaning ?? 'not measured',
    cpu_seconds: figures.cpu_seconds?.value ?? null,
    cpu_seconds_source: figures.cpu_seconds?.meaning ?? 'not measured',
    cgroup_note: cgroupNote(info),
    gpu_lines: gpuLines(info),
  };
  for (const [key, s] of Object.entries(info.execution_summary)) {
    v[key] = s.peak ?? s.total ?? (typeof s.last === 'number' || typeof s.last === 'string' ? s.last : null);
    if (s.peak !== undefined) v[`${key}_peak`] = s.peak;
    if (s.mean !== undefined) v[`${key}_mean`] = s.mean;
    if (s.total !== undefined) v[`${key}_total`] = s.total;
  }
  return v;
}
