import type { ParsedLine } from './chunk.js';

/**
 * Parse one Docker json-file line `{"log":"...","stream":"stdout","time":"..."}`.
 * `log` without a trailing `\n` is a partial (Docker splits at 16 KiB); the one `\n`
 * that ends a message is its terminator and is dropped, nothing else is trimmed.
 */
export function parseDockerLine(buf: Buffer, start: number, end: number, droppedBytes: number): ParsedLine {
  if (droppedBytes > 0) return { malformed: 'JSON line longer than the record cap' };
  let v: unknown;
  try {
    v = JSON.parse(buf.toString('utf8', start, end));
  } catch {
    return { malformed: 'not JSON' };
  }
  if (typeof v !== 'object' || v === null) return { malformed: 'not a JSON object' };
  const o = v as Record<string, unknown>;
  if (typeof o.log !== 'string') return { malformed: 'no "log" string' };
  if (o.stream !== 'stdout' && o.stream !== 'stderr') return { malformed: '"stream" is not stdout or stderr' };
  if (typeof o.time !== 'string') return { malformed: 'no "time" string' };
  const whole = o.log.endsWith('\n');
  const body = Buffer.from(whole ? o.log.slice(0, -1) : o.log, 'utf8');
  return { timeText: o.time, stream: o.stream, partial: !whole, body, bodyStart: 0, bodyEnd: body.length, droppedBytes: 0 };
}
