import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { GPU_QUERY_FIELDS, parseDeviceList, parseGpuLine, problemOf, type AppRow, type GpuRow } from './nvidia-smi-csv.js';
import { NvidiaSmiStream } from './nvidia-smi-stream.js';
import type { Collector, CollectorReading, PidFields } from './types.js';

/** The environment variables that name a run's devices, in the order they are believed (the first one set wins). */
export const DEVICE_VARIABLES = ['CUDA_VISIBLE_DEVICES', 'NVIDIA_VISIBLE_DEVICES', 'SLURM_STEP_GPUS', 'SLURM_JOB_GPUS'] as const;

/** Where an NVIDIA GPU shows itself without running anything: the driver's proc directory, the first device node. */
export const DEFAULT_DEVICE_PATHS = ['/proc/driver/nvidia/gpus', '/dev/nvidia0'];

export interface NvidiaOptions {
  /** the nvidia-smi to run (looked up on PATH). */
  command?: string;
  /** paths whose existence means a GPU is visible; none existing: nothing is spawned and the keys are unavailable. */
  devicePaths?: readonly string[];
  /** the run's environment, for the device attribution. */
  env: NodeJS.ProcessEnv;
  /** the availability probe's time limit. */
  probeTimeoutMs?: number;
}

export type Attribution = 'pid' | `device:${(typeof DEVICE_VARIABLES)[number]}`;

/** The devices a run's processes use in one snapshot, and how that was decided. */
export interface RunDevices {
  gpus: GpuRow[];
  /** per run pid: bytes of device memory over every GPU it holds (pid attribution only). */
  perPid: Map<number, number>;
  attribution: Attribution | null;
}

/**
 * The GPUs of the run in one snapshot: those where one of the run's pids computes; where
 * none does (a container's pid namespace: nvidia-smi reports host pids), those the first
 * set device variable names (by index or uuid) that hold a compute process.
 */
export function runDevices(gpus: readonly GpuRow[], apps: readonly AppRow[], pids: readonly number[], env: NodeJS.ProcessEnv): RunDevices {
  const pidSet = new Set(pids);
  const mine = apps.filter((a) => pidSet.has(a.pid));
  if (mine.length) {
    const perPid = new Map<number, number>();
    for (const a of mine) perPid.set(a.pid, (perPid.get(a.pid) ?? 0) + (a.usedBytes ?? 0));
    const uuids = new Set(mine.map((a) => a.gpuUuid));
    return { gpus: gpus.filter((g) => uuids.has(g.uuid)), perPid, attribution: 'pid' };
  }
  for (const name of DEVICE_VARIABLES) {
    const list = parseDeviceList(env[name]);
    if (list === null) continue;
    const busy = new Set(apps.map((a) => a.gpuUuid));
    const named = gpus.filter((g) => list.includes(String(g.index)) || list.includes(g.uuid));
    return { gpus: named.filter((g) => busy.has(g.uuid)), perPid: new Map(), attribution: `device:${name}` };
  }
  return { gpus: [], perPid: new Map(), attribution: null };
}

/** One reading of the run's GPUs from a snapshot (raw fields, bytes and percent). */
export function readingOf(devices: RunDevices, fields: ReadonlySet<string>): CollectorReading {
  const perPid = new Map<number, PidFields>();
  if (fields.has('gpu_mem')) for (const [pid, bytes] of devices.perPid) perPid.set(pid, { gpu_mem: bytes });
  const single: Record<string, number> = {};
  // a sum over the run's processes exists only where they were matched by pid
  if (fields.has('gpu_mem_total') && devices.attribution === 'pid') single['gpu_mem_total'] = [...devices.perPid.values()].reduce((a, b) => a + b, 0);
  if (fields.has('gpu_count')) single['gpu_count'] = devices.gpus.length;
  const utils = devices.gpus.map((g) => g.utilPercent).filter((u): u is number => u !== undefined);
  if (fields.has('gpu_util') && utils.length) single['gpu_util'] = utils.reduce((a, b) => a + b, 0) / utils.length;
  const used = devices.gpus.map((g) => g.memUsedBytes).filter((u): u is number => u !== undefined);
  if (fields.has('gpu_mem_used') && used.length) single['gpu_mem_used'] = used.reduce((a, b) => a + b, 0);
  return { perPid, single };
}

