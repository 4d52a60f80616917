import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * mkdir -p one level at a time: Node's recursive mkdir never returns where
 * mkdir gives ENOENT under a parent that exists (/proc/x spins at 100% CPU).
 * Returns the directories created, deepest last; throws the first failure.
 */
export function makeDirs(path: string, mode = 0o777): string[] {
  const dir = resolve(path);
  const missing: string[] = [];
  for (let d = dir; !existsSync(d); d = dirname(d)) missing.unshift(d);
  for (const d of missing) mkdirSync(d, { mode });
  if (missing.length === 0) mkdirSync(dir, { recursive: true }); // exists: a no-op for a directory, EEXIST for a file in the way
  return missing;
}
