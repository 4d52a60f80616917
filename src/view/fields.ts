import { GPU_MEM_PEAK_KEYS, gpuFigures } from '../files/gpu-figures.js';
import { BY_KEY } from '../aggregation/catalogue.js';
import type { Unit } from '../aggregation/types.js';
import { CONDUCT_DUCT_EQUIVALENTS, CONDUCT_SUMMARY_FIELDS, CONDUCT_USAGE_FIELDS } from '../files/legacy/conduct-names.js';
import { conductUsagePath } from '../files/legacy/read-conduct.js';
import { FIGURE_KEYS, runFigure, type FigureName } from '../files/run-figures.js';
import { exitCodeOf, statusOf } from './run-ending.js';
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
  exit_code: { unit: 'count', about: 'exit status: 128 + the signal number when a signal killed it (143 for SIGTERM), as a shell reports it' },
  signal: { about: 'signal that killed the command, e.g. SIGKILL' },
  duct_exit_code: { unit: 'count', about: 'exit status duct returned' },
  wall_clock_time: { unit: 'seconds', about: 'seconds from spawn to exit' },
  start_time: { about: 'ISO 8601 start time' },
  end_time: { about: 'ISO 8601 end time' },
  status: { about: 'running, finished, or killed (info.json says running but its duct is gone from this host since this boot)' },
  message: { about: 'the --message given' },
  hostname: { about: 'host it ran on' },
  working_directory: { about: 'working directory' },
  duct_version: { about: 'version of duct that wrote it' },
  schema_version: { about: 'version of the file shapes' },
  events: { unit: 'count', about: 'detector events found in its output' },
  cgroup_memory_limit: { unit: 'bytes', about: 'memory limit of its cgroup' },
  cgroup_scope: { about: "what its cgroup figures are worth: isolate (the command's own group), exclusive (verified to hold the run alone), shared (other processes were in it: never the run's figure), unverified" },
  mem_peak: { unit: 'bytes', about: `the run's memory peak: ${FIGURE_KEYS.mem_peak.join(', then ')}, then conduct_peak_rss (cgroup_mem_peak only from a cgroup holding the run alone; never a per-process key)` },
  mem_peak_source: { about: 'the key mem_peak came from' },
  cpu_peak: { unit: 'percent', about: `peak total CPU rate: ${FIGURE_KEYS.cpu_peak.join(', then ')}` },
  cpu_peak_source: { about: 'the key cpu_peak came from' },
  cpu_seconds: { unit: 'seconds', about: `CPU seconds of the run: ${FIGURE_KEYS.cpu_seconds.join(', then ')}` },
  cpu_seconds_source: { about: 'the key cpu_seconds came from' },
  gpu_mem_peak: { unit: 'bytes', about: `the run's GPU memory peak: ${GPU_MEM_PEAK_KEYS.join(', then ')} (its own processes where matched by pid, else every process on its GPUs)` },
  gpu_util_mean: { unit: 'percent', about: 'time-weighted mean utilisation of the GPUs the run used (nvidia_gpu_util mean)' },
  gpu_device_memory: { unit: 'bytes', about: 'memory of the largest GPU nvidia-smi listed for the run' },
};

/** The run fields that are headline figures (run-figures.ts), and the ones naming their source. */
const FIGURE_FIELDS: Record<string, FigureName> = { mem_peak: 'mem_peak', cpu_peak: 'cpu_peak', cpu_seconds: 'cpu_seconds' };
const SOURCE_FIELDS: Record<string, FigureName> = { mem_peak_source: 'mem_peak', cpu_peak_source: 'cpu_peak', cpu_seconds_source: 'cpu_seconds' };

/** A con-duct `ls` field name: how duct fills it for con-duct and duct runs alike. */
export interface ConductLsField {
  unit?: Unit;
  about: string;
  value(run: ListedRun): FieldValue;
}

