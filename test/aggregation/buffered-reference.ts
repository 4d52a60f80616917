/**
 * The buffered aggregation duct had before its reducers streamed: each window kept
 * every reading and reduced them all at the report. Kept here, in the tests only,
 * as the reference the streaming Aggregator must match exactly (see aggregator.test.ts).
 */
import type { CollectorReading, FieldValue } from '../../src/collectors/types.js';
import { ELAPSED_FIELD } from '../../src/collectors/types.js';
import { isPerPidSource, type Measurement, type Reduce } from '../../src/aggregation/measurement.js';
import type { ExecutionSummary, KeySummary, MeasurementValue, PerPid } from '../../src/aggregation/types.js';
import { streamOf } from '../../src/aggregation/aggregator.js';

/** One collect call's readings, stamped with the monotonic time (seconds) of that call. */
interface StampedReading {
  t: number;
  reading: CollectorReading;
}

/** A per-pid series: at each sample time, a value per pid (raw or derived). */
type PidSeries = Array<{ t: number; values: Map<number, FieldValue> }>;

/** A single-valued series (collapsed over pids, or a group-wide counter). */
type SingleSeries = Array<{ t: number; v: number }>;

/** Where a counter's last reading stood: the seed of the next rate or delta. */
interface Seed {
  t: number;
  v: number;
}

/**
 * Per-pid rates (Δvalue/Δt per second) of a counter field over a window.
 * Each pid's rate is against its previous reading — the seed carried over from
 * the last window for its first reading here. A pid with no seed (a newborn)
 * falls back to value / its elapsed time: its rate since birth (when it is
 * old enough for that to be more than rounding; else its first rate waits
 * for its second reading).
 * Returns the series and the seeds to carry into the next window.
 */
function deriveRates(
  samples: readonly StampedReading[],
  field: string,
  seeds: ReadonlyMap<number, Seed>,
  // ages and counters tick in 10 ms steps: younger than this, a rate since birth is mostly rounding
  minAgeSeconds = 0.5,
): { series: PidSeries; seeds: Map<number, Seed> } {
  const next = new Map<number, Seed>();
  const series: PidSeries = [];
  for (const { t, reading } of samples) {
    const values = new Map<number, number>();
    for (const [pid, rec] of reading.perPid) {
      const v = rec[field];
      if (typeof v !== 'number') continue;
      const prev = next.get(pid) ?? seeds.get(pid);
      if (prev && v >= prev.v && t > prev.t) {
        values.set(pid, (v - prev.v) / (t - prev.t));
      } else if (!prev || v < prev.v) {
        // no seed, or the counter went back (a reused pid): rate since this process's birth
        const elapsed = rec[ELAPSED_FIELD];
        if (typeof elapsed === 'number' && elapsed >= minAgeSeconds) values.set(pid, v / elapsed);
      }
      next.set(pid, { t, v });
    }
    series.push({ t, values });
  }
  // pids not seen in this window have exited: their seeds are dropped
  return { series, seeds: next };
}

/**
 * Σ over pids of (the pid's last reading − its seed): the counter's growth in
 * the window. A pid that exited mid-window still contributes its last reading;
 * a pid first seen here is seeded at 0 when born during the run (all of its
 * counter is ours) and at its first reading otherwise (a process of the
 * session that predates the run). Never the delta of a sum.
 */
function sumPidDeltas(
  samples: readonly StampedReading[],
  field: string,
  seeds: ReadonlyMap<number, number>,
  bornDuringRun: (elapsed: number | undefined, t: number) => boolean,
): { value: number; seeds: Map<number, number> } {
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  for (const { t, reading } of samples) {
    for (const [pid, rec] of reading.perPid) {
      const v = rec[field];
      if (typeof v !== 'number') continue;
      if (!first.has(pid) && !seeds.has(pid)) {
        const elapsed = rec[ELAPSED_FIELD];
        first.set(pid, bornDuringRun(typeof elapsed === 'number' ? elapsed : undefined, t) ? 0 : v);
      }
      const prev = last.get(pid) ?? seeds.get(pid);
      // a counter that went back is a new process behind a reused pid: count it from 0
      if (prev !== undefined && v < prev) first.set(pid, 0);
      last.set(pid, v);
    }
  }
  let value = 0;
  const next = new Map<number, number>();
  for (const [pid, v] of last) {
    const seed = first.get(pid) ?? seeds.get(pid) ?? 0;
    value += v - seed;
    next.set(pid, v);
  }
  return { value, seeds: next };
}

