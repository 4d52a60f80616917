/**
 * Contracts between the output tee (src/run) or `duct detect` and the log detectors.
 * Field names are those written to <prefix>events.jsonl (see schema/events.schema.json).
 */

import type { HangVerdict } from './verdict.js';

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
  /** other lines that reported the same failure (a CUDA OOM repeated on the other stream). */
  also_at?: { stream: StreamName; line_number: number }[];
  /** the matched line, cut to a bound. */
  body?: string;
  body_truncated?: boolean;
  /** true when the line itself had been cut at the 1 MiB line cap before it reached the detectors. */
  line_truncated?: boolean;
  /** present on kind "verdict" only: the verdict object pinned by schema/verdict.schema.json. */
  verdict?: HangVerdict;
  source?: Record<string, string | number>;
}

/**
 * Storage evidence from outside the command's output (a Kubernetes event fed with
 * `duct detect --events`); a discriminator for the dataloader-hang verdict.
 */
export interface ExternalStorageEvent {
  /** ms since the epoch. */
  time_ms: number;
  /** e.g. FailedMount, FailedAttachVolume, VolumeMountFailure. */
  reason: string;
  message: string;
  /** e.g. "Pod default/train-0". */
  object: string | null;
}

/** A stateful detector set fed from one run's (or one container's) line stream. */
export interface LineDetectors {
  /** Feed one line; events found are passed to the sink given at creation. */
  line(input: LineInput): void;
  /** Feed the session's total CPU rate (percent, 100 = one core) at a wall time, the hang fallback signal. */
  cpu(time_ms: number, cpu_percent: number): void;
  /** Advance time without a line (hang detection needs a clock). */
  tick(time_ms: number): void;
  /** Feed storage evidence from outside the output (emits a storage_event event and keeps it for the hang verdict). */
  external?(e: ExternalStorageEvent): void;
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
