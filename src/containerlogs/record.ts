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
  /** the stream it belongs to: the live `<n>.log` path (rotated files included), or the single file. */
  streamId: string;
}

/** The per-file part of a record line (file, format, pod metadata), built once per file rather than per line. */
let lastFile: string | null = null;
let lastMeta: PodMeta | null = null;
let lastHead = '';
let lastTail = '';

function fileParts(r: LogRecord): void {
  if (r.file === lastFile && r.meta === lastMeta) return;
  lastFile = r.file;
  lastMeta = r.meta;
  lastHead = `{"file":${JSON.stringify(r.file)},"format":"${r.format}",`;
  lastTail =
    r.meta === null
      ? '}'
      : `,"namespace":${JSON.stringify(r.meta.namespace)},"pod":${JSON.stringify(r.meta.pod)},"pod_uid":${JSON.stringify(r.meta.pod_uid)},` +
        `"container":${JSON.stringify(r.meta.container)},"restart_count":${r.meta.restart_count}}`;
}

/**
 * The `--emit records` line (schema/records.schema.json). Built in one place so the key
 * order is fixed: file, format, stream, time, time_unix_nano, message, chunks, truncated,
 * original_length_bytes, incomplete, then the pod metadata when the path has it.
 */
export function recordJson(r: LogRecord): string {
  fileParts(r);
  return (
    `${lastHead}"stream":"${r.stream}","time":${JSON.stringify(r.timeText)},"time_unix_nano":"${logTimeNanosText(r.time)}",` +
    `"message":${JSON.stringify(r.message)},"chunks":${r.chunks},"truncated":${r.truncated},"original_length_bytes":${r.originalLengthBytes},` +
    `"incomplete":${r.incomplete}${lastTail}`
  );
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