const FIELDS = ['gpu_mem', 'gpu_mem_total', 'gpu_util', 'gpu_mem_used', 'gpu_count'];

/**
 * NVIDIA GPUs through nvidia-smi, no native addon: availability is one bounded
 * nvidia-smi call, made only where a GPU is visible (one existsSync otherwise); a run
 * reads the latest snapshot of two long-lived looping children (see NvidiaSmiStream).
 */
export function nvidiaCollector(opts: NvidiaOptions): Collector {
  const command = opts.command ?? 'nvidia-smi';
  const devicePaths = opts.devicePaths ?? DEFAULT_DEVICE_PATHS;
  let probed: { reason: string | null; gpus: GpuRow[] } | null = null;
  const probe = (): { reason: string | null; gpus: GpuRow[] } => {
    if (probed) return probed;
    if (!devicePaths.some((p) => existsSync(p))) {
      return (probed = { reason: `no NVIDIA GPU is visible here (none of ${devicePaths.join(', ')} exists)`, gpus: [] });
    }
    const timeoutMs = opts.probeTimeoutMs ?? 5000;
    const r = spawnSync(command, [`--query-gpu=${GPU_QUERY_FIELDS.join(',')}`, '--format=csv,noheader,nounits'], { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.error) {
      const code = (r.error as NodeJS.ErrnoException).code;
      const reason = code === 'ENOENT' ? `${command} is not on PATH (it comes with the NVIDIA driver)` : code === 'ETIMEDOUT' ? `${command} did not answer within ${timeoutMs / 1000} s` : `${command} could not be run: ${r.error.message}`;
      return (probed = { reason, gpus: [] });
    }
    const text = `${r.stdout}\n${r.stderr}`;
    const reason = problemOf(text, r.status);
    return (probed = { reason, gpus: reason ? [] : r.stdout.split('\n').map(parseGpuLine).filter((g) => g !== null) });
  };
  let stream: NvidiaSmiStream | null = null;
  // provenance only (which attribution the readings used), not measurement state
  const attributions = new Set<Attribution>();
  return {
    name: 'nvidia',
    available: () => {
      const { reason } = probe();
      return Object.fromEntries(FIELDS.map((f) => [f, reason]));
    },
    open(sampleIntervalSeconds) {
      const found = probe();
      if (found.reason || stream) return;
      stream = new NvidiaSmiStream(command, found.gpus.length || null);
      stream.start(sampleIntervalSeconds * 1000);
    },
    close: async () => {
      await stream?.stop();
    },
    collect(pids, fields): Promise<CollectorReading> {
      const gpus = stream?.gpus.latest();
      const apps = stream?.apps.latest();
      const problem = stream?.problem();
      // a stream that ended (a GPU lost) has only stale snapshots: nothing more is the run's
      if (problem) return Promise.reject(new Error(problem));
      if (!gpus || !apps) return Promise.resolve({ perPid: new Map(), single: {} });
      const devices = runDevices(gpus, apps, pids, opts.env);
      if (devices.attribution) attributions.add(devices.attribution);
      return Promise.resolve(readingOf(devices, fields));
    },
    provenance: () => ({
      collector: 'nvidia-smi',
      attribution: [...attributions],
      gpus: probe().gpus.map((g) => ({ index: g.index, uuid: g.uuid, name: g.name ?? null, memory_total_bytes: g.memTotalBytes ?? null, driver_version: g.driverVersion ?? null })),
    }),
  };
}
