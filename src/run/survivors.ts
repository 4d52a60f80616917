import { readdirSync, readFileSync } from 'node:fs';

/** Field 6 of /proc/<pid>/stat (after the parenthesised comm, which may itself hold spaces or parentheses). */
export function parseSessionId(stat: string): number | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  const fields = stat.slice(close + 2).split(' ');
  const sid = Number(fields[3]);
  return Number.isInteger(sid) ? sid : null;
}

/** pids still alive in session `sid` (Linux /proc; empty elsewhere), excluding `exclude`. */
export function sessionMembers(sid: number, exclude: number[] = []): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const e of entries) {
    const pid = Number(e);
    if (!Number.isInteger(pid) || exclude.includes(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (parseSessionId(stat) === sid && !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) out.push(pid);
    } catch {
      // it exited while we looked
    }
  }
  return out.sort((a, b) => a - b);
}
