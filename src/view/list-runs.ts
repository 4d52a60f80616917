import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { findRuns } from '../files/run-reader.js';
import type { ListedRun } from './fields.js';
import { explicitIndex, placeIndex, removePlantedIndexFiles } from './index-location.js';
import { INDEX_FILE_NAME, isCorruptionError, RunIndex, type RefreshStats } from './run-index.js';

export interface ListRunsOptions {
  paths: readonly string[];
  /** index file; default `<first path>/.duct-index.sqlite`. */
  indexPath?: string;
  progress?: (done: number, total: number) => void;
  /** problems that did not stop the listing (an index rebuilt, or not writable). */
  warn: (message: string) => void;
  /** how long to wait for another writer (default DEFAULT_BUSY_TIMEOUT_MS); tests shorten it. */
  busyTimeoutMs?: number;
  /** read `*info.json` links whose target is outside the tree. */
  followSymlinks?: boolean;
}

/** Where the index of these paths lives by default: in the first path (its directory when it is a file). */
export function defaultIndexPath(paths: readonly string[]): string {
  const first = resolve(paths[0] ?? '.');
  let dir = first;
  try {
    if (!statSync(first).isDirectory()) dir = dirname(first);
  } catch {
    dir = dirname(first);
  }
  return join(dir, INDEX_FILE_NAME);
}

/** Find the runs under `paths` and return their summaries through the index, rebuilding it if it turns out corrupt. */
export async function listRuns(opts: ListRunsOptions): Promise<{ runs: ListedRun[]; stats: RefreshStats; indexPath: string }> {
  const found: string[] = [];
  for await (const p of findRuns(opts.paths, { warn: opts.warn, followSymlinks: opts.followSymlinks === true })) found.push(p);
  const roots = opts.paths.map((p) => resolve(p));
  // off a shared or read-only log directory, into a local per-user cache (see index-location.ts)
  const placed = opts.indexPath ? explicitIndex(opts.indexPath, { env: process.env }) : placeIndex(defaultIndexPath(opts.paths), { env: process.env });
  const indexPath = placed.path;
  const openOpts = { journal: placed.journal, ...(opts.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: opts.busyTimeoutMs }) };

  let index: RunIndex;
  for (const w of removePlantedIndexFiles(indexPath)) opts.warn(w);
  try {
    index = RunIndex.open(indexPath, openOpts);
  } catch (err) {
    opts.warn(`cannot use the index ${indexPath} (${(err as Error).message}); listing without it`);
    index = RunIndex.open(':memory:');
  }
  if (index.rebuilt) opts.warn(`rebuilt the index ${indexPath}: ${index.rebuilt}`);
  try {
    const out = await refreshOnce(index, found, roots, opts);
    return { ...out, indexPath };
  } catch (err) {
    if (!isSqliteError(err)) throw err;
    if (isCorruptionError(err)) {
      // a file that opened but is damaged inside: start it over once
      opts.warn(`rebuilt the index ${indexPath}: ${(err as Error).message}`);
      try {
        index = RunIndex.open(indexPath, { forceRebuild: true, ...openOpts });
      } catch {
        index = RunIndex.open(':memory:');
      }
    } else {
      // busy past the timeout, read-only, disk full: answer without it and leave the file be
      opts.warn(`cannot use the index ${indexPath} (${(err as Error).message}); listing without it`);
      index = RunIndex.open(':memory:');
    }
    const out = await refreshOnce(index, found, roots, opts);
    return { ...out, indexPath };
  }
}

async function refreshOnce(index: RunIndex, found: string[], roots: string[], opts: ListRunsOptions): Promise<{ runs: ListedRun[]; stats: RefreshStats }> {
  try {
    return await index.refresh(found, roots, opts.progress ? { progress: opts.progress } : {});
  } finally {
    index.close();
  }
}

function isSqliteError(err: unknown): boolean {
  const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('SQLITE_');
}
