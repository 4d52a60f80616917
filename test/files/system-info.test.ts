import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';
import { parseOsRelease, readSystemSources, systemInfo, toSystemBlock, type SystemSources } from '../../src/files/system-info.js';
import { describeErrors } from '../../src/files/schema-errors.js';
import { schemas } from '../../src/files/schemas.js';

/** Two logical CPUs of one core each on two sockets' worth of cpuinfo, as the kernel prints it (trimmed). */
function cpuinfo(model: string, flags: string, cores: Array<[number, number]>): string {
  return cores
    .map(([pkg, core], i) => [`processor\t: ${i}`, 'vendor_id\t: AuthenticAMD', `model name\t: ${model}`, `physical id\t: ${pkg}`, `core id\t\t: ${core}`, `flags\t\t: fpu vme ${flags} sse2`].join('\n'))
    .join('\n\n') + '\n\n';
}

/** A GPU node as its files read: 4 logical CPUs on 2 cores, an A100 seen by the NVIDIA driver and by DRM, and an ASPEED card. */
const gpuNode: SystemSources = {
  hostname: 'gpu017',
  platform: 'linux',
  kernel: '4.18.0-513.el8.x86_64',
  arch: 'x64',
  memoryTotalBytes: 540950343680,
  osCpus: [],
  cpuinfo: cpuinfo('AMD EPYC 7763 64-Core Processor', 'pse tsc', [[0, 0], [0, 0], [0, 1], [0, 1]]),
  cpuMaxKhz: '2450000\n',
  osRelease: 'NAME="Rocky Linux"\nVERSION="8.9 (Green Obsidian)"\nID="rocky"\nVERSION_ID="8.9"\n',
  containerOrVmMarker: false,
  nvidiaGpus: ['Model: \t\t NVIDIA A100-SXM4-80GB\nIRQ:   \t\t 180\nGPU UUID: \t GPU-0f1e\nBus Location: \t 0000:07:00.0\n'],
  nvidiaVersion: 'NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  Sat Aug 19 01:15:15 UTC 2023\nGCC version:  gcc version 8.5.0\n',
  drmCards: [
    { vendorId: '10de', deviceId: '20b2', busAddress: '0000:07:00.0', vramBytes: null },
    { vendorId: '1a03', deviceId: '2000', busAddress: '0000:02:00.0', vramBytes: null },
  ],
  pciName: (v, d) => ({ '1a03': 'ASPEED Technology, Inc.', '1a03:2000': 'ASPEED Graphics Family' })[d === null ? v : `${v}:${d}`] ?? null,
};

/** Validate a system block against info.schema.json's system rule. */
function systemProblems(system: Record<string, unknown>): string[] {
  const v = schemas().ajv.getSchema('info.schema.json#/properties/system')!;
  return v(system) ? [] : describeErrors(v.errors, system).map((d) => `${d.field}: ${d.message}`);
}

test('the system block names the CPU, counts cores, and lists each GPU once, with the driver version', () => {
  const block = toSystemBlock(gpuNode);
  assert.deepEqual(block, {
    hostname: 'gpu017',
    cpu: { model: 'AMD EPYC 7763 64-Core Processor', logical_cores: 4, physical_cores: 2, speed_ghz: 2.45 },
    memory_total_bytes: 540950343680,
    os: { platform: 'linux', distro: 'Rocky Linux', release: '8.9', kernel: '4.18.0-513.el8.x86_64', arch: 'x64' },
    virtual: false,
    gpus: [
      { vendor: 'NVIDIA Corporation', model: 'NVIDIA A100-SXM4-80GB', memory_total_bytes: null, bus_address: '0000:07:00.0', driver_version: '535.104.05' },
      { vendor: 'ASPEED Technology, Inc.', model: 'ASPEED Graphics Family', memory_total_bytes: null, bus_address: '0000:02:00.0' },
    ],
  });
  assert.deepEqual(systemProblems({ ...block }), []);
});

test('a VM with no GPU, no cpufreq and no core ids: hypervisor flag, cores as logical CPUs, no speed, no gpus', () => {
  const vm = toSystemBlock({
    ...gpuNode,
    cpuinfo: 'processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu hypervisor\n\nprocessor\t: 1\nmodel name\t: AMD EPYC\nflags\t\t: fpu hypervisor\n',
    cpuMaxKhz: null,
    nvidiaGpus: [],
    nvidiaVersion: null,
    drmCards: [],
  });
  assert.deepEqual(vm.cpu, { model: 'AMD EPYC', logical_cores: 2, physical_cores: 2 });
  assert.equal(vm.virtual, true);
  assert.equal('gpus' in vm, false);
  assert.deepEqual(systemProblems({ ...vm }), []);
});

test('an Intel model name gives its nominal speed; an AMD card its VRAM; unnamed PCI ids are shown as ids', () => {
  const b = toSystemBlock({
    ...gpuNode,
    cpuinfo: cpuinfo('Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz', 'pse', [[0, 0], [1, 0]]),
    cpuMaxKhz: null,
    nvidiaGpus: [],
    drmCards: [{ vendorId: '1002', deviceId: '740f', busAddress: '0000:c1:00.0', vramBytes: 68702699520 }],
    pciName: () => null,
  });
  assert.equal(b.cpu.speed_ghz, 2.5);
  assert.equal(b.cpu.physical_cores, 2);
  assert.deepEqual(b.gpus, [{ vendor: 'PCI vendor 0x1002', model: 'PCI device 0x740f', memory_total_bytes: 68702699520, bus_address: '0000:c1:00.0' }]);
});

test('no cpuinfo or os-release: the os module answers, and virtual is left out as unknown', () => {
  const b = toSystemBlock({ ...gpuNode, cpuinfo: null, cpuMaxKhz: null, osRelease: null, osCpus: [{ model: 'Apple M2', speed: 2400 }, { model: 'Apple M2', speed: 2400 }], nvidiaGpus: [], drmCards: [] });
  assert.deepEqual(b.cpu, { model: 'Apple M2', logical_cores: 2, physical_cores: 2 });
  assert.deepEqual([b.os.distro, b.os.release], ['', '']);
  assert.equal('virtual' in b, false);
  assert.deepEqual(systemProblems({ ...b }), []);
});

test('parseOsRelease removes quotes and skips comments', () => {
  assert.deepEqual([...parseOsRelease('# c\nNAME="Debian GNU/Linux"\nVERSION_ID=12\nID=\'debian\'\n')], [['NAME', 'Debian GNU/Linux'], ['VERSION_ID', '12'], ['ID', 'debian']]);
});

test('systemInfo never throws: a failure gives the reason and the hostname', () => {
  const failed = systemInfo(() => {
    throw new Error('cannot read /proc/cpuinfo');
  });
  assert.deepEqual(failed, { unavailable: 'system information unavailable: cannot read /proc/cpuinfo', hostname: hostname() });
  assert.deepEqual(systemProblems(failed), []);
});

test('on this machine, the block validates and agrees with nproc and uname', { skip: process.platform !== 'linux' && 'Linux sources' }, () => {
  const block = systemInfo(readSystemSources) as Record<string, unknown> & { cpu: { logical_cores: number }; os: { kernel: string } };
  assert.equal(block['unavailable'], undefined, String(block['unavailable']));
  assert.equal(block['hostname'], hostname());
  assert.deepEqual(systemProblems(block), []);
  assert.equal(block.cpu.logical_cores, Number(execFileSync('nproc', ['--all'], { encoding: 'utf8' }).trim()));
  assert.equal(block.os.kernel, execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim());
});
