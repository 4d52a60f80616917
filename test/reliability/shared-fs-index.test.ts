import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { explicitIndex, placeIndex, sharedFsName } from '../../src/view/index-location.js';
import { RunIndex } from '../../src/view/run-index.js';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';
import { isRoot, mountSmallFs, NEEDS_ROOT } from './small-fs.js';

const NFS = 0x6969;
const EXT4 = 0xef53;

test('filesystem types: the shared ones by their statfs magic numbers, local ones not', () => {
  assert.equal(sharedFsName(0x6969), 'NFS');
  assert.equal(sharedFsName(0x0bd00bd0), 'Lustre');
  assert.equal(sharedFsName(0x47504653), 'GPFS');
  assert.equal(sharedFsName(0x19830326), 'BeeGFS');
  assert.equal(sharedFsName(0xff534d42), 'CIFS');
  assert.equal(sharedFsName(0xfe534d42), 'SMB2');
  for (const local of [EXT4, 0x58465342 /* xfs */, 0x01021994 /* tmpfs */, 0x9123683e /* btrfs */, 0x794c7630 /* overlayfs */]) assert.equal(sharedFsName(local), null);
});

test('an index whose log directory is on NFS goes to the per-user local cache, one file per log root; a shared home falls back to TMPDIR; nothing local left: rollback journal in place', () => {
  const t = tempDir();
  try {
    const logsA = join(t.dir, 'a');
    const logsB = join(t.dir, 'b');
    mkdirSync(logsA);
    mkdirSync(logsB);
    const cache = join(t.dir, 'cache');
    const env = { XDG_CACHE_HOME: cache };
    const onNfs = (...prefixes: string[]) => (p: string) => ({ type: prefixes.some((x) => p.startsWith(x)) ? NFS : EXT4 });

    const local = placeIndex(join(logsA, '.duct-index.sqlite'), { env, statfs: onNfs() });
    assert.deepEqual(local, { path: join(logsA, '.duct-index.sqlite'), journal: 'WAL', moved: null });

    const a = placeIndex(join(logsA, '.duct-index.sqlite'), { env, statfs: onNfs(t.dir + '/a') });
    assert.equal(a.journal, 'WAL');
    assert.match(a.path, new RegExp(`^${cache}/duct/index/[0-9a-f]{24}\\.sqlite$`));
    assert.match(a.moved!, /is on NFS/);
    assert.equal(placeIndex(join(logsA, '.duct-index.sqlite'), { env, statfs: onNfs(t.dir + '/a') }).path, a.path, 'the same root, the same file');
    assert.notEqual(placeIndex(join(logsB, '.duct-index.sqlite'), { env, statfs: onNfs(t.dir + '/b') }).path, a.path, 'another root, another file');

    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = join(t.dir, 'tmp'); // os.tmpdir() reads it at each call
    let homeShared;
    try {
      homeShared = placeIndex(join(logsA, '.duct-index.sqlite'), { env, statfs: onNfs(t.dir + '/a', cache) });
    } finally {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
    }
    assert.ok(!homeShared.path.startsWith(cache), homeShared.path);
    assert.match(homeShared.path, new RegExp(`^${t.dir}/tmp/duct-\\d+/index/[0-9a-f]{24}\\.sqlite$`));

    const allShared = placeIndex(join(logsA, '.duct-index.sqlite'), { env, statfs: () => ({ type: NFS }) });
    assert.deepEqual(allShared, { path: join(logsA, '.duct-index.sqlite'), journal: 'DELETE', moved: null });
    assert.equal(explicitIndex(join(logsA, 'i.sqlite'), { env, statfs: () => ({ type: NFS }) }).journal, 'DELETE');
  } finally {
    t.cleanup();
  }
});

test('an index opened in rollback-journal mode keeps no -wal/-shm files and is a plain SQLite file', async () => {
  const t = tempDir();
  try {
    const runs = join(t.dir, 'runs');
    cpSync(join(REPO_ROOT, 'test', 'fixtures', 'runs', 'basic'), runs, { recursive: true });
    const path = join(t.dir, 'index.sqlite');
    const index = RunIndex.open(path, { journal: 'DELETE' });
    const found = readdirSync(runs).filter((f) => f.endsWith('info.json')).map((f) => join(runs, f));
    const { stats } = await index.refresh(found, [runs]);
    index.close();
    assert.equal(stats.read, 3);
    assert.deepEqual(readdirSync(t.dir).filter((f) => f.startsWith('index.sqlite')), ['index.sqlite']);
    const db = new Database(path, { readonly: true });
    assert.equal(db.pragma('journal_mode', { simple: true }), 'delete');
    db.close();
  } finally {
    t.cleanup();
  }
});

test('ls of a read-only log directory uses the cache silently: no warning, the runs listed, the index in the cache', { skip: isRoot ? false : NEEDS_ROOT }, async () => {
  const t = tempDir();
  const { mnt, unmount } = mountSmallFs(t.dir, '4m');
  try {
    cpSync(join(REPO_ROOT, 'test', 'fixtures', 'runs', 'basic'), join(mnt, 'runs'), { recursive: true });
    execFileSync('mount', ['-o', 'remount,ro', mnt]);
    const cache = join(t.dir, 'cache');
    for (const round of ['cold', 'warm']) {
      const r = await runCli(['ls', '-f', 'json', join(mnt, 'runs')], { cwd: t.dir, env: { XDG_CACHE_HOME: cache } });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '', `${round}: silent`);
      assert.equal(JSON.parse(r.stdout).length, 3);
    }
    assert.equal(readdirSync(join(cache, 'duct', 'index')).filter((f) => f.endsWith('.sqlite')).length, 1);
    assert.equal(existsSync(join(mnt, 'runs', '.duct-index.sqlite')), false);
  } finally {
    unmount();
    t.cleanup();
  }
});