/** A con-duct figure: its own value in a con-duct run, the first duct equivalent key in a duct run. */
function conductFigure(name: string): (run: ListedRun) => FieldValue {
  const own = CONDUCT_SUMMARY_FIELDS[name]?.name;
  const equivalent = CONDUCT_DUCT_EQUIVALENTS[name];
  return (run) => {
    if (run.format === 'con-duct-0.2') return own ? (run.summary[own] ?? null) : null;
    for (const k of equivalent?.keys ?? []) {
      const v = run.summary[equivalent!.stat === 'peak' ? k : `${k}_mean`];
      if (typeof v === 'number') return v;
    }
    return null;
  };
}

/** A file of the run: its prefix and con-duct's suffix for it (duct uses the same ones). */
function runFile(suffix: string): (run: ListedRun) => FieldValue {
  return (run) => `${run.prefix}${suffix}`;
}

const summaryField = (key: string) => (run: ListedRun): FieldValue => run.summary[key] ?? null;
const RSS_SOURCES = CONDUCT_DUCT_EQUIVALENTS.peak_rss!.keys.join(', ');
const CPU_SOURCES = CONDUCT_DUCT_EQUIVALENTS.peak_pcpu!.keys.join(', ');

/**
 * con-duct 0.2's `ls` field names that are not duct run fields (those, e.g. command and
 * exit_code, mean the same in both), so a con-duct user's -F, --sort and --filter keep working.
 */
export const CONDUCT_LS_FIELDS: Record<string, ConductLsField> = {
  peak_rss: { unit: 'bytes', about: `summed RSS peak (con-duct's peak_rss; for duct runs ${RSS_SOURCES}): shared pages counted once per process, an upper bound; not mem_peak`, value: conductFigure('peak_rss') },
  average_rss: { unit: 'bytes', about: `mean of the summed RSS (con-duct's average_rss; for duct runs the _mean of ${RSS_SOURCES})`, value: conductFigure('average_rss') },
  peak_vsz: { unit: 'bytes', about: "summed virtual size peak (con-duct's peak_vsz; ps_vsz_total for duct runs)", value: conductFigure('peak_vsz') },
  average_vsz: { unit: 'bytes', about: "mean summed virtual size (con-duct's average_vsz; ps_vsz_total_mean for duct runs)", value: conductFigure('average_vsz') },
  peak_pmem: { unit: 'percent', about: "summed ps %MEM peak (con-duct's peak_pmem; ps_pmem_total for duct runs)", value: conductFigure('peak_pmem') },
  average_pmem: { unit: 'percent', about: "mean summed ps %MEM (con-duct's average_pmem; ps_pmem_total_mean for duct runs)", value: conductFigure('average_pmem') },
  peak_pcpu: { unit: 'percent', about: `con-duct runs: largest sum of ps lifetime %CPU; duct runs: peak interval CPU rate (${CPU_SOURCES}), which is cpu_peak`, value: conductFigure('peak_pcpu') },
  average_pcpu: { unit: 'percent', about: `con-duct runs: mean sum of ps lifetime %CPU; duct runs: mean interval CPU rate (the _mean of ${CPU_SOURCES})`, value: conductFigure('average_pcpu') },
  num_samples: { unit: 'count', about: "con-duct's samples taken (duct records no count: null for duct runs)", value: conductFigure('num_samples') },
  num_reports: { unit: 'count', about: "con-duct's report counter (duct records no count: null for duct runs)", value: conductFigure('num_reports') },
  logs_prefix: { about: 'the same as prefix', value: (run) => run.prefix },
  stdout: { about: 'path of the captured stdout (prefix + stdout)', value: runFile('stdout') },
  stderr: { about: 'path of the captured stderr (prefix + stderr)', value: runFile('stderr') },
  usage: { about: 'path of the usage records (prefix + usage.jsonl; usage.json for con-duct before 0.18)', value: (run) => (run.format === 'con-duct-0.2' ? conductUsagePath(run.prefix) : `${run.prefix}usage.jsonl`) },
  info: { about: 'path of info.json (prefix + info.json; path is the same)', value: runFile('info.json') },
  cpu_total: { unit: 'count', about: "the host's logical CPUs", value: summaryField('cpu_total') },
  memory_total: { unit: 'bytes', about: "the host's memory", value: summaryField('memory_total') },
  uid: { unit: 'count', about: 'user id that ran it (con-duct runs; duct does not record it: null)', value: summaryField('uid') },
  user: { about: 'user name that ran it (con-duct runs; duct does not record it: null)', value: summaryField('user') },
  gpu: { about: 'GPU models of the host, comma-separated (null when none was found)', value: summaryField('gpu') },
};

