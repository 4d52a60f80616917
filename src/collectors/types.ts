import type { HeldFiles } from './held-files.js';

/**
 * What every collector returns: raw readings of one I/O pass, already in the
 * declared units (bytes, seconds, percent, count), nothing derived. The
 * aggregator stamps each call with its own monotonic time.
 */

/** A raw value: a number in its declared unit, or a string (a command line, a state code). */
export type FieldValue = number | string;

/** One process's readings; `elapsed` (seconds since the process started) is present where the source knows it. */
export type PidFields = Record<string, FieldValue>;

export interface CollectorReading {
  /** per-process fields, by pid; a pid that vanished during the pass is simply absent. */
  perPid: Map<number, PidFields>;
  /** group-wide fields (a cgroup's counters); numbers only. */
  single: Record<string, number>;
}

export type CollectorName = 'ps' | 'proc' | 'cgroup' | 'pidusage' | 'rusage' | 'nvidia' | 'drm';

/** Per field: null when it can be read here, else a reason a person can act on. */
export type FieldAvailability = Record<string, string | null>;

/**
 * A source of raw readings. It holds no measurement state between calls (its
 * configuration — clock tick, page size, cgroup paths — is fixed at construction).
 */
export interface Collector {
  readonly name: CollectorName;
  /** the fields this collector can read, each with its availability here. */
  available(): FieldAvailability;
  /**
   * A fuller check that may cost a process (ps runs once): made only when one of this
   * collector's keys is selected; null when it works, else why not.
   */
  verify?(): string | null;
  /**
   * One I/O pass for `pids` (ignored by group-wide collectors), reading only `fields`;
   * `files`: descriptors the caller holds open across passes, for the files read every sample.
   */
  collect(pids: readonly number[], fields: ReadonlySet<string>, files?: HeldFiles): Promise<CollectorReading>;
  /** A collector that streams from a long-lived source starts it here, at the run's start (sample interval in seconds). */
  open?(sampleIntervalSeconds: number): void;
  /** ... and ends it here, at every ending of the run. */
  close?(): Promise<void>;
  /** What the collector found and how it attributed readings to the run, for info.json. */
  provenance?(): Record<string, unknown>;
}

/** The pid field carried by every per-pid reading that knows the process's age. */
export const ELAPSED_FIELD = 'elapsed';
