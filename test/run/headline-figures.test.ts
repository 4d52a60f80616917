import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { discoverCgroup, readCgroupDiscoveryInput } from '../../src/collectors/cgroup-discovery.js';
import type { RunInfo } from '../../src/files/info.js';
import { DUCT_BIN, FIXTURE_BIN, runCli, tempDir } from '../helpers/cli.js';
import { assertRunValid } from '../helpers/validate.js';

/**
 * The figures a user sizes jobs by, measured on real processes and read back the
 * way a user reads them (summary, `ls`, `recommend`): one memory peak that is the
 * run's own, never one process's, never a shared cgroup's mark; exact CPU seconds.
 * Bounds are generous; scripts/bench holds the tight ratios.
 */

const MiB = 1024 * 1024;
const onLinux = existsSync('/proc/self/stat');
const layout = onLinux ? discoverCgroup(readCgroupDiscoveryInput()) : null;
const v1MemoryRoot = layout?.memory?.version === 'v1' ? layout.memory.mountDir : null;
const canMakeCgroups = process.getuid?.() === 0 && v1MemoryRoot !== null;

const readInfo = (dir: string, prefix: string): RunInfo => JSON.parse(readFileSync(join(dir, `${prefix}info.json`), 'utf8')) as RunInfo;

async function lsRow(dir: string, fields: string): Promise<Record<string, unknown>> {
  const r = await runCli(['ls', 'logs', '-f', 'json', '-F', fields], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
  assert.equal(rows.length, 1, r.stdout);
  return rows[0]!;
}

test('two independent 150 MiB processes: mem_peak is the tree\'s 300 MiB, the same in the summary, ls and recommend', { skip: !onLinux && 'needs /proc' }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const alloc = join(FIXTURE_BIN, 'alloc.py');
    const r = await runCli(['--s-i', '0.2', '-p', 'logs/two_', '--', 'sh', '-c', `"$0" 150 1.5 & "$0" 150 1.5; wait`, alloc], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const info = readInfo(dir, 'logs/two_');
    const figure = info.figures.mem_peak!;
    assert.ok(figure.value > 300 * MiB && figure.value < 330 * MiB, `mem_peak ${figure.value / MiB} MiB from ${figure.source}`);
    assert.ok(!['proc_hwm', 'proc_rss', 'ps_rss'].includes(figure.source), 'never a per-process key');
    // the largest single process is about half of it: a per-process peak would have said ~160 MiB
    assert.ok(info.execution_summary['proc_hwm']!.peak! < 200 * MiB);
    assert.match(r.stderr, new RegExp(`^Memory Peak: ${(figure.value / MiB).toFixed(2)} MiB \\(${figure.meaning.replace(/[()]/g, '\\$&')}\\)$`, 'm'));
    const row = await lsRow(dir, 'mem_peak,mem_peak_source');
    assert.deepEqual(row, { mem_peak: figure.value, mem_peak_source: figure.source });
    const rec = await runCli(['recommend', '--json', 'logs'], { cwd: dir });
    assert.equal(rec.code, 0, rec.stderr);
    const group = (JSON.parse(rec.stdout) as { groups: { memory: { key: string; peak_bytes: number } }[] }).groups[0]!;
    assert.deepEqual([group.memory.key, group.memory.peak_bytes], [figure.source, figure.value], 'recommend sizes from the same figure ls shows');
  } finally {
    cleanup();
  }
});

