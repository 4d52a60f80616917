import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers/cli.js';
import { assertRunValid } from '../helpers/validate.js';

const isRoot = process.getuid?.() === 0;
const LIMIT = 64 * 1024 * 1024;

/** Where a cgroup path recorded in info.json lives on this machine (v1 memory mount or the v2 mount). */
const cgroupDirs = (path: string) => ['/sys/fs/cgroup/memory', '/sys/fs/cgroup', '/sys/fs/cgroup/unified'].map((m) => join(m, path));

test(
  'the command OOM-killed inside a small isolate cgroup (--memory-limit): duct survives, records 137 and cgroup_oom_kills = 1, and its summary says OOM-killed',
  { skip: isRoot ? false : 'needs root to create a memory cgroup with a limit' },
  async () => {
    const t = tempDir();
    try {
      const r = await runCli(
        ['--cgroup', 'isolate', '--memory-limit', '64MiB', '--fail-time', '0', '--s-i', '0.2', '--r-i', '0.5', '-p', 'r_', 'alloc.py', '400', '5'],
        { cwd: t.dir },
      );
      assert.equal(r.code, 137, r.stderr);
      assert.doesNotMatch(r.stdout, /allocated_bytes/, 'it never got its 400 MiB');
      const info = JSON.parse(readFileSync(join(t.dir, 'r_info.json'), 'utf8'));
      assert.equal(info.status, 'finished', 'duct itself survived to write its final info.json');
      assert.equal(info.signal, 'SIGKILL');
      assert.equal(info.exit_code, null);
      assert.equal(info.duct_exit_code, 137);
      assert.equal(info.forcefully_terminated, false, 'duct did not kill it: the kernel did');
      assert.equal(info.cgroup.mode, 'isolate');
      assert.equal(info.cgroup.memory_limit_bytes, LIMIT);
      assert.equal(info.execution_summary.cgroup_oom_kills?.total, 1);
      assert.ok(info.execution_summary.cgroup_mem_peak.peak <= LIMIT, 'the peak stays within the limit');
      await assertRunValid(join(t.dir, 'r_'));
      // the isolate cgroup is removed at exit
      for (const d of cgroupDirs(info.cgroup.memory_path)) assert.equal(existsSync(d), false, `${d} removed`);
      // the summary tells a person what happened, not only "SIGKILL"
      const exitLine = r.stderr.split('\n').find((l) => l.startsWith('Exit Code:'));
      assert.ok(exitLine, r.stderr);
      assert.match(exitLine, /OOM|out of memory/i, `the summary says the command was OOM-killed: ${exitLine}`);
    } finally {
      t.cleanup();
    }
  },
);

test('--memory-limit: a bad size or a missing --cgroup isolate exits 2 with one line, before anything runs', async () => {
  const t = tempDir();
  try {
    for (const [args, pattern] of [
      [['--memory-limit', '64MiB'], /--memory-limit 64MiB needs --cgroup isolate/],
      [['--cgroup', 'isolate', '--memory-limit', 'lots'], /invalid --memory-limit 'lots': give bytes or a number with KiB, MiB or GiB/],
      [['--cgroup', 'isolate', '--memory-limit', '0'], /invalid --memory-limit '0'/],
    ] as const) {
      const r = await runCli([...args, '-p', 'r_', 'touch', 'ran'], { cwd: t.dir });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.equal(existsSync(join(t.dir, 'ran')), false, 'the command never ran');
      assert.equal(existsSync(join(t.dir, 'r_info.json')), false);
    }
  } finally {
    t.cleanup();
  }
});
