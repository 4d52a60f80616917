import { ELAPSED_FIELD, type CollectorReading } from '../collectors/types.js';
import type { PidSeries, Seed, SingleSeries, StampedReading } from './window.js';

// ages and counters tick in 10 ms steps: younger than this, a rate since birth is mostly rounding
const MIN_AGE_FOR_BIRTH_RATE_SECONDS = 0.5;

/**
 * Per-pid rates (Δvalue/Δt per second) of a counter field, one sample at a time.
 * Each pid's rate is against its previous reading — the seed carried over from
 * the last window for its first reading in a window. A pid with no seed (a
 * newborn) falls back to value / its elapsed time: its rate since birth (when
 * it is old enough for that to be more than rounding; else its first rate
 * waits for its second reading). Holds one seed per live pid, nothing per sample.
 */
export class RateTracker {
  /** the last sample's pids that have a rate, in the reading's order, and their rates (size: how many). */
  readonly pids: number[] = [];
  readonly rates: number[] = [];
  size = 0;
  /** per pid: the reading a rate is taken against, and (with minSpanSeconds) the next one, `b`. */
  private readonly seeds = new Map<number, Seed & { window: number; bt?: number; bv?: number }>();
  private window = 0;

  /**
   * `minSpanSeconds` > 0: a counter quantised to whole units (ps prints CPU time in whole
   * seconds) gives a rate only over a span of at least that long, so one quantum moves a
   * rate by at most 1 / minSpanSeconds. The reference reading then moves forward in
   * steps, keeping every span between minSpanSeconds and twice that.
   */
  constructor(
    private readonly field: string,
    private readonly minAgeSeconds = MIN_AGE_FOR_BIRTH_RATE_SECONDS,
    private readonly minSpanSeconds = 0,
  ) {}

  /** Seed from a previous window's last readings. */
  static seeded(field: string, seeds: ReadonlyMap<number, Seed>, minAgeSeconds?: number): RateTracker {
    const r = new RateTracker(field, minAgeSeconds);
    for (const [pid, s] of seeds) r.seeds.set(pid, { t: s.t, v: s.v, window: r.window });
    r.window++;
    return r;
  }

  sample(t: number, reading: CollectorReading): void {
    if (this.minSpanSeconds > 0) return this.sampleOverSpans(t, reading);
    let n = 0;
    for (const [pid, rec] of reading.perPid) {
      const v = rec[this.field];
      if (typeof v !== 'number') continue;
      const prev = this.seeds.get(pid);
      if (prev && v >= prev.v && t > prev.t) {
        this.pids[n] = pid;
        this.rates[n++] = (v - prev.v) / (t - prev.t);
      } else if (!prev || v < prev.v) {
        // no seed, or the counter went back (a reused pid): rate since this process's birth
        const elapsed = rec[ELAPSED_FIELD];
        if (typeof elapsed === 'number' && elapsed >= this.minAgeSeconds) {
          this.pids[n] = pid;
          this.rates[n++] = v / elapsed;
        }
      }
      if (prev) {
        prev.t = t;
        prev.v = v;
        prev.window = this.window;
      } else this.seeds.set(pid, { t, v, window: this.window });
    }
    this.size = n;
  }

  private sampleOverSpans(t: number, reading: CollectorReading): void {
    const span = this.minSpanSeconds;
    let n = 0;
    for (const [pid, rec] of reading.perPid) {
      const v = rec[this.field];
      if (typeof v !== 'number') continue;
      const prev = this.seeds.get(pid);
      if (prev && v >= prev.v) {
        // the next reference is a span old: it becomes the reference, and this reading the next
        if (prev.bt !== undefined && prev.bv !== undefined && t - prev.bt >= span) {
          prev.t = prev.bt;
          prev.v = prev.bv;
          prev.bt = t;
          prev.bv = v;
        }
        if (t - prev.t >= span) {
          this.pids[n] = pid;
          this.rates[n++] = (v - prev.v) / (t - prev.t);
          if (prev.bt === undefined) {
            prev.bt = t;
            prev.bv = v;
          }
        }
        prev.window = this.window;
      } else {
        // no reference, or the counter went back (a reused pid): since birth, once that is a span long
        const elapsed = rec[ELAPSED_FIELD];
        if (typeof elapsed === 'number' && elapsed >= span && elapsed >= this.minAgeSeconds) {
          this.pids[n] = pid;
          this.rates[n++] = v / elapsed;
        }
        this.seeds.set(pid, { t, v, window: this.window });
      }
    }
    this.size = n;
  }

  /** Close a window that had samples: pids not seen in it have exited, and their seeds go. */
  endWindow(): void {
    for (const [pid, s] of this.seeds) if (s.window !== this.window) this.seeds.delete(pid);
    this.window++;
  }

