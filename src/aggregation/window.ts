import type { CollectorReading, FieldValue } from '../collectors/types.js';

/** One collect call's readings, stamped with the monotonic time (seconds) of that call. */
export interface StampedReading {
  t: number;
  reading: CollectorReading;
}

/** A per-pid series: at each sample time, a value per pid (raw or derived). */
export type PidSeries = Array<{ t: number; values: Map<number, FieldValue> }>;

/** A single-valued series (collapsed over pids, or a group-wide counter). */
export type SingleSeries = Array<{ t: number; v: number }>;

/** Where a counter's last reading stood: the seed of the next rate or delta. */
export interface Seed {
  t: number;
  v: number;
}
