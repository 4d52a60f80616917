import type { FieldValue } from '../collectors/types.js';
import { weightedMean } from './derive.js';
import type { Measurement, Reduce } from './measurement.js';
import type { MeasurementValue, PerPid } from './types.js';
import type { PidSeries, SingleSeries } from './window.js';

/** What a reducer sees of one window for one measurement (already derived and collapsed). */
export interface WindowView {
  /** per pid: the field's readings, or its rates (scaled) when the measurement derives a rate. */
  pidSeries(m: Measurement): PidSeries;
  /** one value per sample: the pids collapsed (sum or count), or the group-wide reading. */
  singleSeries(m: Measurement): SingleSeries;
  /** time of the sample before this window's first (for time weights). */
  prevT(m: Measurement): number;
  /** Σ over pids of last − seed (sum_pid_deltas). */
  pidDeltaSum(m: Measurement): number | undefined;
  /** last − seed of a group-wide counter (delta). */
  singleDelta(m: Measurement): number | undefined;
}

type Reducer<M extends Measurement> = (m: M, w: WindowView) => MeasurementValue | undefined;

/** Each pid's values in series order. */
function byPid(series: PidSeries): Map<number, Array<{ t: number; v: FieldValue }>> {
  const out = new Map<number, Array<{ t: number; v: FieldValue }>>();
  for (const { t, values } of series) {
    for (const [pid, v] of values) {
      let list = out.get(pid);
      if (!list) out.set(pid, (list = []));
      list.push({ t, v });
    }
  }
  return out;
}

function perPidNumbers(series: PidSeries, fold: (vals: Array<{ t: number; v: number }>) => number | undefined): PerPid<number> | undefined {
  const out: PerPid<number> = {};
  let any = false;
  for (const [pid, list] of byPid(series)) {
    const nums = list.filter((x): x is { t: number; v: number } => typeof x.v === 'number');
    const r = nums.length ? fold(nums) : undefined;
    if (r !== undefined) {
      out[String(pid)] = r;
      any = true;
    }
  }
  return any ? out : undefined;
}

const maxOf = (vals: Array<{ v: number }>): number | undefined => (vals.length ? vals.reduce((a, x) => (x.v > a ? x.v : a), -Infinity) : undefined);

/**
 * One reducer per reduce: a reduce added to Measurement does not compile
 * until it has its entry here.
 */
export const REDUCERS: { [R in Reduce]: Reducer<Extract<Measurement, { reduce: R }>> } = {
  max: (m, w) => (m.scope === 'per_pid' ? perPidNumbers(w.pidSeries(m), maxOf) : maxOf(w.singleSeries(m))),
  mean: (m, w) =>
    m.scope === 'per_pid' ? perPidNumbers(w.pidSeries(m), (vals) => weightedMean(vals, w.prevT(m))) : weightedMean(w.singleSeries(m), w.prevT(m)),
  last: (m, w) => {
    if (m.scope === 'single') return w.singleSeries(m).at(-1)?.v;
    const out: Record<string, FieldValue> = {};
    for (const [pid, list] of byPid(w.pidSeries(m))) out[String(pid)] = list.at(-1)!.v;
    return Object.keys(out).length ? (out as PerPid<number> | PerPid<string>) : undefined;
  },
  delta: (m, w) => w.singleDelta(m),
  sum_pid_deltas: (m, w) => w.pidDeltaSum(m),
  tally: (m, w) => {
    const out: PerPid<Record<string, number>> = {};
    for (const [pid, list] of byPid(w.pidSeries(m))) {
      const counts: Record<string, number> = {};
      for (const { v } of list) counts[String(v)] = (counts[String(v)] ?? 0) + 1;
      out[String(pid)] = counts;
    }
    return Object.keys(out).length ? out : undefined;
  },
};

/** Apply the measurement's reducer (the one place the table is indexed). */
export function reduce(m: Measurement, w: WindowView): MeasurementValue | undefined {
  return (REDUCERS[m.reduce] as Reducer<Measurement>)(m, w);
}
