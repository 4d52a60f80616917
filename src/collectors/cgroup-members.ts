import { join } from 'node:path';
import { parseProcStat } from './proc-stat.js';
import { readSmallFile } from './read-small-file.js';

/** The pids (thread-group ids) in a cgroup's `cgroup.procs` text. */
export function parseCgroupProcs(text: string): number[] {
  const out: number[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (/^\d+$/.test(t)) out.push(Number(t));
  }
  return out;
}

/** The member processes of the cgroup in `dir` (v1 and v2 both have cgroup.procs), or null when unreadable. */
export function readCgroupProcs(dir: string): number[] | null {
  const text = readSmallFile(join(dir, 'cgroup.procs'));
  return text === null ? null : parseCgroupProcs(text);
}

/** What membership needs of one process: its parent, its session and its name; null when it is gone. */
export interface ProcessLink {
  ppid: number;
  session: number;
  comm: string;
}

export function readProcessLink(pid: number, procRoot = '/proc'): ProcessLink | null {
  const text = readSmallFile(join(procRoot, String(pid), 'stat'));
  if (text === null) return null;
  try {
    const st = parseProcStat(text);
    return { ppid: st.ppid, session: st.session, comm: st.comm };
  } catch {
    return null;
  }
}

/** The chain of ancestors of `pid`, its parent first, up to (and including) pid 1. */
export function readAncestors(pid: number, procRoot = '/proc'): number[] {
  const out: number[] = [];
  let p = readProcessLink(pid, procRoot)?.ppid ?? 0;
  while (p > 0 && out.length < 4096 && !out.includes(p)) {
    out.push(p);
    p = readProcessLink(p, procRoot)?.ppid ?? 0;
  }
  return out;
}