test('CPU seconds: the kernel\'s count for the reaped tree, within 5% of what the burner\'s own rusage says', { skip: !onLinux && 'needs /proc' }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    // the interpreter itself, not a launcher shim (pyenv's bash scripts would be the tree's CPU too, but not in the burner's own account)
    const python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
    // sampled once a second: a per-process sum misses up to a second of each worker's CPU
    const r = await runCli(['-p', 'logs/burn_', '--', python, join(FIXTURE_BIN, 'burner.py'), '1.2', '1.2'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const truth = JSON.parse(r.stdout) as { children_cpu_seconds: number; self_cpu_seconds: number };
    const tree = truth.children_cpu_seconds + truth.self_cpu_seconds;
    const info = readInfo(dir, 'logs/burn_');
    const exact = info.execution_summary['rusage_cpu_seconds']!.total!;
    assert.ok(Math.abs(exact - tree) <= tree * 0.05 + 0.02, `rusage_cpu_seconds ${exact} vs the tree's ${tree}`);
    assert.equal(info.figures.cpu_seconds?.source, 'rusage_cpu_seconds');
    assert.equal(info.figures.cpu_seconds?.value, exact);
    assert.match(r.stderr, /^CPU Time: \d+\.\d\d sec \(the kernel's count for the command's reaped tree\)$/m);
    const row = await lsRow(dir, 'cpu_seconds,cpu_seconds_source');
    assert.deepEqual(row, { cpu_seconds: exact, cpu_seconds_source: 'rusage_cpu_seconds' });
    // beside it, the per-process sum (it may miss what each worker burnt after its last sample)
    assert.ok(info.execution_summary['proc_cpu_seconds']!.total! <= exact + 0.05);
  } finally {
    cleanup();
  }
});

test('rusage_cpu_seconds with ps keys: a preset drops it saying why, an explicit request fails', { skip: !onLinux && 'needs /proc' }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const ok = await runCli(['--measurements', 'ps,cpu', '-q', '-p', 'logs/ps_', '--', 'true'], { cwd: dir });
    assert.equal(ok.code, 0, ok.stderr);
    const info = readInfo(dir, 'logs/ps_');
    assert.ok(!info.measurements.selected.includes('rusage_cpu_seconds'));
    assert.match(info.measurements.unavailable['rusage_cpu_seconds'] ?? '', /ps/);
    const bad = await runCli(['--measurements', 'ps_rss,rusage_cpu_seconds', '-p', 'logs/bad_', '--', 'true'], { cwd: dir });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /rusage_cpu_seconds cannot be measured together with ps keys/);
    assert.ok(!existsSync(join(dir, 'logs', 'bad_info.json')));
  } finally {
    cleanup();
  }
});

