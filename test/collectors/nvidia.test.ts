import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nvidiaCollector, readingOf, runDevices } from '../../src/collectors/nvidia.js';
import { isHeaderLine, parseAppLine, parseDeviceList, parseGpuLine, problemOf } from '../../src/collectors/nvidia-smi-csv.js';
import { appKey, gpuKey, SnapshotSplitter, streamArgs } from '../../src/collectors/nvidia-smi-stream.js';
import { FIXTURE_BIN, tempDir } from '../helpers/cli.js';

// answers in the documented CSV format (--format=csv,nounits), as the fake nvidia-smi replays them
const GPU_HEADER = 'index, uuid, utilization.gpu [%], utilization.memory [%], memory.used [MiB], memory.total [MiB], name, driver_version';
const GPU0 = '0, GPU-5e2a0f3c-1b7d-4c2e-9a61-0d3f8e7b6a21, 37, 12, 5000, 81559, NVIDIA H100 80GB HBM3, 550.54.15';
const GPU1 = '1, GPU-a1b2c3d4-0000-4111-8222-333344445555, 90, 40, 3000, 81559, NVIDIA H100 80GB HBM3, 550.54.15';
const MIB = 1024 * 1024;

test('parseGpuLine reads a device line, memory in bytes, and leaves out what nvidia-smi cannot read', () => {
  assert.deepEqual(parseGpuLine(GPU0), {
    index: 0, uuid: 'GPU-5e2a0f3c-1b7d-4c2e-9a61-0d3f8e7b6a21', utilPercent: 37, memUtilPercent: 12, memUsedBytes: 5000 * MIB, memTotalBytes: 81559 * MIB, name: 'NVIDIA H100 80GB HBM3', driverVersion: '550.54.15',
  });
  const na = parseGpuLine('3, MIG-7a0c1b2d-aaaa-bbbb-cccc-1234567890ab, [N/A], [Not Supported], 120, 9984, NVIDIA A100-SXM4-40GB MIG 1g.5gb, 535.104.05')!;
  assert.equal(na.utilPercent, undefined);
  assert.equal(na.memUtilPercent, undefined);
  assert.equal(na.memUsedBytes, 120 * MIB);
  assert.equal(parseGpuLine(GPU_HEADER), null);
  assert.equal(parseGpuLine('No devices were found'), null);
});

test('parseGpuLine takes a decimal comma as a decimal mark', () => {
  assert.equal(parseGpuLine('0, GPU-1, 37,5, 12, 5000, 81559, X, 1')?.utilPercent, 37.5);
});

test('parseAppLine reads pid, device and memory; rejects headers and junk', () => {
  assert.deepEqual(parseAppLine('4242, GPU-5e2a0f3c-1b7d-4c2e-9a61-0d3f8e7b6a21, 1024'), { pid: 4242, gpuUuid: 'GPU-5e2a0f3c-1b7d-4c2e-9a61-0d3f8e7b6a21', usedBytes: 1024 * MIB });
  assert.deepEqual(parseAppLine('4242, GPU-1, [N/A]'), { pid: 4242, gpuUuid: 'GPU-1' });
  assert.equal(parseAppLine('pid, gpu_uuid, used_memory [MiB]'), null);
  assert.equal(parseAppLine('No running processes found'), null);
  assert.ok(isHeaderLine('pid, gpu_uuid, used_memory [MiB]') && isHeaderLine(GPU_HEADER) && !isHeaderLine(GPU0));
});

test('problemOf names each bad answer: no devices, version mismatch, header only, a failing exit; null for a device list', () => {
  assert.equal(problemOf(`${GPU0}\n${GPU1}\n`, 0), null);
  assert.match(problemOf('No devices were found\n', 6)!, /no NVIDIA device/);
  assert.match(problemOf('Failed to initialize NVML: Driver/library version mismatch\nNVML library version: 550.54\n', 18)!, /Driver\/library version mismatch.*reboot/);
  assert.match(problemOf(`${GPU_HEADER}\n`, 0)!, /listed no GPU/);
  assert.match(problemOf('', 0)!, /listed no GPU/);
  assert.match(problemOf('Segmentation fault\n', 139)!, /status 139: Segmentation fault/);
});

