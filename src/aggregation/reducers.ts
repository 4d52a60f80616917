import type { CollectorReading, FieldValue } from '../collectors/types.js';
import { TimeWeightedMean, type PidDeltaTracker, type RateTracker } from './derive.js';
import { isPerPidSource, type Measurement, type Reduce } from './measurement.js';
import type { MeasurementValue } from './types.js';

/**
 * One measurement's report window, fed sample by sample: it keeps per pid only
 * what its reduce needs (a max, time-weighted sums, a last value, a tally),
 * never the samples themselves.
 */
export interface WindowReducer {
  /** Fold one sample in (the stream's rate and delta trackers have taken it already). */
  sample(t: number, reading: CollectorReading): void;
  /** The window's value, or undefined when nothing in it was measured. */
  value(): MeasurementValue | undefined;
  /** Start the next window, whose first sample weighs the time since `prevT`; called after every key's value(). */
  endWindow(prevT: number): void;
  /** Single gauges and rates: the time-weighted sums over every window so far, for the run's mean. */
  runWeights?(): RunWeights | null;
}

/** The time-weighted sums of a key's samples over the run so far (Σ v·w and Σ w). */
export interface RunWeights {
  weighted: number;
  weight: number;
}

/** What a reducer shares with the other keys of its stream. */
export interface ReducerDeps {
  /** the stream's rate tracker of a counter field (one per field, however many keys use it). */
  rates(field: string): RateTracker;
  /** the stream's per-pid growth of a counter field. */
  deltas(field: string): PidDeltaTracker;
  /** group-wide counters' last readings (`collector:field`): the seed of the next delta. */
  counterSeeds: Map<string, number>;
  /** the time the window's first sample weighs from. */
  prevT: number;
}

type PidVisit = (pid: number, v: FieldValue) => void;
type PidValues = (reading: CollectorReading, visit: PidVisit) => void;

/** A sample's value of a per-pid key for each pid: the field, its scaled rate, or 1 (a count). */
function pidValues(m: Measurement, deps: ReducerDeps): PidValues {
  if (m.derive === 'rate') {
    const r = deps.rates(m.field);
    const scale = m.rateScale;
    return (_reading, visit) => {
      for (let i = 0; i < r.size; i++) visit(r.pids[i]!, r.rates[i]! * scale);
    };
  }
  if (m.collapse === 'count') {
    return (reading, visit) => {
      for (const pid of reading.perPid.keys()) visit(pid, 1);
    };
  }
  const field = m.field;
  return (reading, visit) => {
    for (const [pid, rec] of reading.perPid) {
      const v = rec[field];
      if (v !== undefined) visit(pid, v);
    }
  };
}

/**
 * A sample's one value of a single key: the group-wide reading, or the pids
 * collapsed (sum or count). A rate needs a previous reading (or an age): a
 * sample where no pid has a rate, or no pid has a reading at all, has no total.
 */
function sampleTotal(m: Measurement, deps: ReducerDeps): (reading: CollectorReading) => number | undefined {
  const field = m.field;
  if (!isPerPidSource(m)) return (reading) => reading.single[field];
  if (m.derive === 'rate') {
    const r = deps.rates(field);
    const scale = m.rateScale;
    return () => {
      if (r.size === 0) return undefined;
      let total = 0;
      for (let i = 0; i < r.size; i++) total += r.rates[i]! * scale;
      return total;
    };
  }
  if (m.collapse === 'count') return (reading) => (reading.perPid.size > 0 ? reading.perPid.size : undefined);
  // a sample where no pid has a reading (a zombie has no memory) has no total either
  return (reading) => {
    let total = 0;
    let any = false;
    for (const rec of reading.perPid.values()) {
      const v = rec[field];
      if (typeof v === 'number') {
        total += v;
        any = true;
      }
    }
    return any ? total : undefined;
  };
}

/** Per pid, `State` for each pid seen in the window. */
abstract class PerPidReducer<State> implements WindowReducer {
  protected states = new Map<number, State>();
  /** the time of the sample being folded in. */
  protected t = 0;
  private readonly visit: PidVisit = (pid, v) => this.take(pid, v);

  constructor(
    private readonly values: PidValues,
    protected prevT: number,
  ) {}

  protected abstract take(pid: number, v: FieldValue): void;
  protected abstract valueOf(state: State): FieldValue | Record<string, number>;

  sample(t: number, reading: CollectorReading): void {
    this.t = t;
    this.values(reading, this.visit);
  }

  value(): MeasurementValue | undefined {
    if (this.states.size === 0) return undefined;
    const out: Record<string, FieldValue | Record<string, number>> = {};
    for (const [pid, s] of this.states) out[String(pid)] = this.valueOf(s);
    return out as MeasurementValue;
  }

  endWindow(prevT: number): void {
    this.prevT = prevT;
    this.states = new Map();
  }
}

class PidMax extends PerPidReducer<{ max: number }> {
  protected take(pid: number, v: FieldValue): void {
    if (typeof v !== 'number') return;
    let s = this.states.get(pid);
    if (!s) this.states.set(pid, (s = { max: -Infinity }));
    if (v > s.max) s.max = v;
  }
  protected valueOf(s: { max: number }): number {
    return s.max;
  }
}

class PidMean extends PerPidReducer<TimeWeightedMean> {
  protected take(pid: number, v: FieldValue): void {
    if (typeof v !== 'number') return;
    let s = this.states.get(pid);
    if (!s) this.states.set(pid, (s = new TimeWeightedMean(this.prevT)));
    s.add(this.t, v);
  }
  protected valueOf(s: TimeWeightedMean): number {
    return s.mean()!;
  }
}

