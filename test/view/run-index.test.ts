import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { cpSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findRuns } from '../../src/files/run-reader.js';
import { listRuns } from '../../src/view/list-runs.js';
import { INDEX_FILE_NAME, RunIndex } from '../../src/view/run-index.js';
import { generateRuns } from '../fixtures/runs/generate.js';
import { REPO_ROOT, tempDir } from '../helpers/cli.js';

async function found(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const p of findRuns([dir])) out.push(p);
  return out;
}

async function refresh(dir: string, indexPath = join(dir, INDEX_FILE_NAME)) {
  const index = RunIndex.open(indexPath);
  try {
    return { ...(await index.refresh(await found(dir), [dir])), rebuiltAtOpen: index.rebuilt };
  } finally {
    index.close();
  }
}

test('the index reads new runs once, then only changed ones, and drops deleted ones', async () => {
  const t = tempDir();
  try {
    const paths = generateRuns(t.dir, 20);
    const first = await refresh(t.dir);
    assert.equal(first.stats.read, 20);
    assert.equal(first.runs.length, 20);
    assert.equal(first.runs[4]!.summary.command, 'python train.py --epochs 3');

    const second = await refresh(t.dir);
    assert.deepEqual({ read: second.stats.read, deleted: second.stats.deleted, found: second.stats.found }, { read: 0, deleted: 0, found: 20 });
    const plain = (runs: typeof first.runs) => runs.map((r) => ({ path: r.path, prefix: r.prefix, format: r.format, summary: r.summary, units: r.units, warnings: r.warnings, quick: r.quick }));
    assert.deepEqual(plain(second.runs), plain(first.runs), 'a warm answer equals the cold one');
    assert.deepEqual(second.runs[4]!.quick, { command: 'python train.py --epochs 3', exit_code: 0, wall_clock_time: 9, mem_peak: 536870912, cpu_peak: 198 });

    // a run that finished meanwhile: its info.json is rewritten
    const changed = paths[5]!;
    const info = JSON.parse(readFileSync(changed, 'utf8')) as { exit_code: number; message: string };
    info.exit_code = 7;
    info.message = 'rewritten';
    writeFileSync(changed, JSON.stringify(info));
    utimesSync(changed, new Date(), new Date(Date.now() + 5000));
    generateRuns(t.dir, 3, 100);
    for (const p of paths.slice(10, 13)) rmSync(p);
    const third = await refresh(t.dir);
    assert.equal(third.stats.read, 4, 'one changed and three new runs are read');
    assert.equal(third.stats.deleted, 3);
    assert.equal(third.runs.length, 20);
    assert.equal(third.runs.find((r) => r.path === changed)!.summary.exit_code, 7);
    assert.equal(third.runs.some((r) => paths.slice(10, 13).includes(r.path)), false);

    const db = new Database(join(t.dir, INDEX_FILE_NAME), { readonly: true });
    assert.equal((db.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n, 20, 'deleted rows are gone from the file too');
    db.close();
  } finally {
    t.cleanup();
  }
});

test('runs outside the listed roots stay in the index when another directory is listed', async () => {
  const t = tempDir();
  try {
    const a = join(t.dir, 'a');
    const b = join(t.dir, 'b');
    generateRuns(a, 3);
    generateRuns(b, 2, 50);
    const indexPath = join(t.dir, 'shared.sqlite');
    await refresh(a, indexPath);
    const onlyB = await refresh(b, indexPath);
    assert.equal(onlyB.stats.deleted, 0);
    assert.equal(onlyB.runs.length, 2);
    const againA = await refresh(a, indexPath);
    assert.equal(againA.stats.read, 0, "a's rows survived listing b");
  } finally {
    t.cleanup();
  }
});

test('the index file is created 0600 and in WAL mode', async () => {
  const t = tempDir();
  try {
    generateRuns(t.dir, 2);
    await refresh(t.dir);
    const path = join(t.dir, INDEX_FILE_NAME);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const db = new Database(path);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    db.close();
  } finally {
    t.cleanup();
  }
});

test('a garbage index file is rebuilt, not fatal', async () => {
  const t = tempDir();
  try {
    generateRuns(t.dir, 4);
    writeFileSync(join(t.dir, INDEX_FILE_NAME), 'this is not a database, just text that happens to be here\n'.repeat(100));
    const r = await refresh(t.dir);
    assert.match(r.rebuiltAtOpen ?? '', /unreadable/);
    assert.equal(r.runs.length, 4);
    const again = await refresh(t.dir);
    assert.equal(again.rebuiltAtOpen, null);
    assert.equal(again.stats.read, 0);
  } finally {
    t.cleanup();
  }
});

test('an index of another version is rebuilt', async () => {
  const t = tempDir();
  try {
    generateRuns(t.dir, 2);
    const db = new Database(join(t.dir, INDEX_FILE_NAME));
    db.exec("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT); INSERT INTO meta VALUES ('version', '0'); CREATE TABLE runs (path TEXT)");
    db.close();
    const r = await refresh(t.dir);
    assert.match(r.rebuiltAtOpen ?? '', /version 0/);
    assert.equal(r.runs.length, 2);
    assert.equal(r.stats.read, 2);
  } finally {
    t.cleanup();
  }
});

test('an index damaged inside (truncated) is rebuilt by listRuns with a warning', async () => {
  const t = tempDir();
  try {
    generateRuns(t.dir, 300);
    const warnings: string[] = [];
    await listRuns({ paths: [t.dir], warn: (m) => warnings.push(m) });
    const path = join(t.dir, INDEX_FILE_NAME);
    assert.ok(statSync(path).size > 16384);
    truncateSync(path, 8192);
    const out = await listRuns({ paths: [t.dir], warn: (m) => warnings.push(m) });
    assert.equal(out.runs.length, 300);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0]!, /rebuilt the index/);
    const again = await listRuns({ paths: [t.dir], warn: (m) => warnings.push(m) });
    assert.equal(again.stats.read, 0, 'the rebuilt index is warm');
    assert.equal(warnings.length, 1);
  } finally {
    t.cleanup();
  }
});

