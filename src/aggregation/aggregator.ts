import type { CollectorReading } from '../collectors/types.js';
import { PidDeltaTracker, RateTracker } from './derive.js';
import type { Measurement } from './measurement.js';
import { windowReducer, type WindowReducer } from './reducers.js';
import { RunSummary } from './summary.js';
import type { ExecutionSummary, MeasurementValue } from './types.js';

/** The stream a measurement's readings arrive on: its collector, or its collector's once-per-report reads. */
export function streamOf(m: Measurement): string {
  return m.cadence === 'report' ? `${m.collector}@report` : m.cadence === 'new-pids' ? `${m.collector}@new` : m.cadence === 'faulted' ? `${m.collector}@faulted` : m.collector;
}

export interface AggregatorOptions {
  /** monotonic time (seconds) the run started: the first sample's weight, the newborn test. */
  startT: number;
  rootPid: number;
  /** group-wide counters read before the command started (`collector:field` → value), the first delta's seed. */
  baseline?: Record<string, number>;
  /** how much older than the run a process may look and still count as born in it (elapsed-time resolution). */
  newbornSlackSeconds?: number;
}

/** One stream's window: its counter trackers (shared by the keys on a field) and each key's reducer. */
interface StreamWindow {
  /** readings pushed in this window. */
  samples: number;
  /** time of the latest reading pushed. */
  lastT: number;
  /** time of the last reading before this window (the run's start at first): the first sample's weight. */
  prevT: number;
  rates: Map<string, RateTracker>;
  deltas: Map<string, PidDeltaTracker>;
  keys: Array<{ m: Measurement; reducer: WindowReducer }>;
}

/**
 * Owns all measurement state: per stream, the current window's reducers (which
 * keep per pid only what their reduce needs), the counter seeds carried across
 * report boundaries, and the run summary. Each reading is derived (rates),
 * collapsed (pids → one value) and folded in as it arrives; nothing is buffered.
 */
export class Aggregator {
  private readonly streams = new Map<string, StreamWindow>();
  /** every measured key's reducer and stream, in selection (catalogue) order: the usage record's key order. */
  private readonly keys: Array<{ m: Measurement; reducer: WindowReducer; stream: StreamWindow }> = [];
  private readonly counterSeeds = new Map<string, number>();
  private readonly summary: RunSummary;

  constructor(
    private readonly measurements: readonly Measurement[],
    private readonly opts: AggregatorOptions,
  ) {
    this.summary = new RunSummary(opts.rootPid);
    for (const [k, v] of Object.entries(opts.baseline ?? {})) this.counterSeeds.set(k, v);
    const slack = opts.newbornSlackSeconds ?? 1;
    const bornDuringRun = (elapsed: number | undefined, t: number): boolean => elapsed === undefined || elapsed <= t - opts.startT + slack;
    for (const m of measurements) {
      const s = this.stream(streamOf(m));
      const deps = {
        rates: (field: string): RateTracker => getOrMake(s.rates, field, () => new RateTracker(field, undefined, m.rateMinSpanSeconds ?? 0)),
        deltas: (field: string): PidDeltaTracker => getOrMake(s.deltas, field, () => new PidDeltaTracker(field, bornDuringRun)),
        counterSeeds: this.counterSeeds,
        prevT: s.prevT,
      };
      const reducer = windowReducer(m, deps);
      s.keys.push({ m, reducer });
      this.keys.push({ m, reducer, stream: s });
    }
  }

  private stream(id: string): StreamWindow {
    return getOrMake(this.streams, id, () => ({ samples: 0, lastT: this.opts.startT, prevT: this.opts.startT, rates: new Map(), deltas: new Map(), keys: [] }));
  }

  /** Fold one collect call's raw readings into the stream's window. */
  push(stream: string, t: number, reading: CollectorReading): void {
    const s = this.stream(stream);
    s.samples++;
    s.lastT = t;
    for (const r of s.rates.values()) r.sample(t, reading);
    for (const d of s.deltas.values()) d.sample(t, reading);
    for (const { reducer } of s.keys) reducer.sample(t, reading);
  }

  /** One value per measured key of the window, folded into the summary; then a new window starts. */
  report(): Record<string, MeasurementValue> {
    for (const s of this.streams.values()) {
      if (s.samples === 0) continue;
      // pids not seen this window have exited and their counts are in: their seeds go
      for (const r of s.rates.values()) r.endWindow();
      for (const d of s.deltas.values()) d.endWindow();
    }
    const out: Record<string, MeasurementValue> = {};
    for (const { m, reducer, stream } of this.keys) {
      if (stream.samples === 0) continue;
      const value = reducer.value();
      if (value === undefined) continue;
      out[m.key] = value;
      this.summary.add(m, value, reducer.runWeights?.() ?? null);
    }
    for (const s of this.streams.values()) {
      if (s.samples > 0) s.prevT = s.lastT;
      s.samples = 0;
      for (const { reducer } of s.keys) reducer.endWindow(s.prevT);
    }
    return out;
  }

  summaryJSON(unitOf: (key: string) => ExecutionSummary[string]['unit']): ExecutionSummary {
    return this.summary.toJSON(unitOf, this.measurements);
  }
}

function getOrMake<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) map.set(key, (v = make()));
  return v;
}