export const DEFAULT_FIELDS = ['prefix', 'command', 'exit_code', 'wall_clock_time', 'mem_peak', 'cpu_peak'] as const;

/** The value of one field of a run (null when the run lacks it). */
export function fieldValue(run: ListedRun, name: string): FieldValue {
  if (run.quick && Object.hasOwn(run.quick, name)) return run.quick[name as QuickField] ?? null;
  const figure = FIGURE_FIELDS[name] ?? SOURCE_FIELDS[name];
  if (figure) {
    const f = runFigure(figure, run.summary);
    return f === null ? null : FIGURE_FIELDS[name] ? f.value : f.source;
  }
  switch (name) {
    case 'path':
      return run.path;
    case 'prefix':
      return run.prefix;
    case 'format':
      return run.format;
    case 'exit_code':
      return exitCodeOf(run);
    case 'status':
      return statusOf(run);
    case 'gpu_mem_peak':
      return gpuFigures(run.summary).mem_peak?.value ?? null;
    case 'gpu_util_mean':
      return gpuFigures(run.summary).util_mean;
    default:
      if (Object.hasOwn(CONDUCT_LS_FIELDS, name)) return CONDUCT_LS_FIELDS[name]!.value(run);
      return run.summary[name] ?? null;
  }
}

/** The unit of a field in a run, when numeric. */
export function fieldUnit(run: ListedRun | undefined, name: string): Unit | undefined {
  return RUN_FIELDS[name]?.unit ?? (Object.hasOwn(CONDUCT_LS_FIELDS, name) ? CONDUCT_LS_FIELDS[name]!.unit : run?.units[name]);
}

/** The fields of a set of runs: the run fields, then every measurement figure any of them has, with its unit. */
export function collectFields(runs: readonly ListedRun[]): Map<string, Unit | undefined> {
  const fields = new Map<string, Unit | undefined>();
  for (const [name, f] of Object.entries(RUN_FIELDS)) fields.set(name, f.unit);
  for (const [name, f] of Object.entries(CONDUCT_LS_FIELDS)) fields.set(name, f.unit);
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

/** Filter catalog over the fields of these runs (a catalogue or legacy key is known even when absent). */
export function fieldCatalog(fields: Map<string, Unit | undefined>): FieldCatalog {
  return {
    known: (name) => fields.has(name) || unitFromKeyName(name) !== undefined || BY_KEY.has(name.replace(/_mean$/, '')),
    unit: (name) => fields.get(name) ?? unitFromKeyName(name),
  };
}

const LEGACY_UNITS: ReadonlyMap<string, Unit> = new Map(
  [...Object.values(CONDUCT_SUMMARY_FIELDS), ...Object.values(CONDUCT_USAGE_FIELDS)].map((f) => [f.name, f.unit]),
);

/**
 * The unit of a measurement key (or its `_mean`) as the catalogue declares it, or of a
 * con-duct legacy name, for files that do not record units and keys no selected run has.
 */
export function unitFromKeyName(key: string): Unit | undefined {
  const k = key.replace(/_mean$/, '');
  if (k === 'wall_clock_time') return 'seconds';
  const unit = BY_KEY.get(k)?.unit ?? LEGACY_UNITS.get(k);
  return unit === 'label' || unit === 'state' ? undefined : unit;
}
