import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { drmCollector } from '../../src/collectors/drm.js';
import { drmUsageOf, parseDrmFdinfo } from '../../src/collectors/drm-fdinfo.js';
import { REPO_ROOT } from '../helpers/cli.js';

// a recorded-format fdinfo tree: 4242 holds two amdgpu clients (one open twice), 4243 an i915 one
const TREE = join(REPO_ROOT, 'test', 'fixtures', 'proc-drm');
const MIB = 1024 * 1024;
const fdinfo = (pid: number, fd: number): string => readFileSync(join(TREE, String(pid), 'fdinfo', String(fd)), 'latin1');

test('parseDrmFdinfo: an amdgpu client with the older drm-memory-* names; gtt is not device memory', () => {
  assert.deepEqual(parseDrmFdinfo(fdinfo(4242, 3)), { id: 'amdgpu/0000:03:00.0/42', vramBytes: 1024 * MIB, engineNs: 6e9 });
  assert.equal(parseDrmFdinfo(fdinfo(4242, 0)), null, 'a plain file is no DRM client');
});

test('parseDrmFdinfo: drm-total-* wins over the older name of the same region; i915 local0 is device memory, engine capacity is not time', () => {
  assert.equal(parseDrmFdinfo(fdinfo(4242, 5))?.vramBytes, 512 * MIB);
  assert.deepEqual(parseDrmFdinfo(fdinfo(4243, 3)), { id: 'i915/0000:00:02.0/7', vramBytes: 256 * MIB, engineNs: 2e9 });
});

test('drmUsageOf counts a client open through several fds once', () => {
  assert.deepEqual(drmUsageOf([fdinfo(4242, 3), fdinfo(4242, 4), fdinfo(4242, 5)]), { vramBytes: 1536 * MIB, engineNs: 6e9, clients: 2 });
  assert.equal(drmUsageOf([fdinfo(4242, 0)]), null);
});

test('the drm collector reads each pid\'s fdinfo tree; a pid without DRM clients or gone is absent', async () => {
  const c = drmCollector({ procRoot: TREE });
  assert.deepEqual(c.available(), { vram: null, engine_ns: null });
  const r = await c.collect([4242, 4243, 99999], new Set(['vram', 'engine_ns']));
  assert.deepEqual([...r.perPid], [[4242, { vram: 1536 * MIB, engine_ns: 6e9 }], [4243, { vram: 256 * MIB, engine_ns: 2e9 }]]);
  assert.match(drmCollector({ procRoot: join(TREE, 'absent') }).available()['vram']!, /fdinfo is not readable/);
});

test('drm_engine_busy: engine nanoseconds per second as percent of one engine; drm_vram_total sums the processes', async () => {
  const { prepareMeasurements } = await import('../../src/aggregation/engine.js');
  let now = 0;
  const script = [
    new Map([[10, { vram: 100 * MIB, engine_ns: 0 }], [11, { vram: 50 * MIB, engine_ns: 0 }]]),
    new Map([[10, { vram: 300 * MIB, engine_ns: 5e8 }], [11, { vram: 50 * MIB, engine_ns: 1e9 }]]),
  ];
  const drm = { name: 'drm' as const, available: () => ({ vram: null, engine_ns: null }), collect: () => Promise.resolve({ perPid: script.shift() ?? new Map(), single: {} }) };
  const env = { collectors: { drm }, missing: {}, tree: () => ({ members: () => Promise.resolve([10, 11]) }), monotonic: () => now, now: () => new Date(0) };
  const prepared = await prepareMeasurements({ requested: ['drm_vram', 'drm_vram_total', 'drm_engine_busy'], sampleInterval: 1, reportInterval: 2, cgroupMode: 'reader', mode: 'new-session' }, env);
  const engine = prepared.start(10);
  now = 1;
  await engine.sample();
  now = 2;
  await engine.sample();
  const m = (await engine.report())!.measurements;
  assert.deepEqual(m['drm_vram'], { 10: 300 * MIB, 11: 50 * MIB });
  assert.equal(m['drm_vram_total'], 350 * MIB);
  assert.ok(Math.abs((m['drm_engine_busy'] as number) - 150) < 1e-6, `50% + 100% over one second: ${String(m['drm_engine_busy'])}`);
  await engine.close();
});
