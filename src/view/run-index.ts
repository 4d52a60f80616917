import Database from 'better-sqlite3';
import { closeSync, openSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { sep } from 'node:path';
import { INFO_SUFFIX, summarizeInfoText } from '../files/run-reader.js';
import { fieldValue, QUICK_FIELDS, type ListedRun } from './fields.js';
import type { FieldValue } from './filter/evaluate.js';
import { IndexedRun, SummaryLoader } from './indexed-run.js';

/** Bumped whenever the table shape or the cached summary's meaning changes; a mismatch rebuilds the index. */
export const INDEX_VERSION = '5';

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
  /** JSON of the summary; the prefix is the path less "info.json", so it is not stored. */
  summary: string;
  /** JSON of the units: runs measured alike share one row of the units table, parsed once per `ls`. */
  units: string;
  /** JSON of the warnings, or null for none (the common case). */
  warnings: string | null;
  /** 1 when the info.json parsed, else 0. */
  readable: number;
  /** the QUICK_FIELDS, in that order. */
  quick: FieldValue[];
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
  static open(path: string, opts: { forceRebuild?: boolean; busyTimeoutMs?: number } = {}): RunIndex {
    if (path === ':memory:') return new RunIndex(path, prepare(new Database(':memory:')), null);
    const busy = opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    let reason: string | null = opts.forceRebuild ? 'damaged' : null;
    if (!opts.forceRebuild) {
      try {
        const opened = openChecked(path, false, busy);
        if (opened.ok) return new RunIndex(path, opened.db, null);
        reason = opened.reason;
      } catch (err) {
        // only a file SQLite calls damaged is thrown away; a busy or unwritable one is left to its owner
        if (!isCorruptionError(err)) throw err;
        reason = `unreadable (${(err as Error).message})`;
      }
    }
    removeIndexFiles(path);
    const again = openChecked(path, true, busy);
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
    type Cached = [path: string, mtime_ms: number, size: number, format: string, summary: string | null, units_id: number, warnings: string | null, readable: number, ...quick: FieldValue[]];
    // an in-memory index cannot be reopened later, so it hands out summaries at once
    const summaryColumn = this.path === ':memory:' ? 'summary' : 'NULL';
    const known = new Map<string, Cached>();
    for (const row of this.db
      .prepare(`SELECT path, mtime_ms, size, format, ${summaryColumn}, units_id, warnings, readable, ${QUICK_FIELDS.join(', ')} FROM runs`)
      .raw()
      .all() as Cached[]) {
      known.set(row[0], row);
    }
    const toRead: { path: string; mtime_ms: number; size: number }[] = [];
    const present = new Set<string>();
    for (const path of found) {
      const st = statSync(path, { throwIfNoEntry: false });
      if (!st) continue; // removed between the directory walk and now: treated as gone
      present.add(path);
      const k = known.get(path);
      if (!k || k[1] !== st.mtimeMs || k[2] !== st.size) toRead.push({ path, mtime_ms: st.mtimeMs, size: st.size });
    }
    const fresh = await readSummaries(toRead, opts.progress);
    const gone = [...known.keys()].filter((p) => !present.has(p) && underRoots(p, roots));
    const freshRows = new Map<string, Cached>();
    if (fresh.length > 0 || gone.length > 0) {
      const addUnits = this.db.prepare('INSERT OR IGNORE INTO units (json) VALUES (?)');
      const unitsId = this.db.prepare('SELECT id FROM units WHERE json = ?').pluck();
      const upsert = this.db.prepare(
        `INSERT OR REPLACE INTO runs (path, mtime_ms, size, format, summary, units_id, warnings, readable, ${QUICK_FIELDS.join(', ')}) VALUES (${Array(8 + QUICK_FIELDS.length).fill('?').join(', ')})`,
      );
      const del = this.db.prepare('DELETE FROM runs WHERE path = ?');
      this.db.transaction(() => {
        for (const r of fresh) {
          addUnits.run(r.units);
          const row: Cached = [r.path, r.mtime_ms, r.size, r.format, r.summary, unitsId.get(r.units) as number, r.warnings, r.readable, ...r.quick];
          upsert.run(...row);
          freshRows.set(r.path, row);
        }
        for (const p of gone) del.run(p);
      }).immediate();
    }
    const unitsById = new Map<number, ListedRun['units']>();
    for (const [id, json] of this.db.prepare('SELECT id, json FROM units').raw().all() as [number, string][]) {
      unitsById.set(id, JSON.parse(json) as ListedRun['units']);
    }
    const loader = new SummaryLoader(this.path, new Map(fresh.map((r) => [r.path, r.summary])));
    const runs: ListedRun[] = [];
    for (const path of found) {
      if (!present.has(path)) continue;
      const row = freshRows.get(path) ?? known.get(path);
      if (!row) continue;
      runs.push(
        new IndexedRun(
          path,
          row[3] as ListedRun['format'],
          path.slice(0, path.length - INFO_SUFFIX.length),
          row[4] ?? loader,
          unitsById.get(row[5]) ?? {},
          row[6] === null ? [] : (JSON.parse(row[6]) as string[]),
          row[7] === 1,
          row.slice(8) as FieldValue[],
        ),
      );
    }
    return { runs, stats: { found: present.size, read: fresh.length, deleted: gone.length, rebuilt: this.rebuilt } };
  }
}

