import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { discoverCgroup, readCgroupDiscoveryInput } from '../../src/collectors/cgroup-discovery.js';
import { driveEngine } from './drive-engine.js';

const MiB = 1024 * 1024;
const onLinux = existsSync('/proc/self/stat');

test('burner: CPU seconds of 2 workers match wait4\'s ground truth; no rate above cores × 100%', { skip: !onLinux && 'needs /proc' }, async () => {
  const run = await driveEngine('burner.py', ['1.0', '1.0'], { requested: ['proc_cpu_seconds', 'ps_cpu_seconds', 'proc_pdcpu_total', 'proc_pdcpu'], sampleMs: 100, reportEvery: 10 });
  const truth = (JSON.parse(run.stdout) as { children_cpu_seconds: number }).children_cpu_seconds;
  assert.ok(truth > 1.95 && truth < 2.5, `burner did burn: ${truth}`);
  const proc = run.summary['proc_cpu_seconds']!.total!;
  // generous here (the benchmark holds 2%): samples every 0.1 s miss at most the last 0.1 s of each worker
  assert.ok(Math.abs(proc - truth) / truth < 0.15, `proc_cpu_seconds ${proc} vs truth ${truth}`);
  const ps = run.summary['ps_cpu_seconds']!.total!;
  assert.ok(ps > truth - 2.5 && ps <= truth + 0.5, `ps_cpu_seconds ${ps} vs ${truth} (ps prints whole seconds)`);
  const cores = (await import('node:os')).availableParallelism();
  assert.ok(run.summary['proc_pdcpu_total']!.peak! <= cores * 100 * 1.25, `peak total rate ${run.summary['proc_pdcpu_total']!.peak}`);
  assert.ok(run.summary['proc_pdcpu_total']!.peak! > 30, 'the workers were seen burning');
});

test('a child that accrues CPU and exits mid-window is still counted (sum_pid_deltas)', { skip: !onLinux && 'needs /proc' }, async () => {
  // worker 1 burns 0.4 s and exits; worker 2 burns 1.2 s; the parent lingers — all inside one report window
  const run = await driveEngine('burner.py', ['0.3', '0.8', '--linger', '0.3'], { requested: ['proc_cpu_seconds'], sampleMs: 100, reportEvery: 1000 });
  const truth = (JSON.parse(run.stdout) as { children_cpu_seconds: number }).children_cpu_seconds;
  assert.equal(run.records.length, 1, 'one window');
  const counted = run.records[0]!.measurements['proc_cpu_seconds'] as number;
  // delta-of-sum would have lost the exited worker's ~0.4 s
  assert.ok(counted > truth - 0.3, `counted ${counted} of ${truth}`);
  assert.ok(counted < truth + 0.3, `counted ${counted} of ${truth}`);
});

test('500 MiB allocated and touched: memory peaks within bounds of the truth', { skip: !onLinux && 'needs /proc' }, async () => {
  const run = await driveEngine('alloc.py', ['500', '1.0'], { requested: ['proc_hwm', 'proc_rss_total', 'ps_rss_total', 'proc_pss_total', 'pidusage_rss_total'], sampleMs: 200 });
  const truth = 500 * MiB;
  for (const key of ['proc_hwm', 'proc_rss_total', 'ps_rss_total', 'proc_pss_total', 'pidusage_rss_total']) {
    const peak = run.summary[key]!.peak!;
    // the interpreter adds ~10 MiB over the buffer itself
    assert.ok(peak > truth * 0.97 && peak < truth * 1.1, `${key} peak ${peak / MiB} MiB vs 500 MiB`);
  }
});

test('fork-shared pages: PSS total near the real footprint, summed RSS counts them per process', { skip: !onLinux && 'needs /proc' }, async () => {
  const run = await driveEngine('fork-shared.py', ['200', '3', '1.2'], { requested: ['proc_pss_total', 'proc_rss_total', 'proc_uss_total'], sampleMs: 200 });
  const pss = run.summary['proc_pss_total']!.peak!;
  const rss = run.summary['proc_rss_total']!.peak!;
  assert.ok(pss < 200 * MiB * 1.3, `PSS total ${pss / MiB} MiB near the 200 MiB footprint`);
  assert.ok(pss > 200 * MiB * 0.9, `PSS total ${pss / MiB} MiB`);
  assert.ok(rss > 200 * MiB * 3.5, `RSS total ${rss / MiB} MiB double counts 4 × 200 MiB`);
});

test('an 800 MiB spike held 0.3 s between 1 s samples: proc_hwm catches it', { skip: !onLinux && 'needs /proc' }, async () => {
  const run = await driveEngine('spike.py', ['800', '0.3', '5', '1.0'], { requested: ['proc_hwm', 'proc_rss_total'], sampleMs: 1000, reportEvery: 2 });
  assert.ok(run.summary['proc_hwm']!.peak! > 800 * MiB, `proc_hwm ${run.summary['proc_hwm']!.peak! / MiB} MiB`);
});

const cgroupLayout = onLinux ? discoverCgroup(readCgroupDiscoveryInput()) : null;
const canIsolate = process.getuid?.() === 0 && cgroupLayout?.memory?.version === 'v1';

test('--cgroup isolate (root, v1 memory): the spike is caught by cgroup_mem_peak in a cgroup of its own, removed at close', { skip: !canIsolate && 'needs root and a v1 memory cgroup' }, async () => {
  const parentDir = cgroupLayout!.memory!.dir;
  const before = readdirSync(parentDir).filter((n) => n.startsWith('duct-'));
  const run = await driveEngine('spike.py', ['800', '0.3', '5', '1.0'], { requested: ['cgroup_mem_peak', 'cgroup_mem_current', 'cgroup_cpu_seconds', 'proc_hwm'], sampleMs: 1000, reportEvery: 2, cgroupMode: 'isolate' });
  assert.equal(run.exitCode, 0);
  assert.equal(run.argvPrefix[0], '/bin/sh');
  assert.ok(run.argvPrefix.every((a) => !a.includes('spike')), 'the command is never part of the script');
  const peak = run.summary['cgroup_mem_peak']!.peak!;
  assert.ok(peak > 800 * MiB && peak < 900 * MiB, `cgroup_mem_peak ${peak / MiB} MiB: the command's alone`);
  assert.ok(run.summary['proc_hwm']!.peak! > 800 * MiB, `proc_hwm ${run.summary['proc_hwm']!.peak! / MiB} MiB`);
  assert.equal(run.cgroup?.mode, 'isolate');
  assert.match(String(run.cgroup?.memory_path), /\/duct-/);
  const after = readdirSync(parentDir).filter((n) => n.startsWith('duct-'));
  assert.deepEqual(after, before, 'the isolate cgroup was removed');
});
