import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { gatherSystemInfo, SYSTEM_PENDING, toSystemBlock, type SystemReadings } from '../../src/files/system-info.js';
import { describeErrors } from '../../src/files/schema-errors.js';
import { schemas } from '../../src/files/schemas.js';

/** systeminformation's answers on a GPU node, as its documented fields give them (vram and memoryTotal in MiB). */
const gpuNode: SystemReadings = {
  system: { virtual: false },
  osInfo: { platform: 'linux', distro: 'Rocky Linux', release: '8.9 (Green Obsidian)', kernel: '4.18.0-513.el8.x86_64', arch: 'x64' },
  cpu: { manufacturer: 'AMD', brand: 'EPYC 7763 64-Core Processor', cores: 128, physicalCores: 64, speed: 2.45 },
  mem: { total: 540950343680 },
  graphics: {
    controllers: [
      { vendor: 'NVIDIA Corporation', model: 'NVIDIA A100-SXM4-80GB', name: 'NVIDIA A100-SXM4-80GB', vram: 81920, memoryTotal: 81920, busAddress: '00000000:07:00.0', driverVersion: '535.104.05' },
      { vendor: 'ASPEED Technology, Inc.', model: 'ASPEED Graphics Family', vram: 0, bus: 'Onboard', vramDynamic: false },
    ],
  },
};

/** Validate a system block against info.schema.json's system rule. */
function systemProblems(system: Record<string, unknown>): string[] {
  const v = schemas().ajv.getSchema('info.schema.json#/properties/system')!;
  return v(system) ? [] : describeErrors(v.errors, system).map((d) => `${d.field}: ${d.message}`);
}

test('the system block maps sizes to bytes, names the CPU, and lists GPUs with their memory', () => {
  const block = toSystemBlock(gpuNode, 'gpu017');
  assert.deepEqual(block, {
    hostname: 'gpu017',
    cpu: { model: 'AMD EPYC 7763 64-Core Processor', logical_cores: 128, physical_cores: 64, speed_ghz: 2.45 },
    memory_total_bytes: 540950343680,
    os: { platform: 'linux', distro: 'Rocky Linux', release: '8.9 (Green Obsidian)', kernel: '4.18.0-513.el8.x86_64', arch: 'x64' },
    virtual: false,
    gpus: [
      { vendor: 'NVIDIA Corporation', model: 'NVIDIA A100-SXM4-80GB', memory_total_bytes: 85899345920, bus_address: '00000000:07:00.0', driver_version: '535.104.05' },
      { vendor: 'ASPEED Technology, Inc.', model: 'ASPEED Graphics Family', memory_total_bytes: null },
    ],
  });
  assert.deepEqual(systemProblems({ ...block }), []);
});

test('no GPU: no gpus key; a failed GPU probe alone is recorded, the rest kept', () => {
  const none = toSystemBlock({ ...gpuNode, cpu: { ...gpuNode.cpu, speed: 0 }, graphics: { controllers: [] } }, 'h');
  assert.equal('gpus' in none, false);
  assert.equal('speed_ghz' in none.cpu, false);
  const failed = toSystemBlock({ ...gpuNode, graphics: new Error('probing GPUs took longer than 950 ms') }, 'h');
  assert.equal(failed.gpus_unavailable, 'probing GPUs took longer than 950 ms');
  assert.equal(failed.cpu.logical_cores, 128);
  assert.deepEqual(systemProblems({ ...failed }), []);
});

test('gatherSystemInfo never rejects: a failure or a hang past the bound gives the reason and the hostname', async () => {
  const failed = await gatherSystemInfo(1000, () => Promise.reject(new Error('cannot read /proc/cpuinfo')));
  assert.deepEqual(failed, { unavailable: 'system information unavailable: cannot read /proc/cpuinfo', hostname: hostname() });
  const started = Date.now();
  const hung = await gatherSystemInfo(100, () => new Promise<SystemReadings>(() => undefined));
  assert.ok(Date.now() - started < 5000);
  assert.deepEqual(hung, { unavailable: 'system information unavailable: gathering system information took longer than 100 ms', hostname: hostname() });
  assert.deepEqual(systemProblems(hung), []);
  assert.deepEqual(systemProblems({ ...SYSTEM_PENDING }), []);
});

test('on this machine, systeminformation answers within the bound and the block validates', async () => {
  const block = await gatherSystemInfo(20_000);
  assert.equal(block.unavailable, undefined, String(block.unavailable));
  assert.equal(block.hostname, hostname());
  assert.deepEqual(systemProblems(block), []);
});
