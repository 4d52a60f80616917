import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseProcStat } from './proc-stat.js';
import { readSmallFile } from './read-small-file.js';

/** Which processes belong to the run. */
export interface SessionSpec {
  /** the session whose members belong to the run. */
  sessionId: number;
  /** pids never counted (duct itself in current-session mode). */
  excludePids: readonly number[];
  /** children of this pid are duct's own helpers (a `ps` call), except `keepPid`. */
  helperParent: number | null;
  /** the command's pid: never excluded as a helper. */
  keepPid: number;
}

/** Decide membership from one process's (pid, ppid, session). */
export function isMember(spec: SessionSpec, pid: number, ppid: number, session: number): boolean {
  if (session !== spec.sessionId) return false;
  if (spec.excludePids.includes(pid)) return false;
  if (spec.helperParent !== null && ppid === spec.helperParent && pid !== spec.keepPid) return false;
  return true;
}

/** The process-tree source: the pids of the run now (an empty list once all have exited). */
export interface ProcessTree {
  members(): Promise<number[]>;
}

/**
 * Session members from /proc without forking: list /proc, read the stat of
 * pids not seen before. A process can leave a session (setsid) but never join
 * another, so a pid seen outside the session stays outside. A pid that
 * vanishes from the listing is forgotten, so a reused pid number is read
 * again — unless it died and was reused between two calls, which a full
 * re-read every `fullScanEvery` calls catches.
 */
export function procSessionTree(spec: SessionSpec, procRoot = '/proc', fullScanEvery = 300): ProcessTree {
  const outside = new Set<number>();
  const inside = new Set<number>();
  let calls = 0;
  return {
    members(): Promise<number[]> {
      const full = calls++ % fullScanEvery === 0;
      if (full) {
        outside.clear();
        inside.clear();
      }
      const present = new Set<number>();
      for (const name of readdirSync(procRoot)) {
        const c = name.charCodeAt(0);
        if (c < 48 || c > 57) continue;
        const pid = Number(name);
        present.add(pid);
        if (outside.has(pid) || inside.has(pid)) continue;
        const text = readSmallFile(`${procRoot}/${name}/stat`);
        if (text === null) continue;
        const st = parseProcStat(text);
        (isMember(spec, pid, st.ppid, st.session) ? inside : outside).add(pid);
      }
      for (const pid of inside) if (!present.has(pid)) inside.delete(pid);
      for (const pid of outside) if (!present.has(pid)) outside.delete(pid);
      return Promise.resolve([...inside].sort((a, b) => a - b));
    },
  };
}

/** Parse `ps -A -o pid=,ppid=,sess=` rows. */
export function parsePsSessions(text: string): Array<{ pid: number; ppid: number; session: number }> {
  const out: Array<{ pid: number; ppid: number; session: number }> = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s*$/.exec(line);
    if (m) out.push({ pid: Number(m[1]), ppid: Number(m[2]), session: Number(m[3]) });
  }
  return out;
}

/** Session members with one `ps` call, where /proc does not exist. */
export function psSessionTree(spec: SessionSpec, psPath = 'ps'): ProcessTree {
  return {
    members(): Promise<number[]> {
      return new Promise((resolve, reject) => {
        execFile(psPath, ['-A', '-o', 'pid=,ppid=,sess='], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => {
          if (err) return reject(err);
          resolve(
            parsePsSessions(stdout)
              .filter((p) => isMember(spec, p.pid, p.ppid, p.session))
              .map((p) => p.pid)
              .sort((a, b) => a - b),
          );
        });
      });
    },
  };
}

/** duct's own session id, from /proc/self/stat (null where /proc is absent). */
export function ownSessionId(procRoot = '/proc'): number | null {
  const text = readSmallFile(join(procRoot, 'self', 'stat'));
  return text === null ? null : parseProcStat(text).session;
}