test('a worker that calls setsid() is the run\'s until it leaves the session, and not after', { skip: !onLinux && 'needs /proc' }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const script = 'import os, time\nif os.fork() == 0:\n    time.sleep(1.2)\n    os.setsid()\n    time.sleep(3)\n    os._exit(0)\ntime.sleep(2.8)\n';
    const r = await runCli(['--s-i', '0.1', '--r-i', '0.5', '-p', 'logs/detach_', '--', 'python3', '-c', script], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const records = readFileSync(join(dir, 'logs', 'detach_usage.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { measurements: Record<string, unknown> });
    // the script's processes in each window (a python launcher shim may add its own, with other command lines)
    const scripts = records
      .map((x) => x.measurements['proc_cmd'] as Record<string, string> | undefined)
      .filter((c): c is Record<string, string> => c !== undefined)
      .map((c) => Object.entries(c).filter(([, cmd]) => cmd.includes('os.setsid()') && !cmd.startsWith('bash ')).map(([pid]) => pid).sort());
    const both = scripts.find((x) => x.length === 2);
    assert.ok(both, `the worker is counted while in the session: ${JSON.stringify(scripts)}`);
    const worker = both[1]!;
    assert.ok(!scripts.at(-1)!.includes(worker), `and not once it left: ${JSON.stringify(scripts)}`);
    assert.equal(scripts.at(-1)!.length, 1);
  } finally {
    cleanup();
  }
});

/** Run duct as the only process (or beside `foreign`) of a fresh v1 memory cgroup, the way a SLURM step or a container holds it. */
async function inCgroup(dir: string, name: string, foreign: boolean, args: string[]): Promise<{ code: number | null; stderr: string }> {
  const group = join(v1MemoryRoot!, `duct-test-${name}-${process.pid}`);
  mkdirSync(group);
  const sleeper = foreign ? spawn('sleep', ['60'], { stdio: 'ignore' }) : null;
  try {
    if (sleeper) writeFileSync(join(group, 'cgroup.procs'), String(sleeper.pid));
    const child = spawn('/bin/sh', ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', group, process.execPath, DUCT_BIN, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH: `${FIXTURE_BIN}:${process.env.PATH ?? ''}` } });
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    child.stdout!.resume();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return { code, stderr };
  } finally {
    sleeper?.kill('SIGKILL');
    for (let i = 0; i < 50; i++) {
      try {
        rmdirSync(group);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }
}

test('a cgroup shared with another process: marked shared, never the headline; the run\'s own PSS is', { skip: !canMakeCgroups && 'needs root and a v1 memory cgroup' }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    // the group's mark is raised by the foreign process too: here it holds 200 MiB the run never had
    const r = await inCgroup(dir, 'shared', true, ['--s-i', '0.2', '-p', 'logs/shared_', '--', join(FIXTURE_BIN, 'alloc.py'), '100', '1.2']);
    assert.equal(r.code, 0, r.stderr);
    await assertRunValid(join(dir, 'logs', 'shared_'));
    const info = readInfo(dir, 'logs/shared_');
    assert.equal(info.cgroup?.mode, 'reader');
    assert.equal(info.cgroup?.membership, 'shared');
    assert.ok((info.cgroup?.foreign_processes ?? 0) >= 1);
    assert.equal(info.cgroup?.foreign_example?.comm, 'sleep');
    const figure = info.figures.mem_peak!;
    assert.ok(!figure.source.startsWith('cgroup_'), `headline from ${figure.source}`);
    assert.ok(figure.value > 100 * MiB && figure.value < 160 * MiB, `headline ${figure.value / MiB} MiB`);
    assert.match(r.stderr, /^Memory Peak \(cgroup, incl\. page cache\): .* \(shared: \d+ other process(es)? in the cgroup, e\.g\. \d+ sleep; not the run's figure/m);
    const row = await lsRow(dir, 'mem_peak_source,cgroup_scope');
    assert.deepEqual(row, { mem_peak_source: figure.source, cgroup_scope: 'shared' });
  } finally {
    cleanup();
  }
});

test('a cgroup holding the run alone is verified exclusive, and its high-water mark is the headline', { skip: !canMakeCgroups && 'needs root and a v1 memory cgroup' }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const r = await inCgroup(dir, 'alone', false, ['--s-i', '0.2', '-p', 'logs/alone_', '--', join(FIXTURE_BIN, 'fork-shared.py'), '200', '3', '1.2']);
    assert.equal(r.code, 0, r.stderr);
    await assertRunValid(join(dir, 'logs', 'alone_'));
    const info = readInfo(dir, 'logs/alone_');
    assert.equal(info.cgroup?.membership, 'exclusive');
    assert.equal(info.cgroup?.foreign_processes, 0);
    const figure = info.figures.mem_peak!;
    assert.equal(figure.source, 'cgroup_mem_peak');
    // the group holds duct too (as a SLURM step does): the 200 MiB the workers share once, plus duct's own
    assert.ok(figure.value > 200 * MiB && figure.value < 330 * MiB, `cgroup peak ${figure.value / MiB} MiB`);
    const pss = info.execution_summary['proc_pss_total']!.peak!;
    assert.ok(pss > 190 * MiB && pss < 240 * MiB, `the tree's PSS ${pss / MiB} MiB: its fork-shared pages once`);
    const row = await lsRow(dir, 'mem_peak,mem_peak_source,cgroup_scope');
    assert.deepEqual(row, { mem_peak: figure.value, mem_peak_source: 'cgroup_mem_peak', cgroup_scope: 'exclusive' });
  } finally {
    cleanup();
  }
});

test('4 forked workers sharing a 200 MiB parent: the default headline is within 10% of the isolate cgroup\'s peak', { skip: !canMakeCgroups && 'needs root and a v1 memory cgroup' }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const cmd = [join(FIXTURE_BIN, 'fork-shared.py'), '200', '4', '1.5'];
    const iso = await runCli(['--cgroup', 'isolate', '--s-i', '0.2', '-q', '-p', 'logs/iso_', '--', ...cmd], { cwd: dir });
    assert.equal(iso.code, 0, iso.stderr);
    const def = await runCli(['--s-i', '0.2', '-q', '-p', 'logs/def_', '--', ...cmd], { cwd: dir });
    assert.equal(def.code, 0, def.stderr);
    const truth = readInfo(dir, 'logs/iso_').figures.mem_peak!;
    assert.equal(truth.source, 'cgroup_mem_peak');
    const headline = readInfo(dir, 'logs/def_').figures.mem_peak!;
    assert.ok(Math.abs(headline.value - truth.value) <= truth.value * 0.1, `default ${headline.value / MiB} MiB (${headline.source}) vs isolate ${truth.value / MiB} MiB`);
    assert.ok(readInfo(dir, 'logs/def_').execution_summary['proc_rss_total']!.peak! > truth.value * 3, 'summed RSS counts the shared pages per process');
  } finally {
    cleanup();
  }
});

