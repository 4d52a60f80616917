import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers/cli.js';
import { assertRunValid } from '../helpers/validate.js';
import { memoryOf } from './procs.js';

/** duct's own RSS is far below this with any tree; a leak per pid seen would cross it. */
const DUCT_RSS_CAP = 300 * 1024 * 1024;

/** Run duct and poll its own peak RSS (VmHWM) from /proc while it runs. */
async function watched(t: TestContext, dir: string, args: string[]) {
  let duct: ChildProcess | undefined;
  let peak = 0;
  let finished = false;
  const pending = runCli(args, { cwd: dir, onSpawn: (c) => (duct = c), timeoutMs: 120_000 });
  void pending.then(() => (finished = true));
  while (!finished) {
    const m = duct?.pid ? memoryOf(duct.pid) : null;
    if (m && Number.isFinite(m.hwm)) peak = Math.max(peak, m.hwm);
    await new Promise((r) => setTimeout(r, 50));
  }
  const r = await pending;
  t.diagnostic(`duct's peak RSS: ${(peak / 1024 / 1024).toFixed(1)} MiB`);
  const info = JSON.parse(readFileSync(join(dir, 'r_info.json'), 'utf8'));
  const usage = readFileSync(join(dir, 'r_usage.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  return { r, peak, info, usage };
}

test('a fork storm (2,000 short-lived processes): duct does not crash, its memory stays bounded, its files validate', async (t) => {
  const tmp = tempDir();
  try {
    const storm = 'i=0; while [ $i -lt 2000 ]; do (:) & i=$((i+1)); done; wait; echo stormed';
    const { r, peak, info } = await watched(t, tmp.dir, ['--s-i', '0.05', '--r-i', '0.5', '--fail-time', '0', '-p', 'r_', 'sh', '-c', storm]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'stormed\n');
    assert.doesNotMatch(r.stderr, /sampling failed|collector failed|listing the run's processes failed/, 'no sampling error under pid churn');
    assert.ok(peak > 0 && peak < DUCT_RSS_CAP, `duct's peak RSS ${peak}`);
    assert.equal(info.status, 'finished');
    assert.ok(info.execution_summary.proc_nproc.peak >= 1);
    await assertRunValid(join(tmp.dir, 'r_'));
  } finally {
    tmp.cleanup();
  }
});

test('a steady tree of 500 processes: every one is counted, duct stays bounded, its files validate', async (t) => {
  const tmp = tempDir();
  try {
    const { r, peak, info, usage } = await watched(t, tmp.dir, ['--s-i', '0.2', '--r-i', '1', '--fail-time', '0', '-p', 'r_', 'steady-tree', '500', '4']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /sampling failed|collector failed/);
    assert.ok(peak > 0 && peak < DUCT_RSS_CAP, `duct's peak RSS ${peak}`);
    // sh and its 500 sleeping children, all seen in one sample
    assert.ok(info.execution_summary.proc_nproc.peak >= 501, `proc_nproc peak ${info.execution_summary.proc_nproc.peak}`);
    const pids = new Set(usage.flatMap((u) => Object.keys(u.measurements.proc_rss ?? {})));
    assert.ok(pids.size >= 501, `${pids.size} pids recorded`);
    await assertRunValid(join(tmp.dir, 'r_'));
  } finally {
    tmp.cleanup();
  }
});

test('processes that exit mid-window still count: proc_cpu_seconds (sum_pid_deltas) holds the CPU of exited children', async (t) => {
  const tmp = tempDir();
  try {
    // 6 children burning 150 ms of CPU each, 2 at a time; all of them have exited by the last sample.
    // (ps_cpu_seconds is not checked here: ps prints cputime in whole seconds, so 150 ms reads 0.)
    const { r, info } = await watched(t, tmp.dir, [
      '--measurements', 'proc_cpu_seconds,proc_nproc', '--s-i', '0.03', '--r-i', '60', '--fail-time', '0', '-p', 'r_', 'proc-storm', '6', '2', '150',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const truth = JSON.parse(r.stdout).children_cpu_seconds as number;
    assert.ok(truth >= 0.8, `the children burned ${truth} s`);
    for (const key of ['proc_cpu_seconds']) {
      const total = info.execution_summary[key].total as number;
      t.diagnostic(`${key} total ${total.toFixed(3)} s; the exited children's own CPU ${truth.toFixed(3)} s`);
      // only the parent is alive at the end: without the exited pids the total would be a few tens of ms
      assert.ok(total >= 0.4 * truth, `${key} ${total} s counts the exited children's ${truth} s`);
      // and never more than the tree burned (children + the parent's own, well under 0.5 s)
      assert.ok(total <= truth + 0.5, `${key} ${total} s is not above what the tree burned`);
    }
  } finally {
    tmp.cleanup();
  }
});
