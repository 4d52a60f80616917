import Database from 'better-sqlite3';
import { closeSync, lstatSync, rmSync, statSync } from 'node:fs';
import { sep } from 'node:path';
import { INFO_SUFFIX, summarizeInfoText } from '../files/run-reader.js';
import { NotARunFile, readRunFile } from '../files/read-bounded.js';
import { openNew } from '../files/write-all.js';
import { fieldValue, QUICK_FIELDS, type ListedRun, type QuickField } from './fields.js';
import type { FieldValue } from './filter/evaluate.js';
import { IndexedRun, SummaryLoader } from './indexed-run.js';

/** Bumped whenever the table shape or the cached summary's meaning changes; a mismatch rebuilds the index. */
export const INDEX_VERSION = '5';

export const INDEX_FILE_NAME = '.duct-index.sqlite';

/** The fields a run's index row holds as columns: the QUICK_FIELDS and who wrote the run. */
export const INDEX_COLUMNS: readonly string[] = ['format', ...QUICK_FIELDS];
export type IndexColumn = QuickField | 'format';

/** WAL on a local filesystem; the rollback journal (DELETE) on one shared between hosts, where WAL's shared memory is per host. */
export type JournalMode = 'WAL' | 'DELETE';

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
  /** 1 when duct finished the run and its info.json is a plain file: replaced only by a rename (see sync). */
  settled: number;
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

  /**
   * A read-only connection open while the writer closes: the writer is then not the
   * last connection, so SQLite leaves the -wal and -shm files in place instead of
   * deleting them. Creating and deleting them at every `ls` would move the runs
   * directory's mtime, which `sync` relies on to skip stat'ing settled runs.
   */
  private readonly keeper: Database.Database | null;
  private wrote = false;

  private constructor(path: string, db: Database.Database, rebuilt: string | null) {
    this.path = path;
    this.db = db;
    this.rebuilt = rebuilt;
    this.keeper = path === ':memory:' ? null : openKeeper(path);
  }

  /** Open (or create, mode 0600) the index; a corrupt or other-version file is rebuilt, never fatal. */
  static open(path: string, opts: { forceRebuild?: boolean; busyTimeoutMs?: number; journal?: JournalMode } = {}): RunIndex {
    if (path === ':memory:') return new RunIndex(path, prepare(new Database(':memory:')), null);
    const busy = opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    const journal = opts.journal ?? 'WAL';
    let reason: string | null = opts.forceRebuild ? 'damaged' : null;
    if (!opts.forceRebuild) {
      try {
        const opened = openChecked(path, false, busy, journal);
        if (opened.ok) return new RunIndex(path, opened.db, null);
        reason = opened.reason;
      } catch (err) {
        // only a file SQLite calls damaged is thrown away; a busy or unwritable one is left to its owner
        if (!isCorruptionError(err)) throw err;
        reason = `unreadable (${(err as Error).message})`;
      }
    }
    removeIndexFiles(path);
    const again = openChecked(path, true, busy, journal);
    if (!again.ok) throw new Error(`cannot create the index ${path}: ${again.reason}`);
    return new RunIndex(path, again.db, reason);
  }

  close(): void {
    // what this connection wrote goes into the main file now, the WAL emptied (the writer is not the
    // last connection, so close would not); a reader of another ls is waited for briefly, not 5 s
    if (this.wrote && this.keeper) {
      try {
        this.db.pragma('busy_timeout = 100');
        this.db.pragma('wal_checkpoint(TRUNCATE)');
      } catch {
        // still busy: what was written stays in the WAL, where readers find it
      }
    }
    this.db.close();
    this.keeper?.close();
  }

  /**
   * Bring the index up to date with the runs found (absolute info.json paths) under
   * `roots`, reading only new and changed runs and dropping runs gone from under the roots;
   * returns the found runs in the order given.
   */
  async refresh(found: readonly string[], roots: readonly string[], opts: RunIndexOptions = {}): Promise<{ runs: ListedRun[]; stats: RefreshStats }> {
    const { stats, fresh } = await this.sync(found, roots, opts);
    return { runs: this.listed(found, fresh), stats };
  }

  /** The found runs as ListedRuns, in the order found; `fresh`: summaries just read (by path). Run `sync` first. */
  listed(found: readonly string[], fresh: ReadonlyMap<string, string>): ListedRun[] {
    // an in-memory index cannot be reopened later, so it hands out summaries at once
    const summaryColumn = this.path === ':memory:' ? 'summary' : 'NULL';
    const unitsById = new Map<number, ListedRun['units']>();
    for (const [id, json] of this.db.prepare('SELECT id, json FROM units').raw().all() as [number, string][]) {
      unitsById.set(id, JSON.parse(json) as ListedRun['units']);
    }
    const loader = new SummaryLoader(this.path, fresh);
    const runs: ListedRun[] = [];
    type Listed = [path: string, format: string, summary: string | null, units_id: number, warnings: string | null, readable: number, ...quick: FieldValue[]];
    for (const row of this.foundRows(found, `runs.path, format, ${summaryColumn}, units_id, warnings, readable, ${QUICK_FIELDS.join(', ')}`) as Iterable<Listed>) {
      const path = row[0];
      runs.push(
        new IndexedRun(
          path,
          row[1] as ListedRun['format'],
          path.slice(0, path.length - INFO_SUFFIX.length),
          row[2] ?? fresh.get(path) ?? loader,
          unitsById.get(row[3]) ?? {},
          row[4] === null ? [] : (JSON.parse(row[4]) as string[]),
          row[5] === 1,
          row.slice(6) as FieldValue[],
        ),
      );
    }
    return runs;
  }

  /**
   * The found runs' rows in the order found, one raw array per row, streamed: the
   * path, then readable (1/0), then the warnings' JSON (or null), then `columns`
   * (fields stored as columns). For machine output, with no run object built; run `sync` first.
   */
  rows(found: readonly string[], columns: readonly IndexColumn[]): Iterable<[path: string, readable: number, warnings: string | null, ...values: FieldValue[]]> {
    return this.foundRows(found, ['runs.path', 'readable', 'warnings', ...columns].join(', ')) as Iterable<[string, number, string | null, ...FieldValue[]]>;
  }

  /** `columns` of the found runs the index has, in the order found (found paths go to SQLite as one JSON array). */
  private foundRows(found: readonly string[], columns: string): Iterable<unknown[]> {
    return this.db.prepare(`SELECT ${columns} FROM json_each(?) AS found JOIN runs ON runs.path = found.value ORDER BY found.key`).raw().iterate(JSON.stringify(found)) as Iterable<unknown[]>;
  }

  /**
   * Bring the index up to date with the runs found (absolute info.json paths) under
   * `roots`: read new and changed runs, drop runs gone from under the roots. A run
   * duct finished is replaced only by a rename into its directory, which moves the
   * directory's mtime: where that mtime is the one recorded, its settled runs are
   * not stat'ed at all. con-duct runs (rewritten in place), `running` runs and
   * symlinks keep the per-file check (mtime and size).
   */
  async sync(found: readonly string[], roots: readonly string[], opts: RunIndexOptions = {}): Promise<{ stats: RefreshStats; fresh: Map<string, string> }> {
    // every directory is stat'ed before any file in it, so a rename after this shows next time
    const dirs = directoriesOf(found);
    const nowMs = Date.now();
    const recorded = new Map(this.db.prepare('SELECT path, mtime_ms FROM dirs').raw().all() as [string, number][]);
    const quiet = new Set<string>();
    const dirsNow = new Map<string, number>();
    for (const dir of dirs) {
      const mtime = statSync(dir, { throwIfNoEntry: false })?.mtimeMs;
      if (mtime === undefined) continue;
      if (recorded.get(dir) === mtime) quiet.add(dir);
      // a change within the filesystem's timestamp granularity of this look would not move the mtime again: not recorded yet
      else if (mtime < nowMs - RACY_MS) dirsNow.set(dir, mtime);
    }
    const goneDirs = [...recorded.keys()].filter((d) => !dirs.has(d) && underRoots(d, roots));
    const under = underRootsSql(roots);
    // no directory changed, none went, and the index holds as many runs under the roots as were found: it holds exactly them
    const warm =
      quiet.size === dirs.size &&
      goneDirs.length === 0 &&
      (this.db.prepare(`SELECT count(*) FROM runs WHERE ${under.where}`).pluck().get(...under.params) as number) === found.length;
    const scan = warm ? this.scanUnsettled(under) : this.scanAll(found, roots, quiet);
    const fresh = await readSummaries(scan.toRead, opts.progress);
    const gone = scan.gone;
    if (fresh.length > 0 || gone.length > 0 || dirsNow.size > 0 || goneDirs.length > 0) {
      const addUnits = this.db.prepare('INSERT OR IGNORE INTO units (json) VALUES (?)');
      const unitsId = this.db.prepare('SELECT id FROM units WHERE json = ?').pluck();
      const upsert = this.db.prepare(
        `INSERT OR REPLACE INTO runs (path, mtime_ms, size, format, summary, units_id, warnings, readable, settled, ${QUICK_FIELDS.join(', ')}) VALUES (${Array(9 + QUICK_FIELDS.length).fill('?').join(', ')})`,
      );
      const del = this.db.prepare('DELETE FROM runs WHERE path = ?');
      const setDir = this.db.prepare('INSERT OR REPLACE INTO dirs (path, mtime_ms) VALUES (?, ?)');
      const delDir = this.db.prepare('DELETE FROM dirs WHERE path = ?');
      this.wrote = true;
      this.db.transaction(() => {
        for (const r of fresh) {
          addUnits.run(r.units);
          upsert.run(r.path, r.mtime_ms, r.size, r.format, r.summary, unitsId.get(r.units) as number, r.warnings, r.readable, r.settled, ...r.quick);
        }
        for (const p of gone) del.run(p);
        for (const [dir, mtime] of dirsNow) setDir.run(dir, mtime);
        for (const d of goneDirs) delDir.run(d);
      }).immediate();
    }
    return { stats: { found: found.length - scan.missing, read: fresh.length, deleted: gone.length, rebuilt: this.rebuilt }, fresh: new Map(fresh.map((r) => [r.path, r.summary])) };
  }

  /** The per-file check (mtime and size) of every found run, but the settled ones in quiet directories; rows not found under the roots are gone. */
  private scanAll(found: readonly string[], roots: readonly string[], quiet: ReadonlySet<string>): Scan {
    type Known = [path: string, mtime_ms: number, size: number, settled: number];
    const known = new Map<string, Known>();
    for (const row of this.db.prepare('SELECT path, mtime_ms, size, settled FROM runs').raw().all() as Known[]) known.set(row[0], row);
    const toRead: Scan['toRead'] = [];
    const present = new Set<string>();
    for (const path of found) {
      const k = known.get(path);
      if (k && k[3] === 1 && quiet.has(path.slice(0, path.lastIndexOf(sep)))) {
        present.add(path);
        continue;
      }
      const st = statSync(path, { throwIfNoEntry: false });
      if (!st) continue; // removed between the directory walk and now: treated as gone
      present.add(path);
      if (!k || k[1] !== st.mtimeMs || k[2] !== st.size) toRead.push({ path, mtime_ms: st.mtimeMs, size: st.size });
    }
    const gone = [...known.keys()].filter((p) => !present.has(p) && underRoots(p, roots));
    return { toRead, gone, missing: found.length - present.size };
  }

  /** The index holds exactly the found runs and their directories are quiet: only the runs that are not settled are stat'ed. */
  private scanUnsettled(under: { where: string; params: string[] }): Scan {
    const toRead: Scan['toRead'] = [];
    const gone: string[] = [];
    for (const [path, mtime, size] of this.db.prepare(`SELECT path, mtime_ms, size FROM runs WHERE settled = 0 AND (${under.where})`).raw().all(...under.params) as [string, number, number][]) {
      const st = statSync(path, { throwIfNoEntry: false });
      if (!st) gone.push(path);
      else if (mtime !== st.mtimeMs || size !== st.size) toRead.push({ path, mtime_ms: st.mtimeMs, size: st.size });
    }
    return { toRead, gone, missing: gone.length };
  }
}