test('parseDeviceList: indices and uuids; all/unset mean no list, none means no device', () => {
  assert.deepEqual(parseDeviceList('0,2'), ['0', '2']);
  assert.deepEqual(parseDeviceList('GPU-5e2a0f3c-1b7d-4c2e-9a61-0d3f8e7b6a21'), ['GPU-5e2a0f3c-1b7d-4c2e-9a61-0d3f8e7b6a21']);
  assert.equal(parseDeviceList(undefined), null);
  assert.equal(parseDeviceList('all'), null);
  assert.deepEqual(parseDeviceList('none'), []);
});

test('SnapshotSplitter: a header starts a snapshot, a chunk may split a line, the latest whole one is kept', () => {
  const s = new SnapshotSplitter(parseAppLine, null, appKey);
  s.push('pid, gpu_uuid, used_memory [MiB]\n10, GPU-a, 100\n11, GPU-a, 2');
  assert.equal(s.latest(), null, 'not whole before the next header');
  s.push('00\npid, gpu_uuid, used_memory [MiB]\n');
  assert.deepEqual(s.latest()?.map((r) => [r.pid, r.usedBytes]), [[10, 100 * MIB], [11, 200 * MIB]]);
  s.push('pid, gpu_uuid, used_memory [MiB]\n');
  assert.deepEqual(s.latest(), [], 'a loop with no compute process is an empty snapshot');
  const g = new SnapshotSplitter(parseGpuLine, 2, gpuKey);
  g.push(`${GPU0}\n${GPU1}\n`);
  assert.equal(g.latest()?.length, 2, 'the device query is whole once every device is in');
});

test('SnapshotSplitter without headers between loops: a row whose key is already in the snapshot starts the next', () => {
  const s = new SnapshotSplitter(parseAppLine, null, appKey);
  s.push('10, GPU-a, 100\n11, GPU-a, 200\n10, GPU-a, 150\n');
  assert.deepEqual(s.latest()?.map((r) => r.pid), [10, 11]);
  s.push('11, GPU-a, 250\n10, GPU-a, 160\n');
  assert.deepEqual(s.latest()?.map((r) => [r.pid, r.usedBytes]), [[10, 150 * MIB], [11, 250 * MIB]]);
});

test('streamArgs: one looping query each, with the CSV header that marks each loop', () => {
  assert.deepEqual(streamArgs('compute-apps', 500), ['--query-compute-apps=pid,gpu_uuid,used_memory', '--format=csv,nounits', '-lms', '500']);
  assert.equal(streamArgs('gpu', 1000)[0], '--query-gpu=index,uuid,utilization.gpu,utilization.memory,memory.used,memory.total,name,driver_version');
});

const gpus = [parseGpuLine(GPU0)!, parseGpuLine(GPU1)!];
const apps = [parseAppLine('4242, GPU-5e2a0f3c-1b7d-4c2e-9a61-0d3f8e7b6a21, 1024')!, parseAppLine('4243, GPU-5e2a0f3c-1b7d-4c2e-9a61-0d3f8e7b6a21, 512')!, parseAppLine('999999, GPU-a1b2c3d4-0000-4111-8222-333344445555, 2048')!];
const ALL = new Set(['gpu_mem', 'gpu_mem_total', 'gpu_util', 'gpu_mem_used', 'gpu_count']);

test('runDevices by pid: only the run\'s processes and the GPUs they use; a foreign process on another GPU is not the run\'s', () => {
  const d = runDevices(gpus, apps, [4242, 4243, 1], {});
  assert.equal(d.attribution, 'pid');
  const r = readingOf(d, ALL);
  assert.deepEqual([...r.perPid], [[4242, { gpu_mem: 1024 * MIB }], [4243, { gpu_mem: 512 * MIB }]]);
  assert.deepEqual(r.single, { gpu_mem_total: 1536 * MIB, gpu_count: 1, gpu_util: 37, gpu_mem_used: 5000 * MIB });
});