test('endings in ls: a signal-killed run shows 128 + signal; a run whose duct was SIGKILLed shows killed', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const term = await runCli(['-q', '-p', 'logs/term_', '--fail-time', '0', '--', 'sh', '-c', 'kill -TERM $$'], { cwd: dir });
    assert.equal(term.code, 143);
    // duct dies outright while its command sleeps: info.json stays `running`
    const killed = await runCli(['-q', '-p', 'logs/kill_', '--s-i', '0.1', '--r-i', '0.2', '--', 'sleep', '30'], {
      cwd: dir,
      validateOutputs: false,
      onSpawn: (child) => setTimeout(() => child.kill('SIGKILL'), 1500),
    });
    assert.equal(killed.signal, 'SIGKILL');
    assert.equal(readInfo(dir, 'logs/kill_').status, 'running');
    const r = await runCli(['ls', 'logs', '-f', 'json', '-F', 'prefix,exit_code,signal,status'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [
      { prefix: 'logs/kill_', exit_code: null, signal: null, status: 'killed' },
      { prefix: 'logs/term_', exit_code: 143, signal: 'SIGTERM', status: 'finished' },
    ]);
    const filtered = await runCli(['ls', 'logs', '-f', 'json', '-F', 'prefix', '--filter', 'exit_code == 143'], { cwd: dir });
    assert.deepEqual(JSON.parse(filtered.stdout), [{ prefix: 'logs/term_' }]);
  } finally {
    cleanup();
  }
});

test('--measurements all at --s-i 0.5: no CPU rate above cores × 100% beyond its documented quantum (ps: 10% per busy process)', { skip: !onLinux && 'needs /proc' }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    // 2 workers burning 12 s of CPU each: each lives past a 10 s span, so ps has rates for them
    const r = await runCli(['--measurements', 'all', '--s-i', '0.5', '-q', '-p', 'logs/all_', '--', join(FIXTURE_BIN, 'burner.py'), '12', '12'], { cwd: dir, timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    const es = readInfo(dir, 'logs/all_').execution_summary;
    const cores = (await import('node:os')).availableParallelism();
    const busy = Math.min(2, cores);
    const ps = es['ps_pdcpu_total']?.peak;
    assert.ok(ps !== undefined && ps > 30, `ps rates were derived: ${ps}`);
    assert.ok(ps <= cores * 100 + busy * 10 + 1, `ps_pdcpu_total peak ${ps}% on ${cores} cores`);
    for (const key of ['ps_pdcpu', 'proc_pdcpu', 'pidusage_pdcpu'] as const) {
      const peak = es[key]?.peak;
      if (peak !== undefined) assert.ok(peak <= 100 + (key === 'ps_pdcpu' ? 10 : 5), `${key} peak ${peak}% for a one-thread worker`);
    }
    const proc = es['proc_pdcpu_total']!.peak!;
    assert.ok(proc <= cores * 100 * 1.05, `proc_pdcpu_total peak ${proc}%`);
  } finally {
    cleanup();
  }
});
