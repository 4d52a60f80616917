import type { CollectorReading } from '../collectors/types.js';
import { deriveRates, sumPidDeltas } from './derive.js';
import { isPerPidSource, type Measurement } from './measurement.js';
import { reduce, type WindowView } from './reducers.js';
import { RunSummary } from './summary.js';
import type { ExecutionSummary, MeasurementValue } from './types.js';
import type { PidSeries, Seed, SingleSeries, StampedReading } from './window.js';

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

/**
 * Owns all measurement state: the window's buffer of stamped raw readings,
 * the seeds carried across report boundaries, and the run summary. At each
 * report it derives (rates), collapses (pids → one value) and reduces once.
 */
export class Aggregator {
  private window = new Map<string, StampedReading[]>();
  private readonly prevT = new Map<string, number>();
  private readonly rateSeeds = new Map<string, Map<number, Seed>>();
  private readonly pidSeeds = new Map<string, Map<number, number>>();
  private readonly singleSeeds = new Map<string, number>();
  private readonly summary: RunSummary;

  constructor(
    private readonly measurements: readonly Measurement[],
    private readonly opts: AggregatorOptions,
  ) {
    this.summary = new RunSummary(opts.rootPid);
    for (const [k, v] of Object.entries(opts.baseline ?? {})) this.singleSeeds.set(k, v);
  }

  /** Buffer one collect call's raw readings. */
  push(stream: string, t: number, reading: CollectorReading): void {
    let list = this.window.get(stream);
    if (!list) this.window.set(stream, (list = []));
    list.push({ t, reading });
  }

  /** Aggregate the window into one value per measured key, fold it into the summary, and start a new window. */
  report(): Record<string, MeasurementValue> {
    const out: Record<string, MeasurementValue> = {};
    const rateCache = new Map<string, PidSeries>();
    const deltaCache = new Map<string, number>();
    const newRateSeeds = new Map<string, Map<number, Seed>>();
    const newPidSeeds = new Map<string, Map<number, number>>();
    const newSingleSeeds = new Map<string, number>();
    const samplesOf = (m: Measurement): StampedReading[] => this.window.get(streamOf(m)) ?? [];
    const prevT = (m: Measurement): number => this.prevT.get(streamOf(m)) ?? this.opts.startT;
    const slack = this.opts.newbornSlackSeconds ?? 1;
    const bornDuringRun = (elapsed: number | undefined, t: number): boolean => elapsed === undefined || elapsed <= t - this.opts.startT + slack;

    const pidSeries = (m: Measurement): PidSeries => {
      if (m.derive === 'rate') {
        const id = `${streamOf(m)}:${m.field}`;
        let raw = rateCache.get(id);
        if (!raw) {
          const r = deriveRates(samplesOf(m), m.field, this.rateSeeds.get(id) ?? new Map());
          rateCache.set(id, (raw = r.series));
          newRateSeeds.set(id, r.seeds);
        }
        return raw.map(({ t, values }) => ({ t, values: new Map([...values].map(([p, v]) => [p, (v as number) * m.rateScale])) }));
      }
      if (m.collapse === 'count') return samplesOf(m).map(({ t, reading }) => ({ t, values: new Map([...reading.perPid.keys()].map((p) => [p, 1])) }));
      return samplesOf(m).map(({ t, reading }) => {
        const values = new Map<number, number | string>();
        for (const [pid, rec] of reading.perPid) {
          const v = rec[m.field];
          if (v !== undefined) values.set(pid, v);
        }
        return { t, values };
      });
    };
    const singleSeries = (m: Measurement): SingleSeries => {
      if (!isPerPidSource(m)) {
        const s: SingleSeries = [];
        for (const { t, reading } of samplesOf(m)) {
          const v = reading.single[m.field];
          if (v !== undefined) s.push({ t, v });
        }
        return s;
      }
      // a sample where no pid has a reading (a rate needs a previous one; a zombie has no memory) has no total
      return pidSeries(m)
        .filter((x) => x.values.size > 0)
        .map(({ t, values }) => ({ t, v: [...values.values()].reduce<number>((a, v) => a + (typeof v === 'number' ? v : 0), 0) }));
    };
    const view: WindowView = {
      pidSeries,
      singleSeries,
      prevT,
      pidDeltaSum: (m) => {
        const samples = samplesOf(m);
        if (samples.length === 0) return undefined;
        const id = `${streamOf(m)}:${m.field}`;
        let value = deltaCache.get(id);
        if (value === undefined) {
          const r = sumPidDeltas(samples, m.field, this.pidSeeds.get(id) ?? new Map(), bornDuringRun);
          deltaCache.set(id, (value = r.value));
          newPidSeeds.set(id, r.seeds);
        }
        return value;
      },
      singleDelta: (m) => {
        const s = singleSeries(m);
        const last = s.at(-1);
        if (!last) return undefined;
        const id = `${m.collector}:${m.field}`;
        const seed = this.singleSeeds.get(id) ?? s[0]!.v;
        newSingleSeeds.set(id, last.v);
        // a counter that went back was reset (a new group): count from 0
        return last.v >= seed ? last.v - seed : last.v;
      },
    };

    for (const m of this.measurements) {
      if (samplesOf(m).length === 0) continue;
      const value = reduce(m, view);
      if (value === undefined) continue;
      out[m.key] = value;
      const gaugeLike = m.kind === 'gauge' || m.derive === 'rate';
      const series = gaugeLike && m.scope === 'single' && m.cadence !== 'report' ? singleSeries(m) : null;
      this.summary.add(m, value, series, prevT(m));
    }

    for (const [id, seeds] of newRateSeeds) this.rateSeeds.set(id, seeds);
    // pids not seen this window have exited and their counts are in: their seeds go
    for (const [id, seeds] of newPidSeeds) this.pidSeeds.set(id, seeds);
    for (const [id, v] of newSingleSeeds) this.singleSeeds.set(id, v);
    for (const [stream, list] of this.window) {
      const last = list.at(-1);
      if (last) this.prevT.set(stream, last.t);
    }
    this.window = new Map();
    return out;
  }

  summaryJSON(unitOf: (key: string) => ExecutionSummary[string]['unit']): ExecutionSummary {
    return this.summary.toJSON(unitOf, this.measurements);
  }
}
