import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { findRunPaths } from '../files/run-reader.js';
import type { ListedRun } from './fields.js';
import { explicitIndex, placeIndex, removePlantedIndexFiles } from './index-location.js';
import { INDEX_FILE_NAME, isCorruptionError, RunIndex, type IndexColumn, type RefreshStats } from './run-index.js';

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
  const { result, stats, indexPath } = await withIndex(opts, (index, found, fresh) => index.listed(found, fresh));
  return { runs: result, stats, indexPath };
}

/**
 * Find the runs under `paths`, bring the index up to date, and hand `consume` the
 * found runs' rows as they stream from the index (see RunIndex.rows): a machine
 * listing without a run object per run. `consume` may run twice (after a damaged
 * index is rebuilt), so it only builds its answer.
 */
export async function listRunRows<T>(
  opts: ListRunsOptions,
  columns: readonly IndexColumn[],
  consume: (rows: ReturnType<RunIndex['rows']>) => T,
): Promise<{ result: T; stats: RefreshStats; indexPath: string }> {
  return withIndex(opts, (index, found) => consume(index.rows(found, columns)));
}

/** Walk the paths, open and refresh the index, and answer through `use` while it is open; a damaged index is rebuilt once, an unusable one replaced by one in memory. */
async function withIndex<T>(
  opts: ListRunsOptions,
  use: (index: RunIndex, found: string[], fresh: ReadonlyMap<string, string>) => T,
): Promise<{ result: T; stats: RefreshStats; indexPath: string }> {
  const found = await findRunPaths(opts.paths, { warn: opts.warn, followSymlinks: opts.followSymlinks === true });
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
    return { ...(await refreshOnce(index, found, roots, opts, use)), indexPath };
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
    return { ...(await refreshOnce(index, found, roots, opts, use)), indexPath };
  }
}

async function refreshOnce<T>(
  index: RunIndex,
  found: string[],
  roots: string[],
  opts: ListRunsOptions,
  use: (index: RunIndex, found: string[], fresh: ReadonlyMap<string, string>) => T,
): Promise<{ result: T; stats: RefreshStats }> {
  try {
    const { stats, fresh } = await index.sync(found, roots, opts.progress ? { progress: opts.progress } : {});
    return { result: use(index, found, fresh), stats };
  } finally {
    index.close();
  }
}

function isSqliteError(err: unknown): boolean {
  const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('SQLITE_');
}