  /** The seeds the next window starts from. */
  seedsNow(): Map<number, Seed> {
    return new Map([...this.seeds].map(([pid, s]) => [pid, { t: s.t, v: s.v }]));
  }
}

/** The rates of a whole buffered window (a replay through RateTracker), and the seeds to carry into the next one. */
export function deriveRates(samples: readonly StampedReading[], field: string, seeds: ReadonlyMap<number, Seed>, minAgeSeconds?: number): { series: PidSeries; seeds: Map<number, Seed> } {
  const tracker = RateTracker.seeded(field, seeds, minAgeSeconds);
  const series: PidSeries = samples.map(({ t, reading }) => {
    tracker.sample(t, reading);
    return { t, values: new Map(tracker.pids.slice(0, tracker.size).map((p, i) => [p, tracker.rates[i]!])) };
  });
  tracker.endWindow();
  return { series, seeds: tracker.seedsNow() };
}

/**
 * Σ over pids of (the pid's last reading − its seed): the counter's growth in
 * a window, one sample at a time. A pid that exited mid-window still
 * contributes its last reading; a pid first seen here is seeded at 0 when born
 * during the run (all of its counter is ours) and at its first reading
 * otherwise (a process of the session that predates the run). Never the delta
 * of a sum. Holds the window's first and last reading per pid.
 */
export class PidDeltaTracker {
  /** the growth of the window last closed. */
  value = 0;
  private seeds: Map<number, number>;
  /** this window's pids in the order first seen (the order they are summed in). */
  private window = new Map<number, { first: number | undefined; last: number }>();

  constructor(
    private readonly field: string,
    private readonly bornDuringRun: (elapsed: number | undefined, t: number) => boolean,
    seeds: ReadonlyMap<number, number> = new Map(),
  ) {
    this.seeds = new Map(seeds);
  }

  sample(t: number, reading: CollectorReading): void {
    for (const [pid, rec] of reading.perPid) {
      const v = rec[this.field];
      if (typeof v !== 'number') continue;
      let entry = this.window.get(pid);
      const prev = entry ? entry.last : this.seeds.get(pid);
      if (!entry) {
        let first: number | undefined;
        if (prev === undefined) {
          const elapsed = rec[ELAPSED_FIELD];
          first = this.bornDuringRun(typeof elapsed === 'number' ? elapsed : undefined, t) ? 0 : v;
        }
        this.window.set(pid, (entry = { first, last: v }));
      }
      // a counter that went back is a new process behind a reused pid: count it from 0
      if (prev !== undefined && v < prev) entry.first = 0;
      entry.last = v;
    }
  }

  /** Close a window that had samples: sets `value`; the pids seen are the next window's seeds, the others have exited. */
  endWindow(): void {
    let value = 0;
    const next = new Map<number, number>();
    for (const [pid, e] of this.window) {
      value += e.last - (e.first ?? this.seeds.get(pid) ?? 0);
      next.set(pid, e.last);
    }
    this.value = value;
    this.seeds = next;
    this.window = new Map();
  }

  seedsNow(): Map<number, number> {
    return new Map(this.seeds);
  }
}

/** The growth of a whole buffered window (a replay through PidDeltaTracker), and the seeds to carry into the next one. */
export function sumPidDeltas(
  samples: readonly StampedReading[],
  field: string,
  seeds: ReadonlyMap<number, number>,
  bornDuringRun: (elapsed: number | undefined, t: number) => boolean,
): { value: number; seeds: Map<number, number> } {
  const tracker = new PidDeltaTracker(field, bornDuringRun, seeds);
  for (const { t, reading } of samples) tracker.sample(t, reading);
  tracker.endWindow();
  return { value: tracker.value, seeds: tracker.seedsNow() };
}

/**
 * A time-weighted mean fed one sample at a time: each sample stands for the
 * time since the previous one (the first for the time since the window's
 * start), so means are time-weighted even when samples are late.
 */
export class TimeWeightedMean {
  weighted = 0;
  weight = 0;
  private sum = 0;
  private n = 0;

  constructor(private before: number) {}

  add(t: number, v: number): void {
    const w = Math.max(0, t - this.before);
    this.before = t;
    this.weight += w;
    this.weighted += v * w;
    this.sum += v;
    this.n++;
  }

  /** The mean; the plain mean when all weights are 0; undefined before any sample. */
  mean(): number | undefined {
    if (this.n === 0) return undefined;
    return this.weight <= 0 ? this.sum / this.n : this.weighted / this.weight;
  }

  /** Weigh the next sample from `t` on (a window's start), keeping the sums. */
  rebase(t: number): void {
    this.before = t;
  }
}

/** Time-weighted mean of a series; the plain mean when all weights are 0. */
export function weightedMean(series: SingleSeries, prevT: number): number | undefined {
  const m = new TimeWeightedMean(prevT);
  for (const { t, v } of series) m.add(t, v);
  return m.mean();
}
