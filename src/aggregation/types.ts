/**
 * Contracts between the run loop (src/run) and the measurement engine.
 * Field names here are the names written to usage.jsonl and info.json (see schema/).
 */

/** A per-pid map: pid (as a decimal string) → value. */
export type PerPid<V> = Record<string, V>;

/** One measurement's value in a usage record: a single number, or per pid a number, a label, or a state tally. */
export type MeasurementValue = number | PerPid<number> | PerPid<string> | PerPid<Record<string, number>>;

/** One line of <prefix>usage.jsonl. Present-iff-measured: a key appears only if measured in the window. */
export interface UsageRecord {
  /** Wall-clock time of the report, ISO 8601 with offset. */
  timestamp: string;
  /** Number of samples aggregated into this record. */
  num_samples: number;
  measurements: Record<string, MeasurementValue>;
}

export type Unit = 'bytes' | 'seconds' | 'percent' | 'count' | 'bytes/s' | 'label' | 'state';

/** The run-level figures of one key in info.json's execution_summary; only the fitting ones appear. */
export interface KeySummary {
  unit: Unit;
  /** gauges and rates: the largest reduced value seen in any report. */
  peak?: number;
  /** gauges and rates: time-weighted mean over the run. */
  mean?: number;
  /** counters: total over the run (sum of report deltas). */
  total?: number;
  /** labels: last value seen; categorical: tally over the run. */
  last?: number | string;
  tally?: Record<string, number>;
}

export type ExecutionSummary = Record<string, KeySummary>;

/** What the cgroup collector found; recorded in info.json. */
export interface CgroupInfo {
  version: 'v1' | 'v2' | 'hybrid' | 'none';
  /** memory controller path (relative to its mount), or null when none was found. */
  memory_path: string | null;
  /** cpu accounting path (v1 cpu,cpuacct may differ from memory). */
  cpu_path: string | null;
  /** memory limit in bytes, null when unlimited or unknown. */
  memory_limit_bytes: number | null;
  mode: 'reader' | 'isolate';
  /** why cgroup keys are unavailable, when they are. */
  unavailable_reason?: string;
  /** reader mode: whether the group held only the run (checked at start and at every report). */
  membership?: 'exclusive' | 'shared';
  /** reader mode: distinct processes seen in the group that are not the run's. */
  foreign_processes?: number;
  /** reader mode: one of them, for people. */
  foreign_example?: { pid: number; comm: string } | null;
  /** extra hierarchy facts (e.g. a SLURM job-level path), collector-specific. */
  [extra: string]: unknown;
}

/** Provenance of the measurement selection; recorded in info.json under `measurements`. */
export interface MeasurementInfo {
  /** keys actually measured, in catalogue order. */
  selected: string[];
  /** what the user asked for (keys and presets), as given. */
  requested: string[];
  /** each selected key's unit. */
  units: Record<string, Unit>;
  /** keys of the catalogue not available on this machine, with a reason a person can act on. */
  unavailable: Record<string, string>;
  sample_interval: number;
  report_interval: number;
  /** the GPU collector's findings (its tool, how readings were attributed to the run, each GPU), when GPU keys were measured. */
  gpu?: GpuProvenance;
}

/** What the GPU collector found, in info.json's measurements.gpu. */
export interface GpuProvenance {
  /** the tool read. */
  collector: 'nvidia-smi';
  /** how readings were tied to the run, each used at least once: `pid` (its processes seen on a GPU) or `device:<VARIABLE>` (the GPUs a device variable names). */
  attribution: string[];
  /** every GPU nvidia-smi listed at the start. */
  gpus: Array<{ index: number; uuid: string; name: string | null; memory_total_bytes: number | null; driver_version: string | null }>;
}

/** The process tree the run loop needs: which pids belong to the run. */
export interface ProcessTreeSource {
  /** pids currently in the run (the command and its descendants / session members). */
  members(): Promise<number[]>;
  /** A member was seen in another session (it called setsid): it is no longer the run's. */
  leave?(pid: number): void;
}

/**
 * The measurement engine as the run loop sees it. It owns all state
 * (buffer, seeds, reduces, run summary); the loop only calls it on time.
 */
export interface MeasurementEngine {
  /** Take one sample from every selected collector (one I/O pass each). */
  sample(): Promise<void>;
  /** Aggregate the buffered samples into one record and start a new window; null when there were no samples. */
  report(): Promise<UsageRecord | null>;
  /** Run-level figures over every report so far. */
  summary(): ExecutionSummary;
  /** Selection provenance for info.json. */
  describe(): MeasurementInfo;
  /** cgroup facts for info.json, or null when the cgroup collector is not in use. */
  cgroup(): CgroupInfo | null;
  /** The command has just been reaped: read what only then is whole (duct's reaped-children CPU), before anything else is reaped. */
  commandExited?(): Promise<void>;
  /** Release anything held (an isolate cgroup is removed here). */
  close(): Promise<void>;
  /** The run's process-tree source (its pids now; [] once all exited), e.g. for survivors at exit. */
  tree?: ProcessTreeSource;
  /** Problems met while measuring (a collector that failed, an isolate cgroup not removed), one sentence each. */
  warnings?(): string[];
}

export interface MeasurementRequest {
  /** keys and presets as the user gave them (`default` when none). */
  requested: string[];
  sampleInterval: number;
  reportInterval: number;
  cgroupMode: 'reader' | 'isolate';
  /** isolate only: memory limit written on the command's cgroup before it enters; null/absent for none. */
  memoryLimitBytes?: number | null;
  mode: 'new-session' | 'current-session';
}

/**
 * The selection resolved and checked before the command starts: an unknown or
 * unavailable key has already failed with a DuctError by the time this exists.
 */
export interface PreparedMeasurements {
  /** argv to put in front of the command (e.g. the fixed `sh -c` that enters an isolate cgroup); [] when none. */
  argvPrefix: string[];
  /** the isolate cgroup directories made for the command ([] when none), for the watchdog to remove if duct dies. */
  isolateDirs: string[];
  describe(): MeasurementInfo;
  /** Start measuring the spawned command. */
  start(rootPid: number): MeasurementEngine;
  /** The command never started: release what prepare() took (an isolate cgroup). */
  abort(): Promise<void>;
}
