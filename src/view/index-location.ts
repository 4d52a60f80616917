import { lstatSync, unlinkSync } from 'node:fs';

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
