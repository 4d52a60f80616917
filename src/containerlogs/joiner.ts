import type { StreamName } from '../detectors/types.js';
import type { ContainerLogFormat, LogChunk } from './chunk.js';
import type { PodMeta } from './pod-path.js';
import type { LogRecord } from './record.js';
import type { LogTime } from './timestamp.js';
import { utf8SafeEnd } from './utf8-cut.js';

/** A message whose final chunk has not arrived yet: raw bytes, decoded only when whole. */
export interface PendingMessage {
  file: string;
  format: ContainerLogFormat;
  timeText: string;
  time: LogTime;
  parts: Buffer[];
  keptBytes: number;
  totalBytes: number;
  chunks: number;
  /** wall time of the last chunk, ms: the idle timeout counts from it. */
  lastMs: number;
}

/** The per-container join state: one pending message per stream, since stdout and stderr interleave. */
export interface JoinSlots {
  /** the stream (live `<n>.log` path, or the single file) the slots belong to. */
  streamId: string;
  meta: PodMeta | null;
  stdout: PendingMessage | null;
  stderr: PendingMessage | null;
}

export function newJoinSlots(streamId: string, meta: PodMeta | null): JoinSlots {
  return { streamId, meta, stdout: null, stderr: null };
}

/** Joins partial chunks into records, keeping at most `maxBytes` of any message in memory. */
export class Joiner {
  constructor(
    private readonly maxBytes: number,
    private readonly emit: (r: LogRecord) => void,
  ) {}

  chunk(slots: JoinSlots, c: LogChunk, time: LogTime, file: string, format: ContainerLogFormat, nowMs: number): void {
    const pending = slots[c.stream];
    const len = c.bodyEnd - c.bodyStart;
    if (pending === null && !c.partial) {
      // the common case: one whole line, decoded straight from the read buffer
      const cut = len > this.maxBytes || c.droppedBytes > 0;
      const end = len > this.maxBytes ? utf8SafeEnd(c.body, c.bodyStart, c.bodyStart + this.maxBytes) : cut ? utf8SafeEnd(c.body, c.bodyStart, c.bodyEnd) : c.bodyEnd;
      this.emit({
        file,
        format,
        stream: c.stream,
        timeText: c.timeText,
        time,
        message: c.body.toString('utf8', c.bodyStart, end),
        chunks: 1,
        truncated: cut,
        originalLengthBytes: len + c.droppedBytes,
        incomplete: false,
        meta: slots.meta,
        streamId: slots.streamId,
      });
      return;
    }
    const p: PendingMessage = pending ?? {
      file,
      format,
      timeText: c.timeText,
      time,
      parts: [],
      keptBytes: 0,
      totalBytes: 0,
      chunks: 0,
      lastMs: nowMs,
    };
    const take = Math.min(len, this.maxBytes - p.keptBytes);
    if (take > 0) {
      // copy: the chunk's buffer is reused by the reader
      p.parts.push(Buffer.from(c.body.subarray(c.bodyStart, c.bodyStart + take)));
      p.keptBytes += take;
    }
    p.totalBytes += len + c.droppedBytes;
    p.chunks++;
    p.lastMs = nowMs;
    if (c.partial) {
      slots[c.stream] = p;
    } else {
      slots[c.stream] = null;
      this.emit(this.toRecord(p, c.stream, slots, false));
    }
  }

  /** Emit every pending message as incomplete (file closed); with `idleMs`, only those idle that long. */
  flush(slots: JoinSlots, nowMs: number, idleMs = 0): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const p = slots[stream];
      if (p !== null && nowMs - p.lastMs >= idleMs) {
        slots[stream] = null;
        this.emit(this.toRecord(p, stream, slots, true));
      }
    }
  }

  private toRecord(p: PendingMessage, stream: StreamName, slots: JoinSlots, incomplete: boolean): LogRecord {
    const joined = p.parts.length === 1 ? p.parts[0]! : Buffer.concat(p.parts, p.keptBytes);
    const truncated = p.totalBytes > p.keptBytes;
    const end = truncated ? utf8SafeEnd(joined, 0, joined.length) : joined.length;
    return {
      file: p.file,
      format: p.format,
      stream,
      timeText: p.timeText,
      time: p.time,
      message: joined.toString('utf8', 0, end),
      chunks: p.chunks,
      truncated,
      originalLengthBytes: p.totalBytes,
      incomplete,
      meta: slots.meta,
      streamId: slots.streamId,
    };
  }
}