test('runDevices by device where no pid matches (container pid namespace): the first device variable set names the GPUs', () => {
  const d = runDevices(gpus, apps, [7], { SLURM_JOB_GPUS: '0', CUDA_VISIBLE_DEVICES: 'GPU-a1b2c3d4-0000-4111-8222-333344445555' });
  assert.equal(d.attribution, 'device:CUDA_VISIBLE_DEVICES');
  const r = readingOf(d, ALL);
  assert.equal(r.perPid.size, 0, 'no per-process figure without a pid match');
  assert.deepEqual(r.single, { gpu_count: 1, gpu_util: 90, gpu_mem_used: 3000 * MIB }, 'no gpu_mem_total either');
  const both = readingOf(runDevices(gpus, apps, [7], { SLURM_STEP_GPUS: '0,1' }), ALL);
  assert.deepEqual(both.single, { gpu_count: 2, gpu_util: (37 + 90) / 2, gpu_mem_used: 8000 * MIB });
  assert.deepEqual(readingOf(runDevices(gpus, [], [7], { SLURM_STEP_GPUS: '0,1' }), ALL).single, { gpu_count: 0 }, 'a named GPU where nothing computes is not used');
  assert.equal(runDevices(gpus, apps, [7], {}).attribution, null);
});

function fakeEnv(mode: string): () => void {
  const saved = process.env['FAKE_NVSMI_MODE'];
  process.env['FAKE_NVSMI_MODE'] = mode;
  return () => {
    if (saved === undefined) delete process.env['FAKE_NVSMI_MODE'];
    else process.env['FAKE_NVSMI_MODE'] = saved;
  };
}

test('available(): every bad state of nvidia-smi is a reason, never a throw or a hung child', () => {
  const { dir, cleanup } = tempDir();
  try {
    const dev = join(dir, 'nvidia0');
    writeFileSync(dev, '');
    const fake = join(FIXTURE_BIN, 'nvidia-smi');
    const reason = (mode: string, extra: Partial<Parameters<typeof nvidiaCollector>[0]> = {}): string | null => {
      const restore = fakeEnv(mode);
      try {
        return nvidiaCollector({ command: fake, devicePaths: [dev], env: {}, probeTimeoutMs: 1500, ...extra }).available()['gpu_util']!;
      } finally {
        restore();
      }
    };
    assert.equal(reason('normal'), null);
    assert.match(reason('normal', { devicePaths: [join(dir, 'absent')] })!, /no NVIDIA GPU is visible/);
    assert.match(reason('normal', { command: join(dir, 'no-such-nvidia-smi') })!, /not on PATH/);
    assert.match(reason('nodev')!, /No devices were found/);
    assert.match(reason('mismatch')!, /version mismatch/);
    assert.match(reason('header-only')!, /listed no GPU/);
    const t0 = Date.now();
    assert.match(reason('hang')!, /did not answer within 1.5 s/);
    assert.ok(Date.now() - t0 < 10_000, 'the probe is bounded');
  } finally {
    cleanup();
  }
});

test('a lost GPU ends the stream: collect() says why, close() reaps both children', async () => {
  const { dir, cleanup } = tempDir();
  const restore = fakeEnv('vanish');
  try {
    const dev = join(dir, 'nvidia0');
    writeFileSync(dev, '');
    const c = nvidiaCollector({ command: join(FIXTURE_BIN, 'nvidia-smi'), devicePaths: [dev], env: {} });
    assert.equal(c.available()['gpu_count'], null);
    c.open!(0.05);
    let error: Error | null = null;
    for (let i = 0; i < 100 && !error; i++) {
      await new Promise((r) => setTimeout(r, 50));
      await c.collect([1], ALL).catch((e: Error) => (error = e));
    }
    assert.match(String(error), /ended during the run.*GPU is lost/);
    await c.close!();
  } finally {
    restore();
    cleanup();
  }
});
