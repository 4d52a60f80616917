import Database from 'better-sqlite3';
import { closeSync, openSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { sep } from 'node:path';
import { summarizeInfoText } from '../files/run-reader.js';
import type { ListedRun } from './fields.js';

/** Bumped whenever the table shape or the cached summary's meaning changes; a mismatch rebuilds the index. */
export const INDEX_VERSION = '1';

export const INDEX_FILE_NAME = '.duct-index.sqlite';

/** What one refresh did, for tests, benchmarks and the progress line. */
export interface RefreshStats {
  found: number;
  /** runs read afresh (new or changed). */
  read: number;
  deleted: number;
  /** why the index file was rebuilt from scratch, when it was. */
  rebuilt: string | null;
}

interface Row {
  path: string;
  mtime_ms: number;
  size: number;
  format: string;
  prefix: string;
  summary: string;
  units: string;
  warnings: string;
}

export interface RunIndexOptions {
  /** called with (done, total) while reading runs, for a progress line. */
  progress?: (done: number, total: number) => void;
}

/**
 * The `ls` cache: each run's summary keyed by its info.json path, with the mtime and
 * size it was read at, in a WAL-mode SQLite file so concurrent `ls` calls and runs
 * finishing meanwhile neither block readers nor corrupt it.
 */
export class RunIndex {
  private db: Database.Database;
  readonly path: string;
  /** why the file was rebuilt at open, or null. */
  readonly rebuilt: string | null;

  private constructor(path: string, db: Database.Database, rebuilt: string | null) {
    this.path = path;
    this.db = db;
    this.rebuilt = rebuilt;
  }

  /** Open (or create, mode 0600) the index; a corrupt or other-version file is rebuilt, never fatal. */
  static open(path: string, opts: { forceRebuild?: boolean } = {}): RunIndex {
    if (path === ':memory:') return new RunIndex(path, prepare(new Database(':memory:')), null);
    let reason: string | null = opts.forceRebuild ? 'damaged' : null;
    if (!opts.forceRebuild) {
      try {
        const opened = openChecked(path);
        if (opened.ok) return new RunIndex(path, opened.db, null);
        reason = opened.reason;
      } catch (err) {
        reason = `unreadable (${(err as Error).message})`;
      }
    }
    removeIndexFiles(path);
    const again = openChecked(path, true);
    if (!again.ok) throw new Error(`cannot create the index ${path}: ${again.reason}`);
    return new RunIndex(path, again.db, reason);
  }

  close(): void {
    this.db.close();
  }

  /**
   * Bring the index up to date with the runs found (absolute info.json paths) under
   * `roots`, reading only new and changed runs and dropping runs gone from under the roots;
   * returns the found runs in the order given.
   */
  async refresh(found: readonly string[], roots: readonly string[], opts: RunIndexOptions = {}): Promise<{ runs: ListedRun[]; stats: RefreshStats }> {
    const known = new Map<string, { mtime_ms: number; size: number }>();
    for (const r of this.db.prepare('SELECT path, mtime_ms, size FROM runs').iterate() as IterableIterator<Pick<Row, 'path' | 'mtime_ms' | 'size'>>) {
      known.set(r.path, { mtime_ms: r.mtime_ms, size: r.size });
    }
    const toRead: { path: string; mtime_ms: number; size: number }[] = [];
    const present = new Set<string>();
    for (const path of found) {
      let st;
      try {
        st = statSync(path);
      } catch {
        continue; // removed between the directory walk and now: treated as gone
      }
      present.add(path);
      const k = known.get(path);
      if (!k || k.mtime_ms !== st.mtimeMs || k.size !== st.size) toRead.push({ path, mtime_ms: st.mtimeMs, size: st.size });
    }
    const fresh = await readSummaries(toRead, opts.progress);
    const gone = [...known.keys()].filter((p) => !present.has(p) && underRoots(p, roots));

    const upsert = this.db.prepare(
      'INSERT OR REPLACE INTO runs (path, mtime_ms, size, format, prefix, summary, units, warnings) VALUES (@path, @mtime_ms, @size, @format, @prefix, @summary, @units, @warnings)',
    );
    const del = this.db.prepare('DELETE FROM runs WHERE path = ?');
    this.db.transaction(() => {
      for (const row of fresh) upsert.run(row);
      for (const p of gone) del.run(p);
    }).immediate();

    const freshByPath = new Map(fresh.map((r) => [r.path, r]));
    const rows = new Map<string, Row>();
    if (fresh.length < present.size) {
      for (const r of this.db.prepare('SELECT * FROM runs').iterate() as IterableIterator<Row>) {
        if (present.has(r.path)) rows.set(r.path, r);
      }
    }
    const runs: ListedRun[] = [];
    for (const path of found) {
      const row = freshByPath.get(path) ?? rows.get(path);
      if (row) runs.push(toListed(row));
    }
    return { runs, stats: { found: present.size, read: fresh.length, deleted: gone.length, rebuilt: this.rebuilt } };
  }
}

function underRoots(path: string, roots: readonly string[]): boolean {
  return roots.some((r) => path === r || path.startsWith(r.endsWith(sep) ? r : r + sep));
}

function toListed(row: Row): ListedRun {
  return {
    path: row.path,
    format: row.format as ListedRun['format'],
    prefix: row.prefix,
    summary: JSON.parse(row.summary) as ListedRun['summary'],
    units: JSON.parse(row.units) as ListedRun['units'],
    warnings: JSON.parse(row.warnings) as string[],
  };
}

const READ_CONCURRENCY = 16;

async function readSummaries(
  items: readonly { path: string; mtime_ms: number; size: number }[],
  progress?: (done: number, total: number) => void,
): Promise<Row[]> {
  const out: Row[] = [];
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      let text: string;
      try {
        text = await readFile(item.path, 'utf8');
      } catch {
        continue; // removed since it was found: it simply is not listed
      }
      const s = summarizeInfoText(item.path, text);
      out.push({
        path: item.path,
        mtime_ms: item.mtime_ms,
        size: item.size,
        format: s.format,
        prefix: s.prefix,
        summary: JSON.stringify(s.summary),
        units: JSON.stringify(s.units),
        warnings: JSON.stringify(s.warnings),
      });
      done++;
      if (progress && (done % 250 === 0 || done === items.length)) progress(done, items.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, items.length) }, worker));
  return out;
}

