import type { StreamName } from '../detectors/types.js';
import type { ParsedLine } from './chunk.js';

const SPACE = 32;

/** `stdout ` or `stderr ` at `at`, compared byte by byte (cheaper per line than Buffer.compare). */
function streamAt(buf: Buffer, at: number, end: number): StreamName | null {
  if (end - at < 7 || buf[at] !== 115 || buf[at + 1] !== 116 || buf[at + 2] !== 100 || buf[at + 6] !== SPACE) return null;
  const a = buf[at + 3];
  const b = buf[at + 4];
  const c = buf[at + 5];
  if (a === 111 && b === 117 && c === 116) return 'stdout';
  if (a === 101 && b === 114 && c === 114) return 'stderr';
  return null;
}

/**
 * Parse one CRI log line `<RFC3339Nano> <stdout|stderr> <P|F> <body>` in buf[start, end)
 * without copying: the body stays a view. The body is never trimmed; an empty body may
 * lack its separating space.
 */
export function parseCriLine(buf: Buffer, start: number, end: number, droppedBytes: number): ParsedLine {
  const sp = buf.indexOf(SPACE, start);
  if (sp < 0 || sp >= end || sp === start) return { malformed: 'no timestamp field' };
  if (sp - start > 64) return { malformed: 'timestamp field too long' };
  const stream = streamAt(buf, sp + 1, end);
  if (stream === null) return { malformed: 'stream is not stdout or stderr' };
  const tagAt = sp + 8;
  const tag = buf[tagAt];
  if (tagAt >= end || (tag !== 80 && tag !== 70)) return { malformed: 'tag is not P or F' };
  let bodyStart: number;
  if (tagAt + 1 === end) bodyStart = end;
  else if (buf[tagAt + 1] === SPACE) bodyStart = tagAt + 2;
  else return { malformed: 'no space after the P/F tag' };
  return {
    timeText: buf.toString('latin1', start, sp),
    stream,
    partial: tag === 80,
    body: buf,
    bodyStart,
    bodyEnd: end,
    droppedBytes,
  };
}
