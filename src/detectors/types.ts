/**
 * Contracts between the output tee (src/run) or `duct detect` and the log detectors.
 * Field names are those written to <prefix>events.jsonl (see schema/events.schema.json).
 */

export type StreamName = 'stdout' | 'stderr';

/** One logical line handed to the detectors, without its line terminator. */
export interface LineInput {
  stream: StreamName;
  /** 1-based line number within its stream. */
  line_number: number;
  text: string;
  /** true when the line was longer than the 1 MiB cap and was cut. */
  truncated: boolean;
  /** wall time the line was seen, ms since the epoch. */
  time_ms: number;
  /** container metadata etc., attached to every event from this line. */
  source?: Record<string, string | number>;
}

/** One event of events.jsonl. `kind` is the detector family; `attributes` its typed findings. */
export interface DetectorEvent {
  timestamp: string;
  kind: string;
  stream?: StreamName;
  line_number?: number;
  attributes: Record<string, string | number | boolean | null>;
  /** the matched line, cut to a bound. */
  body?: string;
  body_truncated?: boolean;
  source?: Record<string, string | number>;
}

/** A stateful detector set fed from one run's (or one container's) line stream. */
export interface LineDetectors {
  /** Feed one line; events found are passed to the sink given at creation. */
  line(input: LineInput): void;
  /** Feed the session's total CPU rate (percent, 100 = one core) at a wall time, the hang fallback signal. */
  cpu(time_ms: number, cpu_percent: number): void;
  /** Advance time without a line (hang detection needs a clock). */
  tick(time_ms: number): void;
  /** Flush pending state (a traceback being joined) and return the summary for info.json. */
  finish(time_ms: number): DetectorSummary;
}

export interface DetectorSummary {
  enabled: boolean;
  /** events per kind / error class. */
  counts: Record<string, number>;
  /** one line naming the most important failure, for the end-of-run summary; null when none. */
  headline: string | null;
  [extra: string]: unknown;
}
