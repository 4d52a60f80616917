import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CATALOGUE, expandPreset, PRESET_NAMES } from '../../src/aggregation/catalogue.js';
import { illegalReason, type MeasurementData } from '../../src/aggregation/measurement.js';
import { REDUCERS } from '../../src/aggregation/reducers.js';
import { resolveSelection } from '../../src/aggregation/selection.js';
import { isDuctError } from '../../src/errors.js';

// every key DESIGN.md's catalogue names
const DESIGN_KEYS = [
  'ps_rss', 'ps_rss_total', 'ps_vsz', 'ps_vsz_total', 'ps_pmem', 'ps_pmem_total', 'ps_pdcpu', 'ps_pdcpu_total', 'ps_cpu_seconds', 'ps_etime', 'ps_stat', 'ps_cmd', 'ps_nproc',
  'proc_rss', 'proc_rss_total', 'proc_pss', 'proc_pss_total', 'proc_uss', 'proc_uss_total', 'proc_hwm', 'proc_pdcpu', 'proc_pdcpu_total', 'proc_cpu_seconds',
  'proc_io_read_bytes', 'proc_io_write_bytes', 'proc_io_read_rate', 'proc_io_write_rate', 'proc_cmd', 'proc_stat', 'proc_nproc',
  'cgroup_mem_peak', 'cgroup_mem_current', 'cgroup_cpu_seconds', 'cgroup_oom_kills', 'cgroup_job_mem_peak',
  'pidusage_rss', 'pidusage_rss_total', 'pidusage_pdcpu', 'pidusage_pdcpu_total',
];
// keys added since by issues: the exact CPU of the reaped tree (issue 13), the run's NVIDIA, AMD and Intel GPUs (issue 15)
const ADDED_KEYS = ['rusage_cpu_seconds', 'nvidia_gpu_mem', 'nvidia_gpu_mem_total', 'nvidia_gpu_util', 'nvidia_gpu_mem_used', 'nvidia_gpu_count', 'drm_vram', 'drm_vram_total', 'drm_engine_busy'];

test('every key of the DESIGN catalogue exists, collector-first, once', () => {
  const keys = CATALOGUE.map((m) => m.key);
  assert.deepEqual([...keys].sort(), [...DESIGN_KEYS, ...ADDED_KEYS].sort());
  assert.equal(new Set(keys).size, keys.length);
  for (const m of CATALOGUE) assert.ok(m.key.startsWith(`${m.collector}_`), m.key);
});

test('every declaration is a legal kind → reduce pair and has a reducer', () => {
  for (const m of CATALOGUE) {
    assert.equal(illegalReason(m), null, m.key);
    assert.equal(typeof REDUCERS[m.reduce], 'function');
  }
});

test('illegal pairs are refused by the runtime check too', () => {
  const base = { key: 'x_y', collector: 'proc', field: 'f', unit: 'bytes', description: '', cost: 'low' } as const;
  const bad: MeasurementData[] = [
    { ...base, scope: 'single', kind: 'gauge', reduce: 'delta' },
    { ...base, scope: 'single', kind: 'counter', reduce: 'max' },
    { ...base, scope: 'per_pid', kind: 'counter', reduce: 'sum_pid_deltas' },
    { ...base, scope: 'per_pid', kind: 'label', reduce: 'max' },
    { ...base, scope: 'per_pid', kind: 'categorical', reduce: 'last' },
    { ...base, scope: 'single', kind: 'counter', reduce: 'delta' },
  ];
  for (const m of bad) assert.notEqual(illegalReason(m), null, `${m.kind}/${m.reduce}/${m.scope}`);
});

test('units: cpu rates in percent, cpu counters in seconds, memory in bytes', () => {
  for (const m of CATALOGUE) {
    if (/pdcpu/.test(m.key)) assert.equal(m.unit, 'percent', m.key);
    if (/cpu_seconds/.test(m.key)) assert.equal(m.unit, 'seconds', m.key);
    if (/(rss|pss|uss|hwm|vsz|mem_peak|mem_current)/.test(m.key)) assert.equal(m.unit, 'bytes', m.key);
    assert.ok(!(m.collector === 'cgroup' && /rss/.test(m.key)), 'cgroup memory is never called rss');
  }
});

