import type { CollectorName } from '../collectors/types.js';
import type { Unit } from './types.js';

export type Scope = 'per_pid' | 'single';
export type Kind = 'gauge' | 'counter' | 'label' | 'categorical';

/** How costly a key is to read each sample, for `--measurements help` (measured in scripts/bench/benchmarks/overhead.ts). */
export type CostClass = 'low' | 'fork' | 'grows-with-memory' | 'grows-with-fds';

interface Common<K extends string> {
  /** collector-first name (`ps_…`, `proc_…`, `cgroup_…`); a new meaning is a new key. */
  key: K;
  collector: CollectorName;
  /** the collector's raw field read for this key. */
  field: string;
  scope: Scope;
  unit: Unit;
  /** one line: what the number means. */
  description: string;
  cost: CostClass;
  /**
   * `report`: read once per report instead of every sample (a kernel high-water mark);
   * `new-pids`: read for each process when first seen and for the live ones at each
   * report (a command line: it changes only at exec);
   * `faulted`: read for each process when first seen, on a sample where its page-fault
   * count (read with the collector's per-sample fields) moved since, and for the live
   * ones at each report (VmHWM: RSS rises only through the process's page faults).
   */
  cadence?: 'sample' | 'report' | 'new-pids' | 'faulted';
  /** single scope over per-pid readings: `sum` of the pids' values (default) or `count` of pids. */
  collapse?: 'sum' | 'count';
  /** rates of a counter in whole units (ps CPU time): derived only over spans at least this long, so one unit is a bounded error. */
  rateMinSpanSeconds?: number;
  /** a field a per-pid collector reads once for the whole run (CollectorReading.single: a GPU's utilisation), not a sum over pids. */
  groupField?: true;
}

/**
 * A measurement declaration. The union admits exactly the legal
 * kind → reduce combinations (gauge → max|mean|last; counter → delta |
 * sum_pid_deltas | rate then max; label → last; categorical → tally), so an
 * illegal pair does not compile where the catalogue declares it.
 */
export type Measurement<K extends string = string> =
  | (Common<K> & { kind: 'gauge'; derive?: undefined; reduce: 'max' })
  | (Common<K> & { kind: 'gauge'; derive?: undefined; reduce: 'mean' })
  | (Common<K> & { kind: 'gauge'; derive?: undefined; reduce: 'last' })
  | (Common<K> & { kind: 'counter'; derive?: undefined; reduce: 'delta'; scope: 'single' })
  | (Common<K> & { kind: 'counter'; derive?: undefined; reduce: 'sum_pid_deltas'; scope: 'single' })
  | (Common<K> & { kind: 'counter'; derive: 'rate'; /** rate per second × this (100: CPU seconds/s → percent). */ rateScale: number; reduce: 'max' })
  | (Common<K> & { kind: 'label'; derive?: undefined; reduce: 'last'; scope: 'per_pid' })
  | (Common<K> & { kind: 'categorical'; derive?: undefined; reduce: 'tally'; scope: 'per_pid' });

export type Reduce = Measurement['reduce'];

/** The reduces each kind may use, as data (for the runtime check of a catalogue and for help text). */
export const LEGAL_REDUCES: { [K in Kind]: readonly Reduce[] } = {
  gauge: ['max', 'mean', 'last'],
  counter: ['delta', 'sum_pid_deltas', 'max'],
  label: ['last'],
  categorical: ['tally'],
};

/** A declaration as plain data, before the type has vouched for it. */
export type MeasurementData = Omit<Common<string>, 'scope'> & { scope: Scope; kind: Kind; reduce: Reduce; derive?: 'rate' | undefined };

/** Runtime twin of the type check, for declarations built from data: null when legal, else why not. */
export function illegalReason(m: MeasurementData): string | null {
  if (!LEGAL_REDUCES[m.kind].includes(m.reduce)) return `${m.key}: a ${m.kind} cannot reduce by ${m.reduce}`;
  if (m.kind === 'counter' && m.reduce === 'max' && m.derive !== 'rate') return `${m.key}: a counter reduces by max only after derive rate`;
  if (m.derive === 'rate' && m.kind !== 'counter') return `${m.key}: only a counter has a rate`;
  if ((m.reduce === 'delta' || m.reduce === 'sum_pid_deltas') && m.scope !== 'single') return `${m.key}: ${m.reduce} gives one value (scope single)`;
  if ((m.kind === 'label' || m.kind === 'categorical') && m.scope !== 'per_pid') return `${m.key}: a ${m.kind} is per pid`;
  if (m.reduce === 'delta' && !GROUP_WIDE.has(m.collector)) return `${m.key}: delta is for one group-wide counter; per-pid counters use sum_pid_deltas`;
  return null;
}

/** Collectors whose readings are one value for the whole run (a cgroup's counters, duct's reaped children), not per pid. */
const GROUP_WIDE: ReadonlySet<CollectorName> = new Set(['cgroup', 'rusage']);

/** Fields that come per pid (every collector but the group-wide ones), as opposed to one group-wide reading. */
export function isPerPidSource(m: Pick<Measurement, 'collector'> & { groupField?: true | undefined }): boolean {
  return !GROUP_WIDE.has(m.collector) && m.groupField !== true;
}