function underRoots(path: string, roots: readonly string[]): boolean {
  return roots.some((r) => path === r || path.startsWith(r.endsWith(sep) ? r : r + sep));
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
      const listed: ListedRun = { path: item.path, format: s.format, prefix: s.prefix, summary: s.summary, units: s.units, warnings: s.warnings };
      out.push({
        path: item.path,
        mtime_ms: item.mtime_ms,
        size: item.size,
        format: s.format,
        summary: JSON.stringify(s.summary),
        units: JSON.stringify(s.units),
        warnings: s.warnings.length ? JSON.stringify(s.warnings) : null,
        readable: Object.keys(s.summary).length > 0 ? 1 : 0,
        // SQLite stores booleans as 0/1; the quick fields are numbers, text or null
        quick: QUICK_FIELDS.map((f) => fieldValue(listed, f)),
      });
      done++;
      if (progress && (done % 250 === 0 || done === items.length)) progress(done, items.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, items.length) }, worker));
  return out;
}

/** How long a writer waits for another `ls` holding the write lock before giving up on the index. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** Set the connection up; the tables are created only when missing, so opening a ready index writes nothing. */
function prepare(db: Database.Database, busyTimeoutMs = DEFAULT_BUSY_TIMEOUT_MS): Database.Database {
  db.pragma(`busy_timeout = ${Math.max(0, Math.round(busyTimeoutMs))}`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'runs'").get()) return db;
  db.transaction(() => {
    db.exec(`
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS units (id INTEGER PRIMARY KEY, json TEXT NOT NULL UNIQUE);
    CREATE TABLE IF NOT EXISTS runs (
      path TEXT PRIMARY KEY,
      mtime_ms REAL NOT NULL,
      size INTEGER NOT NULL,
      format TEXT NOT NULL,
      summary TEXT NOT NULL,
      units_id INTEGER NOT NULL REFERENCES units (id),
      warnings TEXT,
      readable INTEGER NOT NULL,
      command TEXT,
      exit_code,
      wall_clock_time,
      mem_peak,
      cpu_peak
    ) WITHOUT ROWID;
  `);
    db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('version', ?)").run(INDEX_VERSION);
  }).immediate();
  return db;
}

/** Open and check: a file of another version is reported as not ok; one SQLite rejects throws. */
function openChecked(path: string, create: boolean, busyTimeoutMs: number): { ok: true; db: Database.Database } | { ok: false; reason: string } {
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
    return { ok: true, db: prepare(db, busyTimeoutMs) };
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

/** SQLite's verdict that a file is not a database or is damaged (as opposed to busy, read-only or missing). */
export function isCorruptionError(err: unknown): boolean {
  const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}
