import { parseCriLine } from './cri-line.js';
import { isMalformed, type ContainerLogFormat } from './chunk.js';
import { parseDockerLine } from './docker-line.js';
import { parseLogTime } from './timestamp.js';

/** Which format a file's first line is in; null when it is neither (plain text). */
export function sniffFormat(head: Buffer): ContainerLogFormat | null {
  let end = head.indexOf(10);
  if (end < 0) end = head.length;
  if (end === 0) return null;
  if (head[0] === 123) {
    const d = parseDockerLine(head, 0, end, 0);
    if (!isMalformed(d)) return parseLogTime(d.timeText) !== null ? 'docker' : null;
    // a first line longer than the head: json-file always writes the "log" key first
    return end === head.length && head.toString('latin1', 0, 8) === '{"log":"' ? 'docker' : null;
  }
  const c = parseCriLine(head, 0, end, 0);
  return !isMalformed(c) && parseLogTime(c.timeText) !== null ? 'cri' : null;
}
