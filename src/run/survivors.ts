import { readdirSync, readFileSync } from 'node:fs';
import { parseProcStat } from '../collectors/proc-stat.js';

/**
 * pids still alive in session `sid` (Linux /proc; empty elsewhere), excluding
 * `exclude`. Zombies do not count: the command's orphans are reparented to init,
 * which may be slow (or, in some containers, never) to reap them.
 */
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
      const stat = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      if (stat.session === sid && stat.state !== 'Z') out.push(pid);
    } catch {
      // it exited while we looked, or the line was not a stat line
    }
  }
  return out.sort((a, b) => a - b);
}