function prepare(db: Database.Database): Database.Database {
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS runs (
      path TEXT PRIMARY KEY,
      mtime_ms REAL NOT NULL,
      size INTEGER NOT NULL,
      format TEXT NOT NULL,
      prefix TEXT NOT NULL,
      summary TEXT NOT NULL,
      units TEXT NOT NULL,
      warnings TEXT NOT NULL
    );
  `);
  db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('version', ?)").run(INDEX_VERSION);
  return db;
}

/** Open and check: a file of another version is reported as not ok; one SQLite rejects throws. */
function openChecked(path: string, create = false): { ok: true; db: Database.Database } | { ok: false; reason: string } {
  let isNew = create;
  try {
    statSync(path);
  } catch {
    isNew = true;
  }
  if (isNew) closeSync(openSync(path, 'a', 0o600)); // created 0600 first; SQLite gives its -wal/-shm files the same mode
  const db = new Database(path);
  try {
    const version = isNew ? INDEX_VERSION : readVersion(db);
    if (version !== INDEX_VERSION) {
      db.close();
      return { ok: false, reason: version === null ? 'it has no version' : `it is version ${version}, this duct writes ${INDEX_VERSION}` };
    }
    return { ok: true, db: prepare(db) };
  } catch (err) {
    db.close();
    throw err;
  }
}

function readVersion(db: Database.Database): string | null {
  const hasMeta = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
  if (!hasMeta) {
    const anyTable = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").get();
    return anyTable ? null : INDEX_VERSION; // an empty database is simply new
  }
  const row = db.prepare("SELECT value FROM meta WHERE key = 'version'").get() as { value: string } | undefined;
  return row?.value ?? null;
}

function removeIndexFiles(path: string): void {
  for (const p of [path, `${path}-wal`, `${path}-shm`]) rmSync(p, { force: true });
}