/** What a scan found to do: runs to read (new or changed), rows to drop, and how many found runs were not there after all. */
interface Scan {
  toRead: { path: string; mtime_ms: number; size: number }[];
  gone: string[];
  missing: number;
}

/** `underRoots` as an SQL condition on `path` (a prefix is a range of the primary key: '/' + 1 is '0'). */
function underRootsSql(roots: readonly string[]): { where: string; params: string[] } {
  if (roots.length === 0) return { where: '0', params: [] };
  const params: string[] = [];
  for (const r of roots) {
    const prefix = r.endsWith(sep) ? r : r + sep;
    params.push(r, prefix, prefix.slice(0, -1) + String.fromCharCode(sep.charCodeAt(0) + 1));
  }
  return { where: roots.map(() => '(path = ? OR (path >= ? AND path < ?))').join(' OR '), params };
}

/** A directory's mtime this recent (ms) may still move within the same timestamp: a coarse (1-2 s) filesystem clock. */
const RACY_MS = 2000;

/** The directories holding the found info.json files (found is sorted per root, so a directory's files are together). */
function directoriesOf(found: readonly string[]): Set<string> {
  const dirs = new Set<string>();
  let last = '';
  for (const p of found) {
    const cut = p.lastIndexOf(sep);
    if (cut === last.length && p.startsWith(last)) continue;
    last = p.slice(0, cut);
    dirs.add(last);
  }
  return dirs;
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
      let s: ReturnType<typeof summarizeInfoText>;
      try {
        s = summarizeInfoText(item.path, await readRunFile(item.path));
      } catch (err) {
        if (!(err instanceof NotARunFile)) continue; // removed since it was found: it simply is not listed
        s = { ...summarizeInfoText(item.path, ''), warnings: [err.message] }; // listed as unreadable, with why
      }
      const link = lstatSync(item.path, { throwIfNoEntry: false })?.isSymbolicLink() ?? true;
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
        settled: s.format === 'duct' && s.summary['status'] !== 'running' && !link ? 1 : 0,
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

/** A read-only second connection to an open index (null where one cannot be had: it is only an optimisation). */
function openKeeper(path: string): Database.Database | null {
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma('schema_version'); // a read: the connection now holds its share of the WAL
    return db;
  } catch {
    return null;
  }
}

