import { createHash } from 'node:crypto';
import { accessSync, constants as fsc, lstatSync, realpathSync, statfsSync, unlinkSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { makeDirs } from '../files/make-dirs.js';

/**
 * statfs(2) f_type of the filesystems where files are shared between hosts
 * (the kernel's magic numbers). SQLite's WAL keeps its index in shared
 * memory, which is per host: two nodes running `ls` on one index would each
 * see their own, and POSIX locks over these are unreliable or switched off.
 */
const SHARED_FS: ReadonlyMap<number, string> = new Map([
  [0x6969, 'NFS'],
  [0x0bd00bd0, 'Lustre'],
  [0x47504653, 'GPFS'],
  [0x19830326, 'BeeGFS'],
  [0xff534d42, 'CIFS'],
  [0xfe534d42, 'SMB2'],
  [0x517b, 'SMB'],
  [0x00c36400, 'CephFS'],
  [0x5346414f, 'AFS'],
  [0x6b414653, 'AFS'],
  [0x01021997, '9P'],
  [0x564c, 'NCP'],
]);

/** The name of a filesystem type shared between hosts, or null for a local one (ext4, xfs, tmpfs, ...). */
export function sharedFsName(fsType: number): string | null {
  return SHARED_FS.get(fsType) ?? null;
}

/** The shared filesystem holding `path` (or, not there yet, its nearest existing parent), or null: local or not known. */
function sharedFsOf(path: string, statfs: (p: string) => { type: number }): string | null {
  for (let p = path; ; p = dirname(p)) {
    try {
      return sharedFsName(statfs(p).type);
    } catch {
      if (dirname(p) === p) return null;
    }
  }
}

export interface IndexPlacement {
  path: string;
  /** WAL on a local filesystem; rollback journal where no local place exists (a shared one, locks permitting). */
  journal: 'WAL' | 'DELETE';
  /** why the index is not in the log directory, for --help-level diagnostics; null when it is. */
  moved: string | null;
}

export interface PlacementEnv {
  env: NodeJS.ProcessEnv;
  /** injectable for tests: the f_type of a path. */
  statfs?: (path: string) => { type: number };
}

/** A directory of our own (created 0700; one that is a link, or another user's, is refused). */
function ownDir(dir: string): boolean {
  try {
    makeDirs(dir, 0o700);
    const st = lstatSync(dir);
    return st.isDirectory() && (process.getuid === undefined || st.uid === process.getuid());
  } catch {
    return false;
  }
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, fsc.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where the index of a log directory lives: beside the runs when that directory
 * is local and writable; else in a per-user cache on a local filesystem
 * (${XDG_CACHE_HOME:-~/.cache}/duct/index, or ${TMPDIR}/duct-<uid>/index when the
 * home directory is shared too), one file per log root; rollback-journal mode
 * in place only where no local cache can be had.
 */
export function placeIndex(defaultPath: string, opts: PlacementEnv): IndexPlacement {
  const statfs = opts.statfs ?? statfsSync;
  const dir = dirname(defaultPath);
  const shared = sharedFsOf(dir, statfs);
  const readOnly = !writable(dir);
  if (!shared && !readOnly) return { path: defaultPath, journal: 'WAL', moved: null };
  let root = dir;
  try {
    root = realpathSync(dir);
  } catch {
    // not there yet: keyed by the path as given
  }
  const key = createHash('sha256').update(root).digest('hex').slice(0, 24);
  const home = opts.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  const uid = process.getuid?.() ?? 'user';
  for (const cache of [join(home, 'duct', 'index'), join(tmpdir(), `duct-${uid}`, 'index')]) {
    if (sharedFsOf(cache, statfs)) continue;
    if (!ownDir(cache)) continue;
    return { path: join(cache, `${key}.sqlite`), journal: 'WAL', moved: shared ? `${root} is on ${shared}` : `${root} is not writable` };
  }
  return { path: defaultPath, journal: shared ? 'DELETE' : 'WAL', moved: null };
}

/** An index file the user named (--index) stays where it is; on a shared filesystem it uses the rollback journal. */
export function explicitIndex(path: string, opts: PlacementEnv): IndexPlacement {
  return { path, journal: sharedFsOf(dirname(path), opts.statfs ?? statfsSync) ? 'DELETE' : 'WAL', moved: null };
}

/** The index file and the ones SQLite keeps beside it. */
function indexFiles(path: string): string[] {
  return [path, `${path}-wal`, `${path}-shm`, `${path}-journal`];
}

/**
 * The index is only ever a plain file of its own: a symbolic link (or anything
 * else) planted at its name or its journal's would make SQLite write through it,
 * outside the tree. Such an entry is removed (the link itself, never its
 * target), and the index rebuilt; returns one sentence per entry removed.
 */
export function removePlantedIndexFiles(path: string): string[] {
  const removed: string[] = [];
  for (const p of indexFiles(path)) {
    const st = lstatSync(p, { throwIfNoEntry: false });
    if (!st || (st.isFile() && st.nlink === 1)) continue;
    const what = st.isSymbolicLink() ? 'a symbolic link' : st.isFile() ? 'a hard-linked file' : 'not a regular file';
    try {
      unlinkSync(p);
      removed.push(`${p} was ${what}: removed, the index is never written through it`);
    } catch (err) {
      removed.push(`${p} is ${what} and cannot be removed (${(err as Error).message})`);
    }
  }
  return removed;
}
