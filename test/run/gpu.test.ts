import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inTempDir, pollUntil, runCli } from '../helpers/cli.js';
import { assertRunValid } from '../helpers/validate.js';

const MIB = 1024 * 1024;
const GPU_KEYS = ['nvidia_gpu_mem', 'nvidia_gpu_mem_total', 'nvidia_gpu_util', 'nvidia_gpu_mem_used', 'nvidia_gpu_count'];

/** The fake nvidia-smi (test/fixtures/bin, on PATH) with a visible "device" and the run's pids written by the command itself. */
function gpuEnv(dir: string, mode = 'normal', extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const dev = join(dir, 'nvidia0');
  writeFileSync(dev, '');
  return { DUCT_NVIDIA_DEVICE_PATHS: dev, FAKE_NVSMI_MODE: mode, FAKE_NVSMI_PID_FILE: join(dir, 'pids'), FAKE_NVSMI_LOG: join(dir, 'nvsmi.log'), CUDA_VISIBLE_DEVICES: undefined, NVIDIA_VISIBLE_DEVICES: undefined, SLURM_STEP_GPUS: undefined, SLURM_JOB_GPUS: undefined, ...extra };
}

/** The command: writes its own pid where the fake reads the run's pids, then sleeps (exec keeps the pid). */
const gpuJob = (dir: string, seconds: number): string[] => ['sh', '-c', `echo $$ > "$0"; exec sleep ${seconds}`, join(dir, 'pids')];

/** Every nvidia-smi the fake logged, as [pid, args]. */
function invocations(dir: string): Array<[number, string]> {
  const log = join(dir, 'nvsmi.log');
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8').trim().split('\n').map((l) => [Number(l.split(' ')[0]), l.slice(l.indexOf(' ') + 1)]);
}

const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
};

