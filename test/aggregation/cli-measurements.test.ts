import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { discoverCgroup, readCgroupDiscoveryInput } from '../../src/collectors/cgroup-discovery.js';
import { CATALOGUE } from '../../src/aggregation/catalogue.js';
import { DUCT_BIN, runCli, tempDir } from '../helpers/cli.js';

const MiB = 1024 * 1024;
const onLinux = existsSync('/proc/self/stat');

interface Info {
  measurements: { selected: string[]; requested: string[]; units: Record<string, string>; unavailable: Record<string, string> };
  execution_summary: Record<string, { unit: string; peak?: number; mean?: number; total?: number }>;
  cgroup: Record<string, unknown> | null;
}

test('duct run --measurements help prints the catalogue and exits 0', async () => {
  const t = tempDir();
  try {
    const r = await runCli(['run', '--measurements', 'help', '--', 'true'], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    for (const m of CATALOGUE) assert.match(r.stdout, new RegExp(`^${m.key} +${m.unit.replace('/', '\\/')} +${m.scope} `, 'm'), m.key);
    assert.match(r.stdout, /Presets/);
    assert.deepEqual(readdirSync(t.dir), [], 'nothing written');
  } finally {
    t.cleanup();
  }
});

test('an unknown measurement key fails before the command starts, listing keys and presets', async () => {
  const t = tempDir();
  try {
    const r = await runCli(['-p', 'out/r_', '--measurements', 'proc_rss,proc_rsss', '--', 'sh', '-c', 'echo ran > ran.txt'], { cwd: t.dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^duct: unknown measurement 'proc_rsss' in --measurements; valid keys: ps_rss, .*presets: default, all, ps, memory, cpu/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.equal(existsSync(join(t.dir, 'ran.txt')), false, 'the command never ran');
    assert.equal(existsSync(join(t.dir, 'out')), false);
  } finally {
    t.cleanup();
  }
});

test('an unavailable key fails saying why', { skip: !onLinux && 'needs Linux' }, async () => {
  const t = tempDir();
  try {
    // no SLURM job cgroup above this test's cgroup
    const r = await runCli(['-p', 'out/r_', '--measurements', 'cgroup_job_mem_peak', '--', 'true'], { cwd: t.dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^duct: measurement 'cgroup_job_mem_peak' is not available here: /);
  } finally {
    t.cleanup();
  }
});

test('usage.jsonl and info.json: one whole line per report, present-iff-measured, units and summary', { skip: !onLinux && 'needs Linux' }, async () => {
  const t = tempDir();
  try {
    const r = await runCli(['-p', 'out/r_', '--s-i', '0.1', '--r-i', '0.5', '--measurements', 'default,proc_pss_total', '--', 'burner.py', '0.8', '0.8'], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    const truth = (JSON.parse(readFileSync(join(t.dir, 'out/r_stdout'), 'utf8')) as { children_cpu_seconds: number }).children_cpu_seconds;
    const info = JSON.parse(readFileSync(join(t.dir, 'out/r_info.json'), 'utf8')) as Info;
    const selected = info.measurements.selected;
    assert.ok(selected.includes('proc_pss_total') && selected.includes('proc_cpu_seconds'));
    assert.deepEqual(info.measurements.requested, ['default', 'proc_pss_total']);
    for (const k of selected) assert.ok(info.measurements.units[k], `unit of ${k}`);
    const text = readFileSync(join(t.dir, 'out/r_usage.jsonl'), 'utf8');
    assert.ok(text.endsWith('\n'));
    const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l) as { timestamp: string; num_samples: number; measurements: Record<string, unknown> });
    assert.ok(lines.length >= 2, `${lines.length} reports`);
    for (const l of lines) {
      assert.match(l.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
      for (const k of Object.keys(l.measurements)) assert.ok(selected.includes(k), `${k} was selected`);
    }
    const counted = lines.reduce((a, l) => a + ((l.measurements['proc_cpu_seconds'] as number | undefined) ?? 0), 0);
    assert.ok(Math.abs(counted - truth) < 0.4, `Σ proc_cpu_seconds ${counted} vs truth ${truth}`);
    assert.ok(Math.abs(info.execution_summary['proc_cpu_seconds']!.total! - counted) < 1e-6, 'summary total = sum of report deltas');
    assert.equal(info.execution_summary['proc_cpu_seconds']!.unit, 'seconds');
    const rss = info.execution_summary['proc_rss_total']!;
    assert.ok(rss.peak! > 5 * MiB && rss.mean! <= rss.peak!);
    assert.equal(info.execution_summary['proc_io_read_bytes'], undefined, 'not selected, not present');
    assert.ok(info.cgroup === null || typeof info.cgroup['version'] === 'string');
  } finally {
    t.cleanup();
  }
});

const layout = onLinux ? discoverCgroup(readCgroupDiscoveryInput()) : null;
const canIsolate = process.getuid?.() === 0 && layout?.memory?.version === 'v1' && !layout.memory.isRoot;

test('duct --cgroup isolate: an 800 MiB spike between 1 s samples is in cgroup_mem_peak and proc_hwm; the cgroup is removed', { skip: !canIsolate && 'needs root on a v1 memory cgroup' }, async () => {
  const t = tempDir();
  const before = readdirSync(layout!.memory!.dir).filter((n) => n.startsWith('duct-'));
  try {
    const r = await runCli(['-p', 'out/r_', '--cgroup', 'isolate', '--measurements', 'cgroup_mem_peak,proc_hwm', '--s-i', '1', '--r-i', '2', '--', 'spike.py', '800', '0.3', '5', '1.0'], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(readFileSync(join(t.dir, 'out/r_info.json'), 'utf8')) as Info;
    assert.equal(info.cgroup?.['mode'], 'isolate');
    const peak = info.execution_summary['cgroup_mem_peak']!.peak!;
    assert.ok(peak > 800 * MiB && peak < 900 * MiB, `cgroup_mem_peak ${peak / MiB} MiB`);
    assert.ok(info.execution_summary['proc_hwm']!.peak! > 800 * MiB);
    assert.deepEqual(readdirSync(layout!.memory!.dir).filter((n) => n.startsWith('duct-')), before);
  } finally {
    t.cleanup();
  }
});

const isRoot = process.getuid?.() === 0;
/** As root, the refusal is met by running duct as nobody, which needs the checkout readable by nobody. */
const nobodyCanRunDuct = !isRoot || spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(DUCT_BIN)})`]).status === 0;

test('--cgroup isolate where a cgroup cannot be made is refused, never a silent fallback', { skip: (!onLinux && 'cgroups are Linux only') || (!nobodyCanRunDuct && 'root, and the checkout is not readable by nobody (setpriv)') }, () => {
  const t = tempDir();
  try {
    // as root a cgroup can be made, so run duct as nobody (setpriv, util-linux) to meet the refusal for real
    chmodSync(t.dir, 0o777);
    const asNobody = isRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
    const argv = [...asNobody, process.execPath, DUCT_BIN, '-p', 'out/r_', '--cgroup', 'isolate', '--', 'true'];
    const r = spawnSync(argv[0]!, argv.slice(1), { cwd: t.dir, encoding: 'utf8', env: { ...process.env, DUCT_CONFIG_PATHS: '' } });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^duct: --cgroup isolate cannot make a cgroup for the command: .*use --cgroup reader\n$/);
    assert.equal(existsSync(join(t.dir, 'out')), false, 'nothing was created');
  } finally {
    t.cleanup();
  }
});
