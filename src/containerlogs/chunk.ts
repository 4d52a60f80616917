import type { StreamName } from '../detectors/types.js';

/** The two container log formats duct reads; a file is one or the other. */
export type ContainerLogFormat = 'cri' | 'docker';

/**
 * One physical log line, parsed: a whole message or one partial piece of one.
 * `body` is a view into a buffer the caller may reuse, so a consumer that keeps it must copy.
 */
export interface LogChunk {
  /** the timestamp as written. */
  timeText: string;
  stream: StreamName;
  /** true when the message continues in a later chunk of the same stream. */
  partial: boolean;
  body: Buffer;
  bodyStart: number;
  bodyEnd: number;
  /** body bytes past bodyEnd that were not kept (a physical line longer than the cap). */
  droppedBytes: number;
}

/** Why a physical line was not a chunk; counted and reported, never fatal. */
export interface MalformedLine {
  malformed: string;
}

export type ParsedLine = LogChunk | MalformedLine;

export function isMalformed(p: ParsedLine): p is MalformedLine {
  return (p as MalformedLine).malformed !== undefined;
}