function usageRecords(dir: string): Array<{ measurements: Record<string, unknown> }> {
  return readFileSync(join(dir, 'r_usage.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

test('default on a machine with a GPU: the run\'s own pids on it, its GPU, two long-lived nvidia-smi children reaped at the end', () =>
  inTempDir(async (dir) => {
    const r = await runCli(['-p', 'r_', '--sample-interval', '0.1', '--report-interval', '0.5', ...gpuJob(dir, 1.5)], { cwd: dir, env: gpuEnv(dir) });
    assert.equal(r.code, 0, r.stderr);
    const pid = Number(readFileSync(join(dir, 'pids'), 'utf8'));
    const info = JSON.parse(readFileSync(join(dir, 'r_info.json'), 'utf8'));
    for (const k of GPU_KEYS) assert.ok(info.measurements.selected.includes(k), k);
    const s = info.execution_summary;
    assert.deepEqual(s.nvidia_gpu_mem, { unit: 'bytes', peak: 1024 * MIB });
    assert.equal(s.nvidia_gpu_mem_total.peak, 1024 * MIB);
    assert.equal(s.nvidia_gpu_util.peak, 37, 'GPU 0 only: the foreign process computes on GPU 1 (90%)');
    assert.ok(Math.abs(s.nvidia_gpu_util.mean - 37) < 1e-9, String(s.nvidia_gpu_util.mean));
    assert.equal(s.nvidia_gpu_mem_used.peak, 5000 * MIB);
    assert.equal(s.nvidia_gpu_count.peak, 1);
    const withGpu = usageRecords(dir).filter((u) => u.measurements['nvidia_gpu_mem']);
    assert.ok(withGpu.length > 0);
    for (const u of withGpu) assert.deepEqual(u.measurements['nvidia_gpu_mem'], { [String(pid)]: 1024 * MIB }, 'the foreign pid 999999 is never the run\'s');
    assert.deepEqual(info.measurements.gpu.attribution, ['pid']);
    assert.deepEqual(info.measurements.gpu.gpus.map((g: { uuid: string; memory_total_bytes: number; name: string; driver_version: string }) => [g.uuid, g.memory_total_bytes, g.name, g.driver_version]), [
      ['GPU-5e2a0f3c-1b7d-4c2e-9a61-0d3f8e7b6a21', 81559 * MIB, 'NVIDIA H100 80GB HBM3', '550.54.15'],
      ['GPU-a1b2c3d4-0000-4111-8222-333344445555', 81559 * MIB, 'NVIDIA H100 80GB HBM3', '550.54.15'],
    ]);
    const calls = invocations(dir);
    assert.equal(calls.filter(([, a]) => a.includes('-lms')).length, 2, `one streaming child per query, none per sample: ${JSON.stringify(calls)}`);
    assert.equal(calls.length, 3, 'plus the one availability probe');
    for (const [p] of calls) assert.ok(!alive(p), `nvidia-smi ${p} outlived duct`);
    assert.match(r.stderr, /GPU Memory Peak: 1\.00 GiB \(the run's processes, nvidia-smi\) of 79.65 GiB on 1 GPU\nGPU Utilization: 37.00% mean, 37.00% peak on 1 GPU\n/);
    await assertRunValid(join(dir, 'r_'));
    const ls = await runCli(['ls', dir, '-f', 'json', '-F', 'prefix,gpu_mem_peak,gpu_util_mean'], { cwd: dir });
    assert.equal(ls.code, 0, ls.stderr);
    const [row] = JSON.parse(ls.stdout) as Array<{ gpu_mem_peak: number; gpu_util_mean: number }>;
    assert.equal(row!.gpu_mem_peak, 1024 * MIB);
    assert.ok(Math.abs(row!.gpu_util_mean - 37) < 1e-9);
    const rec = await runCli(['recommend', dir], { cwd: dir });
    assert.equal(rec.code, 0, rec.stderr);
    assert.match(rec.stdout, /^#SBATCH .*--gres=gpu:1$/m);
    assert.match(rec.stdout, /GPU memory: peak nvidia_gpu_mem_total 1\.00 GiB of 79\.65 GiB per GPU \(1%\)/);
    const pp = await runCli(['pp', join(dir, 'r_info.json')], { cwd: dir });
    assert.match(pp.stdout, /nvidia_gpu_mem_used:\n\s+unit: bytes\n\s+peak: 4\.88 GiB/);
    assert.match(pp.stdout, /nvidia_gpu_util:\n\s+unit: percent\n\s+peak: 37\.00%/);
    const plot = await runCli(['plot', join(dir, 'r_info.json'), '-o', join(dir, 'p.html')], { cwd: dir });
    assert.equal(plot.code, 0, plot.stderr);
    const html = readFileSync(join(dir, 'p.html'), 'utf8');
    const spec = JSON.parse(/<script type="application\/json" id="duct-plot-spec">(.*?)<\/script>/s.exec(html)![1]!) as { datasets: { usage: Array<{ key: string; panel: string }> } };
    const panels = new Map(spec.datasets.usage.map((u) => [u.key, u.panel]));
    assert.equal(panels.get('nvidia_gpu_mem_used'), 'gpu_memory');
    assert.equal(panels.get('nvidia_gpu_util'), 'gpu');
  }));

test('pids not visible (a container\'s pid namespace): the GPUs CUDA_VISIBLE_DEVICES names are the run\'s, and info.json says so', () =>
  inTempDir(async (dir) => {
    const env = gpuEnv(dir, 'normal', { FAKE_NVSMI_PID_FILE: join(dir, 'no-pids'), CUDA_VISIBLE_DEVICES: '1' });
    const r = await runCli(['-p', 'r_', '--sample-interval', '0.1', '--report-interval', '0.5', '--measurements', 'gpu', ...gpuJob(dir, 1.2)], { cwd: dir, env });
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(readFileSync(join(dir, 'r_info.json'), 'utf8'));
    assert.deepEqual(info.measurements.gpu.attribution, ['device:CUDA_VISIBLE_DEVICES']);
    assert.equal(info.execution_summary.nvidia_gpu_util.peak, 90);
    assert.equal(info.execution_summary.nvidia_gpu_count.peak, 1);
    assert.equal(info.execution_summary.nvidia_gpu_mem, undefined, 'no per-process figure without a pid match');
    assert.equal(info.execution_summary.nvidia_gpu_mem_total, undefined);
    await assertRunValid(join(dir, 'r_'));
  }));

test('no GPU visible: default has no GPU key and runs no nvidia-smi at all; an explicit gpu key fails naming why', () =>
  inTempDir(async (dir) => {
    const env = { ...gpuEnv(dir), DUCT_NVIDIA_DEVICE_PATHS: join(dir, 'absent') };
    const r = await runCli(['-p', 'r_', '--sample-interval', '0.1', ...gpuJob(dir, 0.3)], { cwd: dir, env });
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(readFileSync(join(dir, 'r_info.json'), 'utf8'));
    assert.ok(!info.measurements.selected.some((k: string) => k.startsWith('nvidia_')));
    assert.match(info.measurements.unavailable.nvidia_gpu_util, /no NVIDIA GPU is visible/);
    assert.equal(info.measurements.gpu, undefined);
    assert.deepEqual(invocations(dir), [], 'nothing spawned');
    const x = await runCli(['-p', 'x_', '--measurements', 'nvidia_gpu_util', 'true'], { cwd: dir, env });
    assert.notEqual(x.code, 0);
    assert.match(x.stderr, /measurement 'nvidia_gpu_util' is not available here: no NVIDIA GPU is visible/);
  }));

for (const [mode, reason] of [['nodev', /No devices were found/], ['mismatch', /Driver\/library version mismatch/], ['header-only', /listed no GPU/]] as const) {
  test(`nvidia-smi answering ${mode}: default runs without GPU keys and records why; an nvidia key asked for fails with that reason`, () =>
    inTempDir(async (dir) => {
      const env = gpuEnv(dir, mode);
      const r = await runCli(['-p', 'r_', '--sample-interval', '0.1', ...gpuJob(dir, 0.3)], { cwd: dir, env });
      assert.equal(r.code, 0, r.stderr);
      const info = JSON.parse(readFileSync(join(dir, 'r_info.json'), 'utf8'));
      assert.ok(!info.measurements.selected.some((k: string) => k.startsWith('nvidia_')));
      assert.match(info.measurements.unavailable.nvidia_gpu_count, reason);
      assert.equal(invocations(dir).filter(([, a]) => a.includes('-lms')).length, 0);
      const x = await runCli(['-p', 'x_', '--measurements', 'nvidia_gpu_mem', 'true'], { cwd: dir, env });
      assert.notEqual(x.code, 0);
      assert.match(x.stderr, new RegExp(`measurement 'nvidia_gpu_mem' is not available here: .*${reason.source}`));
    }));
}

test('a GPU lost during the run: the run goes on, what was measured stays, the warning says why', () =>
  inTempDir(async (dir) => {
    const r = await runCli(['-p', 'r_', '--sample-interval', '0.1', '--report-interval', '0.2', '--measurements', 'gpu', ...gpuJob(dir, 2.5)], { cwd: dir, env: gpuEnv(dir, 'vanish') });
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(readFileSync(join(dir, 'r_info.json'), 'utf8'));
    assert.ok(info.warnings.some((w: string) => /the nvidia collector failed: nvidia-smi \(.*\) ended during the run .*GPU is lost/.test(w)), JSON.stringify(info.warnings));
    assert.equal(info.execution_summary.nvidia_gpu_mem.peak, 1024 * MIB, 'measured before the loss');
    await assertRunValid(join(dir, 'r_'));
  }));

/** duct on the GPU job, its streaming nvidia-smi children once both are up. */
async function startedWithStreams(dir: string): Promise<{ pending: Promise<unknown>; duct: ChildProcess; streams: number[] }> {
  let duct: ChildProcess | undefined;
  const pending = runCli(['-p', 'r_', '--fail-time', '0', '--sample-interval', '0.1', '--measurements', 'gpu', ...gpuJob(dir, 30)], { cwd: dir, env: gpuEnv(dir), onSpawn: (c) => (duct = c), timeoutMs: 30_000, validateOutputs: false });
  await pollUntil(() => invocations(dir).filter(([, a]) => a.includes('-lms')).length === 2, 10_000, 'both nvidia-smi streams');
  // duct's signal handling is in place once it has written info.json and the command runs
  await pollUntil(() => existsSync(join(dir, 'r_info.json')) && existsSync(join(dir, 'pids')), 10_000, 'the run to start');
  return { pending, duct: duct!, streams: invocations(dir).filter(([, a]) => a.includes('-lms')).map(([p]) => p) };
}

test('SIGTERM to duct: the command ends, duct writes its files, and both nvidia-smi children are reaped', () =>
  inTempDir(async (dir) => {
    const { pending, duct, streams } = await startedWithStreams(dir);
    for (const p of streams) assert.ok(alive(p));
    duct.kill('SIGTERM');
    const r = (await pending) as { code: number; stderr: string };
    assert.equal(r.code, 143, r.stderr);
    assert.ok(existsSync(join(dir, 'r_info.json')), `${readdirSync(dir).join(' ')}\n${r.stderr}`);
    for (const p of streams) assert.ok(!alive(p), `nvidia-smi ${p} outlived duct`);
    await assertRunValid(join(dir, 'r_'));
  }));

test('SIGKILL of duct: each nvidia-smi child dies at its next write into the closed pipe', () =>
  inTempDir(async (dir) => {
    const { pending, duct, streams } = await startedWithStreams(dir);
    duct.kill('SIGKILL');
    await pending;
    await pollUntil(() => streams.every((p) => !alive(p)), 5_000, 'the nvidia-smi children to die');
  }));