test('an index that cannot be written falls back to listing without it', async () => {
  const t = tempDir();
  try {
    generateRuns(t.dir, 2);
    const warnings: string[] = [];
    const out = await listRuns({ paths: [t.dir], indexPath: join(t.dir, 'no', 'such', 'dir', 'x.sqlite'), warn: (m) => warnings.push(m) });
    assert.equal(out.runs.length, 2);
    assert.match(warnings[0] ?? '', /cannot use the index/);
  } finally {
    t.cleanup();
  }
});

test('an index held by another writer past the timeout is left alone and ls answers without it', async () => {
  const t = tempDir();
  try {
    generateRuns(t.dir, 5);
    const warnings: string[] = [];
    await listRuns({ paths: [t.dir], warn: (m) => warnings.push(m) });
    generateRuns(t.dir, 2, 10); // two new runs the blocked call must still list
    const holder = new Database(join(t.dir, INDEX_FILE_NAME));
    holder.exec('BEGIN EXCLUSIVE');
    try {
      const out = await listRuns({ paths: [t.dir], warn: (m) => warnings.push(m), busyTimeoutMs: 50 });
      assert.equal(out.runs.length, 7);
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(warnings[0]!, /cannot use the index .*database is locked.*listing without it/);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    const after = await listRuns({ paths: [t.dir], warn: (m) => warnings.push(m) });
    assert.equal(after.stats.read, 2, 'the file kept its five rows: only the two new runs are read');
    assert.equal(warnings.length, 1);
  } finally {
    t.cleanup();
  }
});

/** Put a directory's mtime a minute back, as for runs that finished a while ago (a fresh mtime is not trusted). */
function settleDir(dir: string): void {
  const past = new Date(Date.now() - 60_000);
  utimesSync(dir, past, past);
}

test('a settled run in a directory whose mtime has not moved is not stat\'ed; a rename into the directory is seen', async () => {
  const t = tempDir();
  try {
    const runs = join(t.dir, 'runs');
    const indexPath = join(t.dir, 'index.sqlite');
    const paths = generateRuns(runs, 4);
    settleDir(runs);
    assert.equal((await refresh(runs, indexPath)).stats.read, 4);
    // rewritten in place (no rename): duct never does this to a finished run, so it goes unseen while the directory is quiet
    const inPlace = JSON.parse(readFileSync(paths[1]!, 'utf8')) as { exit_code: number };
    inPlace.exit_code = 41;
    writeFileSync(paths[1]!, JSON.stringify(inPlace));
    utimesSync(paths[1]!, new Date(), new Date(Date.now() + 5000));
    const quiet = await refresh(runs, indexPath);
    assert.equal(quiet.stats.read, 0, 'the directory vouches for its settled runs');
    assert.equal(quiet.runs[1]!.summary.exit_code, 0);
    // what duct does: write aside, rename into place; the directory's mtime moves and every run in it is checked
    const renamed = JSON.parse(readFileSync(paths[2]!, 'utf8')) as { exit_code: number };
    renamed.exit_code = 42;
    writeFileSync(join(runs, 'tmp'), JSON.stringify(renamed));
    renameSync(join(runs, 'tmp'), paths[2]!);
    const moved = await refresh(runs, indexPath);
    assert.equal(moved.stats.read, 2, 'the renamed run and the one rewritten in place are read');
    assert.deepEqual(moved.runs.map((r) => r.summary.exit_code), [1, 41, 42, 0]);
  } finally {
    t.cleanup();
  }
});

test('con-duct runs and running runs keep the per-file check in a quiet directory', async () => {
  const t = tempDir();
  try {
    const runs = join(t.dir, 'runs');
    const indexPath = join(t.dir, 'index.sqlite');
    const [finished, running] = generateRuns(runs, 2);
    const info = JSON.parse(readFileSync(running!, 'utf8')) as { status: string; exit_code: number | null };
    info.status = 'running';
    info.exit_code = null;
    writeFileSync(running!, JSON.stringify(info));
    const conduct = join(runs, '2024.10.03T09.15.00-51234_info.json');
    cpSync(join(REPO_ROOT, 'test', 'fixtures', 'conduct', 'v0.2.1', '2024.10.03T09.15.00-51234_info.json'), conduct);
    settleDir(runs);
    assert.equal((await refresh(runs, indexPath)).stats.read, 3);
    for (const p of [running!, conduct, finished!]) {
      writeFileSync(p, readFileSync(p, 'utf8').replace('"exit_code":', '"exit_code": ').replace('"exit_code": null', '"exit_code": 3'));
      utimesSync(p, new Date(), new Date(Date.now() + 5000));
    }
    const again = await refresh(runs, indexPath);
    assert.equal(again.stats.read, 2, 'the running and the con-duct run are read again, the settled duct run is not');
    assert.equal(again.runs.find((r) => r.path === running)!.summary.exit_code, 3);
  } finally {
    t.cleanup();
  }
});

test('a warm listing leaves the runs directory (and the index files in it) as they were', async () => {
  const t = tempDir();
  try {
    generateRuns(t.dir, 3);
    const warnings: string[] = [];
    await listRuns({ paths: [t.dir], warn: (m) => warnings.push(m) });
    const before = { mtime: statSync(t.dir).mtimeMs, names: readdirSync(t.dir).sort() };
    await listRuns({ paths: [t.dir], warn: (m) => warnings.push(m) });
    assert.deepEqual({ mtime: statSync(t.dir).mtimeMs, names: readdirSync(t.dir).sort() }, before, 'no index file created or removed');
    assert.deepEqual(warnings, []);
  } finally {
    t.cleanup();
  }
});