/** How long a writer waits for another `ls` holding the write lock before giving up on the index. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** Set the connection up; the tables are created only when missing, so opening a ready index writes nothing. */
function prepare(db: Database.Database, busyTimeoutMs = DEFAULT_BUSY_TIMEOUT_MS, journal: JournalMode = 'WAL'): Database.Database {
  db.pragma(`busy_timeout = ${Math.max(0, Math.round(busyTimeoutMs))}`);
  db.pragma(`journal_mode = ${journal}`);
  db.pragma('synchronous = NORMAL');
  if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'runs'").get()) return db;
  db.transaction(() => {
    db.exec(`
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS units (id INTEGER PRIMARY KEY, json TEXT NOT NULL UNIQUE);
    CREATE TABLE IF NOT EXISTS dirs (path TEXT PRIMARY KEY, mtime_ms REAL NOT NULL) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS runs (
      path TEXT PRIMARY KEY,
      mtime_ms REAL NOT NULL,
      size INTEGER NOT NULL,
      format TEXT NOT NULL,
      summary TEXT NOT NULL,
      units_id INTEGER NOT NULL REFERENCES units (id),
      warnings TEXT,
      readable INTEGER NOT NULL,
      settled INTEGER NOT NULL,
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
function openChecked(path: string, create: boolean, busyTimeoutMs: number, journal: JournalMode): { ok: true; db: Database.Database } | { ok: false; reason: string } {
  let isNew = create;
  try {
    statSync(path);
  } catch {
    isNew = true;
  }
  // created 0600 first (SQLite gives its -wal/-shm files the same mode), O_EXCL|O_NOFOLLOW: never through a planted link
  if (isNew) createIndexFile(path);
  const db = new Database(path);
  try {
    const version = isNew ? INDEX_VERSION : readVersion(db);
    if (version !== INDEX_VERSION) {
      db.close();
      return { ok: false, reason: version === null ? 'it has no version' : `it is version ${version}, this duct writes ${INDEX_VERSION}` };
    }
    return { ok: true, db: prepare(db, busyTimeoutMs, journal) };
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Create the index file 0600; another `ls` creating it at the same moment is fine, a link or other non-file in its place is not. */
function createIndexFile(path: string): void {
  try {
    closeSync(openNew(path, 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !lstatSync(path).isFile()) throw err;
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
