import { hostname } from 'node:os';
import si from 'systeminformation';

/** The system block of info.json (schema/info.schema.json#/$defs/system). */
export interface SystemBlock {
  hostname: string;
  cpu: { model: string; logical_cores: number; physical_cores: number; speed_ghz?: number };
  memory_total_bytes: number;
  os: { platform: string; distro: string; release: string; kernel: string; arch: string };
  virtual?: boolean;
  gpus?: GpuInfo[];
  gpus_unavailable?: string;
}

export interface GpuInfo {
  vendor: string;
  model: string;
  memory_total_bytes: number | null;
  bus_address?: string;
  driver_version?: string;
}

/** What info.json holds in `system` before the gatherer has answered (it runs beside the command's start). */
export const SYSTEM_PENDING: Readonly<{ unavailable: string; hostname: string }> = Object.freeze({
  unavailable: 'not gathered yet: the run had just started',
  hostname: hostname(),
});

const MIB = 1024 * 1024;

/** systeminformation's raw answers, in the shape the mapping needs (a seam for tests on recorded answers). */
export interface SystemReadings {
  system: Pick<si.Systeminformation.SystemData, 'virtual'>;
  osInfo: Pick<si.Systeminformation.OsData, 'platform' | 'distro' | 'release' | 'kernel' | 'arch'>;
  cpu: Pick<si.Systeminformation.CpuData, 'manufacturer' | 'brand' | 'cores' | 'physicalCores' | 'speed'>;
  mem: Pick<si.Systeminformation.MemData, 'total'>;
  graphics: { controllers: Array<Partial<si.Systeminformation.GraphicsControllerData>> } | Error;
}

function gpuOf(c: Partial<si.Systeminformation.GraphicsControllerData>): GpuInfo {
  // vram and nvidia-smi's memoryTotal are MiB
  const mib = c.memoryTotal ?? c.vram ?? null;
  const gpu: GpuInfo = {
    vendor: c.vendor ?? '',
    model: c.model || c.name || '',
    memory_total_bytes: typeof mib === 'number' && mib > 0 ? Math.round(mib * MIB) : null,
  };
  const bus = c.busAddress || c.pciBus;
  if (bus) gpu.bus_address = bus;
  if (c.driverVersion) gpu.driver_version = c.driverVersion;
  return gpu;
}

/** Map systeminformation's answers to the system block: bytes for sizes, GPUs only where there are any. */
export function toSystemBlock(r: SystemReadings, host: string): SystemBlock {
  const block: SystemBlock = {
    hostname: host,
    cpu: {
      model: [r.cpu.manufacturer, r.cpu.brand].filter((s) => s && s.trim() !== '').join(' ') || 'unknown',
      logical_cores: r.cpu.cores,
      physical_cores: r.cpu.physicalCores,
    },
    memory_total_bytes: r.mem.total,
    os: { platform: r.osInfo.platform, distro: r.osInfo.distro, release: r.osInfo.release, kernel: r.osInfo.kernel, arch: r.osInfo.arch },
    virtual: r.system.virtual,
  };
  if (r.cpu.speed > 0) block.cpu.speed_ghz = r.cpu.speed;
  if (r.graphics instanceof Error) block.gpus_unavailable = r.graphics.message;
  else if (r.graphics.controllers.length > 0) block.gpus = r.graphics.controllers.map(gpuOf);
  return block;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    // not unref'd: the bound itself must keep the process alive, or a hung probe with no handle would end it unanswered
    const timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });
}

/**
 * The machine, for info.json's `system`: started beside the command's spawn so it never
 * delays it; never rejects. On failure or past `timeoutMs` the answer is
 * `{unavailable: reason, hostname}`; a slow or failing GPU probe alone only drops `gpus`.
 */
export async function gatherSystemInfo(
  timeoutMs: number,
  read: (timeoutMs: number) => Promise<SystemReadings> = readSystem,
): Promise<Record<string, unknown>> {
  const host = hostname();
  try {
    return { ...toSystemBlock(await withTimeout(read(timeoutMs), timeoutMs, 'gathering system information'), host) };
  } catch (err) {
    return { unavailable: `system information unavailable: ${(err as Error).message}`, hostname: host };
  }
}

async function readSystem(timeoutMs: number): Promise<SystemReadings> {
  // graphics shells out (lspci, nvidia-smi): its failure or slowness must not cost the rest
  const graphics = withTimeout(si.graphics(), Math.max(1, timeoutMs - 50), 'probing GPUs').catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
  const [system, osInfo, cpu, mem] = await Promise.all([si.system(), si.osInfo(), si.cpu(), si.mem()]);
  return { system, osInfo, cpu, mem, graphics: await graphics };
}
