import type { StreamName } from '../detectors/types.js';
import type { ContainerLogFormat } from './chunk.js';
import type { PodMeta } from './pod-path.js';
import { logTimeNanosText, type LogTime } from './timestamp.js';

/** One logical container log message: its chunks joined, decoded, capped. */
export interface LogRecord {
  /** the file its first chunk was read from. */
  file: string;
  format: ContainerLogFormat;
  stream: StreamName;
  /** the first chunk's timestamp as written, and parsed. */
  timeText: string;
  time: LogTime;
  message: string;
  /** physical lines merged into this record. */
  chunks: number;
  /** true when the message was longer than the record cap and was cut. */
  truncated: boolean;
  /** the message's length in bytes before any cut. */
  originalLengthBytes: number;
  /** true when flushed without its final chunk (file closed or idle timeout). */
  incomplete: boolean;
  meta: PodMeta | null;
}

/** The `--emit records` line (schema/records.schema.json); built in one place so key order is fixed. */
export function recordJson(r: LogRecord): string {
  const out: Record<string, unknown> = {
    file: r.file,
    format: r.format,
    stream: r.stream,
    time: r.timeText,
    time_unix_nano: logTimeNanosText(r.time),
    message: r.message,
    chunks: r.chunks,
    truncated: r.truncated,
    original_length_bytes: r.originalLengthBytes,
    incomplete: r.incomplete,
  };
  if (r.meta !== null) {
    out.namespace = r.meta.namespace;
    out.pod = r.meta.pod;
    out.pod_uid = r.meta.pod_uid;
    out.container = r.meta.container;
    out.restart_count = r.meta.restart_count;
  }
  return JSON.stringify(out);
}

/** The `source` block attached to detector events from this record. */
export function recordSource(r: LogRecord): Record<string, string | number> {
  const s: Record<string, string | number> = {};
  if (r.meta !== null) {
    s.namespace = r.meta.namespace;
    s.pod = r.meta.pod;
    s.pod_uid = r.meta.pod_uid;
    s.container = r.meta.container;
    s.restart_count = r.meta.restart_count;
  }
  s.file = r.file;
  return s;
}