class PidLast extends PerPidReducer<FieldValue> {
  protected take(pid: number, v: FieldValue): void {
    this.states.set(pid, v);
  }
  protected valueOf(v: FieldValue): FieldValue {
    return v;
  }
}

class PidTally extends PerPidReducer<Record<string, number>> {
  protected take(pid: number, v: FieldValue): void {
    let counts = this.states.get(pid);
    if (!counts) this.states.set(pid, (counts = {}));
    const state = String(v);
    counts[state] = (counts[state] ?? 0) + 1;
  }
  protected valueOf(counts: Record<string, number>): Record<string, number> {
    return counts;
  }
}

/** One value per sample; with `weighs`, also the run's time-weighted sums (the summary's mean). */
abstract class SingleReducer implements WindowReducer {
  private readonly run: TimeWeightedMean | null;

  constructor(
    private readonly total: (reading: CollectorReading) => number | undefined,
    protected prevT: number,
    weighs: boolean,
  ) {
    this.run = weighs ? new TimeWeightedMean(prevT) : null;
  }

  protected abstract take(t: number, v: number): void;
  abstract value(): number | undefined;
  protected abstract reset(): void;

  sample(t: number, reading: CollectorReading): void {
    const v = this.total(reading);
    if (v === undefined) return;
    this.run?.add(t, v);
    this.take(t, v);
  }

  endWindow(prevT: number): void {
    this.prevT = prevT;
    this.run?.rebase(prevT);
    this.reset();
  }

  runWeights(): RunWeights | null {
    return this.run && { weighted: this.run.weighted, weight: this.run.weight };
  }
}

class SingleMax extends SingleReducer {
  private max = -Infinity;
  private any = false;
  protected take(_t: number, v: number): void {
    this.any = true;
    if (v > this.max) this.max = v;
  }
  value(): number | undefined {
    return this.any ? this.max : undefined;
  }
  protected reset(): void {
    this.max = -Infinity;
    this.any = false;
  }
}

class SingleMean extends SingleReducer {
  private mean = new TimeWeightedMean(this.prevT);
  protected take(t: number, v: number): void {
    this.mean.add(t, v);
  }
  value(): number | undefined {
    return this.mean.mean();
  }
  protected reset(): void {
    this.mean = new TimeWeightedMean(this.prevT);
  }
}

class SingleLast extends SingleReducer {
  private last: number | undefined;
  protected take(_t: number, v: number): void {
    this.last = v;
  }
  value(): number | undefined {
    return this.last;
  }
  protected reset(): void {
    this.last = undefined;
  }
}

/** A group-wide counter's last − seed; the seed is the previous window's last (or the baseline, or this window's first). */
class CounterDelta extends SingleReducer {
  private first: number | undefined;
  private last: number | undefined;
  constructor(
    total: (reading: CollectorReading) => number | undefined,
    prevT: number,
    private readonly seeds: Map<string, number>,
    private readonly id: string,
  ) {
    super(total, prevT, false);
  }
  protected take(_t: number, v: number): void {
    this.first ??= v;
    this.last = v;
  }
  value(): number | undefined {
    if (this.last === undefined) return undefined;
    const seed = this.seeds.get(this.id) ?? this.first!;
    // a counter that went back was reset (a new group): count from 0
    return this.last >= seed ? this.last - seed : this.last;
  }
  protected reset(): void {
    if (this.last !== undefined) this.seeds.set(this.id, this.last);
    this.first = undefined;
    this.last = undefined;
  }
}

/** Σ over pids of last − seed, kept by the stream's tracker (closed before the values are read). */
class PidDeltaSum implements WindowReducer {
  constructor(private readonly tracker: PidDeltaTracker) {}
  sample(): void {}
  value(): number {
    return this.tracker.value;
  }
  endWindow(): void {}
}

/** Whether a key's per-sample values feed the run's time-weighted mean (single gauges and rates read every sample). */
function weighsRunMean(m: Measurement): boolean {
  return (m.kind === 'gauge' || m.derive === 'rate') && m.scope === 'single' && m.cadence !== 'report';
}

type MakeReducer<M extends Measurement> = (m: M, deps: ReducerDeps) => WindowReducer;

/**
 * One window reducer per reduce: a reduce added to Measurement does not
 * compile until it has its entry here.
 */
export const REDUCERS: { [R in Reduce]: MakeReducer<Extract<Measurement, { reduce: R }>> } = {
  max: (m, d) => (m.scope === 'per_pid' ? new PidMax(pidValues(m, d), d.prevT) : new SingleMax(sampleTotal(m, d), d.prevT, weighsRunMean(m))),
  mean: (m, d) => (m.scope === 'per_pid' ? new PidMean(pidValues(m, d), d.prevT) : new SingleMean(sampleTotal(m, d), d.prevT, weighsRunMean(m))),
  last: (m, d) => (m.scope === 'per_pid' ? new PidLast(pidValues(m, d), d.prevT) : new SingleLast(sampleTotal(m, d), d.prevT, weighsRunMean(m))),
  delta: (m, d) => new CounterDelta(sampleTotal(m, d), d.prevT, d.counterSeeds, `${m.collector}:${m.field}`),
  sum_pid_deltas: (m, d) => new PidDeltaSum(d.deltas(m.field)),
  tally: (m, d) => new PidTally(pidValues(m, d), d.prevT),
};

/** The measurement's window reducer (the one place the table is indexed). */
export function windowReducer(m: Measurement, deps: ReducerDeps): WindowReducer {
  return (REDUCERS[m.reduce] as MakeReducer<Measurement>)(m, deps);
}
