import type { Measurement } from './measurement.js';
import type { RunWeights } from './reducers.js';
import type { ExecutionSummary, KeySummary, MeasurementValue } from './types.js';

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
export class RunSummary {
  private readonly state = new Map<string, KeyState>();

  constructor(private readonly rootPid: number) {}

  /** Fold one report's value of `m` (and, for single gauges and rates, the time-weighted sums of its samples so far, for the mean). */
  add(m: Measurement, value: MeasurementValue, weights: RunWeights | null): void {
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
    if (weights) {
      s.weighted = weights.weighted;
      s.weight = weights.weight;
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
