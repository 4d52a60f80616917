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

/** What one process is to the run. */
export type Membership = 'member' | 'helper' | 'outside';

/**
 * Classify one process from its (pid, ppid, session). A helper is a child of
 * duct other than the command (a `ps` call, a shell running `lscpu` for the
 * system block) or a descendant of one (`helpers`: the helpers known so far).
 */
export function classify(spec: SessionSpec, pid: number, ppid: number, session: number, helpers: ReadonlySet<number> = new Set()): Membership {
  if (session !== spec.sessionId) return 'outside';
  if (spec.excludePids.includes(pid)) return 'outside';
  if (spec.helperParent !== null && ppid === spec.helperParent && pid !== spec.keepPid) return 'helper';
  if (helpers.has(ppid)) return 'helper';
  return 'member';
}

/** Whether a process belongs to the run. */
export function isMember(spec: SessionSpec, pid: number, ppid: number, session: number, helpers?: ReadonlySet<number>): boolean {
  return classify(spec, pid, ppid, session, helpers) === 'member';
}

/** The process-tree source: the pids of the run now (an empty list once all have exited). */
export interface ProcessTree {
  members(): Promise<number[]>;
  /** A member was seen in another session (it called setsid): it is no longer the run's. */
  leave?(pid: number): void;
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
  const helpers = new Set<number>();
  let calls = 0;
  return {
    members(): Promise<number[]> {
      const full = calls++ % fullScanEvery === 0;
      if (full) {
        outside.clear();
        inside.clear();
        helpers.clear();
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
        // pids come in ascending order, so a helper's parent is classified before it
        const kind = classify(spec, pid, st.ppid, st.session, helpers);
        if (kind === 'helper') helpers.add(pid);
        (kind === 'member' ? inside : outside).add(pid);
      }
      for (const set of [inside, outside, helpers]) for (const pid of set) if (!present.has(pid)) set.delete(pid);
      return Promise.resolve([...inside].sort((a, b) => a - b));
    },
    leave(pid: number): void {
      inside.delete(pid);
      outside.add(pid);
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
          const helpers = new Set<number>();
          const members: number[] = [];
          for (const p of parsePsSessions(stdout).sort((a, b) => a.pid - b.pid)) {
            const kind = classify(spec, p.pid, p.ppid, p.session, helpers);
            if (kind === 'helper') helpers.add(p.pid);
            else if (kind === 'member') members.push(p.pid);
          }
          resolve(members);
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