const everything = new Map<string, string | null>(CATALOGUE.map((m) => [m.key, null]));

test('default preset: proc keys with the tree\'s PSS (read when a process faulted) but no USS/io, the exact CPU, plus cgroup keys; ps keys where /proc is absent', () => {
  const d = expandPreset('default', () => true);
  assert.ok(d.includes('proc_cpu_seconds') && d.includes('proc_hwm') && d.includes('cgroup_mem_peak') && d.includes('rusage_cpu_seconds'));
  assert.ok(d.includes('proc_pss_total'));
  assert.equal(CATALOGUE.find((m) => m.key === 'proc_pss_total')?.cadence, 'faulted', 'PSS in default is gated on page faults, never read every sample');
  assert.ok(!d.some((k) => /uss|io_|^proc_pss$/.test(k)));
  assert.ok(!d.some((k) => k.startsWith('ps_') || k.startsWith('pidusage_')));
  const noProc = expandPreset('default', (k) => !k.startsWith('proc_') && !k.startsWith('cgroup_') && !k.startsWith('rusage_') && !k.startsWith('nvidia_') && !k.startsWith('drm_'));
  assert.ok(noProc.length > 0 && noProc.every((k) => k.startsWith('ps_')));
  for (const p of PRESET_NAMES) assert.ok(expandPreset(p, () => true).length > 0, p);
});

test('default takes the GPU keys exactly where they are available (a GPU visible), and the gpu preset is only them', () => {
  const gpuKeys = ['nvidia_gpu_mem', 'nvidia_gpu_mem_total', 'nvidia_gpu_util', 'nvidia_gpu_mem_used', 'nvidia_gpu_count'];
  assert.deepEqual(expandPreset('default', () => true).filter((k) => k.startsWith('nvidia_')), gpuKeys);
  assert.deepEqual(expandPreset('default', (k) => !k.startsWith('nvidia_')).filter((k) => k.startsWith('nvidia_')), []);
  assert.deepEqual(expandPreset('gpu', () => true), [...gpuKeys, 'drm_vram', 'drm_vram_total', 'drm_engine_busy']);
  assert.deepEqual(expandPreset('gpu', (k) => !k.startsWith('nvidia_') && !k.startsWith('drm_')), []);
  assert.ok(!expandPreset('default', () => true).some((k) => k.startsWith('drm_')), 'fdinfo costs grow with open files: never in default');
});

test('selection: presets and keys mix, in catalogue order, without duplicates', () => {
  const keys = resolveSelection(['proc_pss_total,default', 'proc_rss'], everything).map((m) => m.key);
  assert.equal(new Set(keys).size, keys.length);
  assert.ok(keys.includes('proc_pss_total'));
  assert.ok(keys.indexOf('proc_rss') < keys.indexOf('proc_pss_total'));
  assert.deepEqual(resolveSelection([], everything).map((m) => m.key), expandPreset('default', () => true));
});

test('selection: an unknown key fails listing valid keys and presets', () => {
  assert.throws(
    () => resolveSelection(['proc_rss,bogus'], everything),
    (e: unknown) => isDuctError(e) && e.code === 'E_MEASUREMENT_UNKNOWN' && /'bogus'/.test(e.message) && /proc_rss/.test(e.message) && /presets: default, all/.test(e.message) && !e.message.includes('\n'),
  );
});

test('selection: an unavailable explicit key fails saying why; presets skip it', () => {
  const avail = new Map(everything);
  avail.set('cgroup_mem_peak', 'no readable memory cgroup: test');
  assert.throws(
    () => resolveSelection(['cgroup_mem_peak'], avail),
    (e: unknown) => isDuctError(e) && e.code === 'E_MEASUREMENT_UNAVAILABLE' && /no readable memory cgroup: test/.test(e.message),
  );
  assert.ok(!resolveSelection(['all'], avail).some((m) => m.key === 'cgroup_mem_peak'));
  const none = new Map(CATALOGUE.map((m) => [m.key, 'nope']));
  assert.throws(() => resolveSelection(['memory'], none), (e: unknown) => isDuctError(e) && e.code === 'E_MEASUREMENT_UNAVAILABLE');
});
