import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';

const FIXTURE_RUNS = 3; // test/fixtures/runs/basic

function treeWithRuns(dir: string): string {
  const runs = join(dir, 'runs');
  cpSync(join(REPO_ROOT, 'test', 'fixtures', 'runs', 'basic'), runs, { recursive: true });
  return runs;
}

test('ls over a tree with a FIFO, /dev/zero and a link out of the tree, all named *info.json: no hang, nothing outside read, one warning each, the real runs listed', async () => {
  const t = tempDir();
  try {
    const runs = treeWithRuns(t.dir);
    execFileSync('mkfifo', [join(runs, 'fifo_info.json')]);
    symlinkSync('/dev/zero', join(runs, 'zero_info.json'));
    const outside = join(t.dir, 'elsewhere');
    mkdirSync(outside);
    const foreign = join(outside, 'secret_info.json');
    writeFileSync(foreign, readFileSync(join(runs, '2026-11-20T10.00.00-4242_info.json'), 'utf8').replace('python train.py', 'SOMEONE ELSES COMMAND'));
    symlinkSync(foreign, join(runs, 'out_info.json'));
    symlinkSync(join(t.dir, 'nowhere'), join(runs, 'dangling_info.json'));
    // a link inside the tree is the user's own layout: it is read
    mkdirSync(join(runs, 'latest'));
    symlinkSync(join(runs, '2026-11-20T12.00.00-6060_info.json'), join(runs, 'latest', 'last_info.json'));

    const r = await runCli(['ls', '-f', 'json', 'runs'], { cwd: t.dir, timeoutMs: 20_000 });
    assert.equal(r.signal, null, 'no hang');
    assert.equal(r.code, 0, r.stderr);
    const listed = JSON.parse(r.stdout) as { prefix: string; command: string }[];
    assert.equal(listed.length, FIXTURE_RUNS + 1, r.stdout);
    assert.ok(!r.stdout.includes('SOMEONE ELSES'));
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('duct: warning: skipped'));
    assert.equal(warnings.length, 4, r.stderr);
    assert.ok(warnings.some((w) => /fifo_info\.json: a FIFO/.test(w)));
    assert.ok(warnings.some((w) => /zero_info\.json: a symbolic link to \/dev\/zero, a device/.test(w)));
    assert.ok(warnings.some((w) => /out_info\.json: a symbolic link to .*secret_info\.json, outside .*--follow-symlinks/.test(w)));
    assert.ok(warnings.some((w) => /dangling_info\.json: a dangling symbolic link/.test(w)));

    const followed = await runCli(['ls', '-f', 'json', '--follow-symlinks', 'runs'], { cwd: t.dir, timeoutMs: 20_000 });
    assert.equal(followed.code, 0, followed.stderr);
    assert.ok(followed.stdout.includes('SOMEONE ELSES'), 'the flag reads a link out of the tree');
  } finally {
    t.cleanup();
  }
});

test('an info.json far bigger than a run writes (a sparse 1 GiB file) is not read: the run is listed unreadable with the reason', async () => {
  const t = tempDir();
  try {
    const runs = treeWithRuns(t.dir);
    const huge = join(runs, 'huge_info.json');
    writeFileSync(huge, '{');
    truncateSync(huge, 1024 * 1024 * 1024);
    const r = await runCli(['ls', '-f', 'json', 'runs'], { cwd: t.dir, timeoutMs: 20_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).length, FIXTURE_RUNS);
    assert.match(r.stderr, /huge_info\.json is 1073741824 bytes, more than the 16 MiB a run's file can be, not read/);
  } finally {
    t.cleanup();
  }
});

test('pp, plot and recommend given a FIFO or /dev/zero: a one-line error, no hang', async () => {
  const t = tempDir();
  try {
    execFileSync('mkfifo', [join(t.dir, 'r_info.json')]);
    for (const args of [['pp', 'r_info.json'], ['pp', '/dev/zero'], ['plot', 'r_info.json'], ['recommend', 'r_info.json']]) {
      const r = await runCli(args, { cwd: t.dir, timeoutMs: 20_000 });
      assert.equal(r.signal, null, `${args.join(' ')}: no hang`);
      assert.notEqual(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /not a regular file|skipped|no runs found|no run at/, `${args.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
  } finally {
    t.cleanup();
  }
});
