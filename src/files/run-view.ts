import type { Unit } from '../aggregation/types.js';

/** One usage window as the viewers see it (new runs: a usage.jsonl line; legacy: a usage.json line mapped). */
export interface UsagePoint {
  /** ms since the epoch. */
  time_ms: number;
  /** single-valued figures of this window by key (per-pid maps are collapsed by the reader where meaningful). */
  values: Record<string, number>;
}

/**
 * A run as `ls`, `plot`, `pp` and `recommend` see it, whatever wrote it.
 * `summary` is flat: for a gauge or rate key K, `K` is its run peak and `K_mean` its
 * time-weighted mean; for a counter K, `K` is its run total. Plus the run fields:
 * command, exit_code, signal, wall_clock_time, start_time, end_time, hostname, message, status.
 * con-duct runs use their own names under a `conduct_` prefix so their meaning is never confused
 * with duct's (con-duct's lifetime pcpu is not an interval rate).
 */
export interface RunView {
  format: 'duct' | 'con-duct-0.2';
  /** the output prefix the run's files share. */
  prefix: string;
  /** path of its info.json. */
  info_path: string;
  /** the raw info.json object. */
  info: Record<string, unknown>;
  summary: Record<string, number | string | null>;
  /** unit of each numeric summary / usage key. */
  units: Record<string, Unit>;
  /** what a summary / usage field means, where its name alone could mislead (con-duct's fields); optional. */
  descriptions?: Record<string, string>;
  /** problems met reading it (a torn last line ...), one sentence each. */
  warnings: string[];
  /** read the usage series on demand (plot); the summary alone serves ls. */
  usage(): Promise<UsagePoint[]>;
}
