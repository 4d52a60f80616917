import type { Unit } from '../aggregation/types.js';
import type { RunSummary } from '../files/run-reader.js';
import type { FieldCatalog, FieldValue } from './filter/evaluate.js';

/** A run as `ls` holds it: its summary (from the index) and where it lives. */
export interface ListedRun extends RunSummary {
  /** path of its info.json (absolute from the index; ls shows it relative to the working directory). */
  path: string;
  /** false when its info.json could not be parsed (nothing to list). */
  readable?: boolean;
  /** the QUICK_FIELDS values, kept beside the summary so a plain listing never parses it. */
  quick?: Partial<Record<QuickField, FieldValue>>;
}

/** The default columns of `ls` that are not path-derived, stored as index columns. */
export const QUICK_FIELDS = ['command', 'exit_code', 'wall_clock_time', 'mem_peak', 'cpu_peak'] as const;
export type QuickField = (typeof QUICK_FIELDS)[number];

/**
 * Fields every run may have besides its measurement keys, with their meaning.
 * mem_peak and cpu_peak pick the best figure the run has, so runs measured
 * differently (and con-duct runs) line up in one column.
 */
export const RUN_FIELDS: Record<string, { unit?: Unit; about: string }> = {
  path: { about: "path of the run's info.json (relative to the working directory when under it)" },
  prefix: { about: "output prefix the run's files share (relative like path)" },
  format: { about: 'who wrote the run: duct or con-duct-0.2' },
  command: { about: 'the command line' },
  exit_code: { unit: 'count', about: 'exit status (null when killed by a signal)' },
  signal: { about: 'signal that killed the command, e.g. SIGKILL' },
  duct_exit_code: { unit: 'count', about: 'exit status duct returned' },
  wall_clock_time: { unit: 'seconds', about: 'seconds from spawn to exit' },
  start_time: { about: 'ISO 8601 start time' },
  end_time: { about: 'ISO 8601 end time' },
  status: { about: 'running or finished' },
  message: { about: 'the --message given' },
  hostname: { about: 'host it ran on' },
  working_directory: { about: 'working directory' },
  duct_version: { about: 'version of duct that wrote it' },
  schema_version: { about: 'version of the file shapes' },
  events: { unit: 'count', about: 'detector events found in its output' },
  cgroup_memory_limit: { unit: 'bytes', about: 'memory limit of its cgroup' },
  mem_peak: { unit: 'bytes', about: 'best memory peak measured: cgroup_mem_peak, else proc_hwm, proc_pss_total, proc_rss_total, ps_rss_total, pidusage_rss_total, conduct_peak_rss' },
  cpu_peak: { unit: 'percent', about: 'peak total CPU rate: proc_pdcpu_total, else ps_pdcpu_total, pidusage_pdcpu_total' },
};

const MEM_PEAK_KEYS = ['cgroup_mem_peak', 'proc_hwm', 'proc_pss_total', 'proc_rss_total', 'ps_rss_total', 'pidusage_rss_total', 'conduct_peak_rss'];
const CPU_PEAK_KEYS = ['proc_pdcpu_total', 'ps_pdcpu_total', 'pidusage_pdcpu_total'];

/** Collector-first key names: a key of this shape is a measurement even if no selected run has it. */
const MEASUREMENT_KEY = /^(ps|proc|cgroup|pidusage|conduct)_[a-z0-9_]+$/;

export const DEFAULT_FIELDS = ['prefix', 'command', 'exit_code', 'wall_clock_time', 'mem_peak', 'cpu_peak'] as const;

function firstNumber(run: ListedRun, keys: readonly string[]): number | null {
  for (const k of keys) {
    const v = run.summary[k];
    if (typeof v === 'number') return v;
  }
  return null;
}

/** The value of one field of a run (null when the run lacks it). */
export function fieldValue(run: ListedRun, name: string): FieldValue {
  if (run.quick && Object.hasOwn(run.quick, name)) return run.quick[name as QuickField] ?? null;
  switch (name) {
    case 'path':
      return run.path;
    case 'prefix':
      return run.prefix;
    case 'format':
      return run.format;
    case 'mem_peak':
      return firstNumber(run, MEM_PEAK_KEYS);
    case 'cpu_peak':
      return firstNumber(run, CPU_PEAK_KEYS);
    default:
      return run.summary[name] ?? null;
  }
}

/** The unit of a field in a run, when numeric. */
export function fieldUnit(run: ListedRun | undefined, name: string): Unit | undefined {
  return RUN_FIELDS[name]?.unit ?? run?.units[name];
}

/** The fields of a set of runs: the run fields, then every measurement figure any of them has, with its unit. */
export function collectFields(runs: readonly ListedRun[]): Map<string, Unit | undefined> {
  const fields = new Map<string, Unit | undefined>();
  for (const [name, f] of Object.entries(RUN_FIELDS)) fields.set(name, f.unit);
  const extra = new Map<string, Unit | undefined>();
  for (const r of runs) {
    for (const k of Object.keys(r.summary)) {
      if (!fields.has(k) && !extra.has(k)) extra.set(k, r.units[k]);
      else if (extra.has(k) && extra.get(k) === undefined && r.units[k]) extra.set(k, r.units[k]);
    }
  }
  for (const k of [...extra.keys()].sort()) fields.set(k, extra.get(k));
  return fields;
}

/** Filter catalog over the fields of these runs (a collector-first key is known even when absent). */
export function fieldCatalog(fields: Map<string, Unit | undefined>): FieldCatalog {
  return {
    known: (name) => fields.has(name) || MEASUREMENT_KEY.test(name),
    unit: (name) => fields.get(name) ?? unitFromKeyName(name),
  };
}

/**
 * The unit a measurement key has by its name, for files that do not record units
 * (a usage.jsonl read alone) and keys no selected run has.
 */
export function unitFromKeyName(key: string): Unit | undefined {
  const k = key.replace(/_mean$/, '');
  if (/_(rate)$/.test(k)) return 'bytes/s';
  if (/(pdcpu|pmem|pcpu)(_total)?$/.test(k)) return 'percent';
  if (/_(cpu_seconds|etime)$/.test(k) || k === 'wall_clock_time') return 'seconds';
  if (/_(nproc|oom_kills)$/.test(k)) return 'count';
  if (/(_rss|_pss|_uss|_vsz|_hwm|_mem_peak|_mem_current|_bytes)(_total)?$/.test(k)) return 'bytes';
  return undefined;
}