/**
 * Time weights of a window's samples: each sample stands for the time since
 * the previous one (the first for the time since `prevT`), so means are
 * time-weighted even when samples are late.
 */
function timeWeights(series: SingleSeries, prevT: number): number[] {
  let before = prevT;
  return series.map(({ t }) => {
    const w = Math.max(0, t - before);
    before = t;
    return w;
  });
}

/** Time-weighted mean of a series; the plain mean when all weights are 0. */
function weightedMean(series: SingleSeries, prevT: number): number | undefined {
  if (series.length === 0) return undefined;
  const w = timeWeights(series, prevT);
  const total = w.reduce((a, b) => a + b, 0);
  if (total <= 0) return series.reduce((a, s) => a + s.v, 0) / series.length;
  return series.reduce((a, s, i) => a + s.v * w[i]!, 0) / total;
}

/** What a reducer sees of one window for one measurement (already derived and collapsed). */
interface WindowView {
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
const REDUCERS: { [R in Reduce]: Reducer<Extract<Measurement, { reduce: R }>> } = {
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
function reduce(m: Measurement, w: WindowView): MeasurementValue | undefined {
  return (REDUCERS[m.reduce] as Reducer<Measurement>)(m, w);
}

interface KeyState {
  peak?: number;
  weighted: number;
  weight: number;
  total?: number;
  last?: number | string;
  tally?: Record<string, number>;
}

/**
 * Run-level figures over every report: peak and time-weighted mean for gauges
 * and rates, totals for counters, last label, merged tally. A key appears
 * only once a report has measured it.
 */
class RunSummary {
  private readonly state = new Map<string, KeyState>();

  constructor(private readonly rootPid: number) {}

  /** Fold one report's value of `m` (and, for single gauges and rates, its per-sample series for the mean). */
  add(m: Measurement, value: MeasurementValue, series: SingleSeries | null, prevT: number): void {
    let s = this.state.get(m.key);
    if (!s) this.state.set(m.key, (s = { weighted: 0, weight: 0 }));
    if (m.reduce === 'delta' || m.reduce === 'sum_pid_deltas') {
      if (typeof value === 'number') s.total = (s.total ?? 0) + value;
      return;
    }
    if (m.kind === 'label') {
      const map = value as Record<string, string>;
      const pick = map[String(this.rootPid)] ?? map[Object.keys(map).sort((a, b) => Number(a) - Number(b))[0] ?? ''];
      if (pick !== undefined) s.last = pick;
      return;
    }
    if (m.kind === 'categorical') {
      s.tally ??= {};
      for (const counts of Object.values(value as Record<string, Record<string, number>>))
        for (const [state, n] of Object.entries(counts)) s.tally[state] = (s.tally[state] ?? 0) + n;
      return;
    }
    const nums = typeof value === 'number' ? [value] : Object.values(value as Record<string, number>).filter((v): v is number => typeof v === 'number');
    for (const v of nums) if (s.peak === undefined || v > s.peak) s.peak = v;
    if (series && series.length) {
      const w = timeWeights(series, prevT);
      series.forEach((x, i) => {
        s.weighted += x.v * w[i]!;
        s.weight += w[i]!;
      });
    }
  }

  toJSON(units: (key: string) => KeySummary['unit'], catalogueOrder: readonly Measurement[]): ExecutionSummary {
    const out: ExecutionSummary = {};
    for (const m of catalogueOrder) {
      const s = this.state.get(m.key);
      if (!s) continue;
      const k: KeySummary = { unit: units(m.key) };
      if (s.peak !== undefined) k.peak = s.peak;
      if (s.weight > 0) k.mean = s.weighted / s.weight;
      if (s.total !== undefined) k.total = s.total;
      if (s.last !== undefined) k.last = s.last;
      if (s.tally !== undefined) k.tally = s.tally;
      out[m.key] = k;
    }
    return out;
  }
}


interface AggregatorOptions {
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
export class BufferedAggregator {
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
