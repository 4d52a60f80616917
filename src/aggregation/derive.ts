import { ELAPSED_FIELD } from '../collectors/types.js';
import type { PidSeries, Seed, SingleSeries, StampedReading } from './window.js';

/**
 * Per-pid rates (Δvalue/Δt per second) of a counter field over a window.
 * Each pid's rate is against its previous reading — the seed carried over from
 * the last window for its first reading here. A pid with no seed (a newborn)
 * falls back to value / its elapsed time: its rate since birth (when it is
 * old enough for that to be more than rounding; else its first rate waits
 * for its second reading).
 * Returns the series and the seeds to carry into the next window.
 */
export function deriveRates(
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
export function sumPidDeltas(
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
export function timeWeights(series: SingleSeries, prevT: number): number[] {
  let before = prevT;
  return series.map(({ t }) => {
    const w = Math.max(0, t - before);
    before = t;
    return w;
  });
}

/** Time-weighted mean of a series; the plain mean when all weights are 0. */
export function weightedMean(series: SingleSeries, prevT: number): number | undefined {
  if (series.length === 0) return undefined;
  const w = timeWeights(series, prevT);
  const total = w.reduce((a, b) => a + b, 0);
  if (total <= 0) return series.reduce((a, s) => a + s.v, 0) / series.length;
  return series.reduce((a, s, i) => a + s.v * w[i]!, 0) / total;
}
