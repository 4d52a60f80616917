import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { arch, cpus, hostname, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';

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

/** One DRM card's sysfs answers (/sys/class/drm/cardN/device/...). */
export interface DrmCard {
  vendorId: string;
  deviceId: string;
  busAddress: string | null;
  /** amdgpu's mem_info_vram_total, bytes. */
  vramBytes: number | null;
}

/**
 * What the system block is made of: what the kernel and the os module already
 * know, read as files (no process is spawned, nothing is probed). A seam for
 * tests on recorded machines. A null text is a file that is not there.
 */
export interface SystemSources {
  hostname: string;
  platform: string;
  kernel: string;
  arch: string;
  memoryTotalBytes: number;
  /** os.cpus(): the logical count, and a model and speed where /proc/cpuinfo has none. */
  osCpus: Array<{ model: string; speed: number }>;
  cpuinfo: string | null;
  /** cpufreq's cpuinfo_max_freq of cpu0, kHz. */
  cpuMaxKhz: string | null;
  osRelease: string | null;
  /** a VM or container marker seen (/.dockerenv, /run/.containerenv, a DMI vendor). */
  containerOrVmMarker: boolean;
  /** /proc/driver/nvidia/gpus/<bus>/information, one text per GPU. */
  nvidiaGpus: string[];
  /** /proc/driver/nvidia/version. */
  nvidiaVersion: string | null;
  drmCards: DrmCard[];
  /** PCI vendor and device names by id (from pci.ids), for DRM cards. */
  pciName(vendorId: string, deviceId: string | null): string | null;
}

const NVIDIA_PCI_VENDOR = '10de';

/** `key: value` lines (cpuinfo, nvidia's information) of one block. */
function colonFields(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const at = line.indexOf(':');
    if (at > 0) out.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  return out;
}

/** /etc/os-release's KEY=value lines, quotes removed. */
export function parseOsRelease(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out.set(m[1]!, m[2]!.replace(/^(["'])(.*)\1$/, '$2'));
  }
  return out;
}

/** Per-processor blocks of /proc/cpuinfo. */
function cpuinfoBlocks(text: string): Array<Map<string, string>> {
  return text.split(/\n\s*\n/).filter((b) => b.trim() !== '').map(colonFields);
}

function cpuOf(s: SystemSources): SystemBlock['cpu'] {
  const blocks = s.cpuinfo ? cpuinfoBlocks(s.cpuinfo) : [];
  const processors = blocks.filter((b) => b.has('processor'));
  const first = processors[0] ?? blocks[0];
  const logical = processors.length || s.osCpus.length || 1;
  // distinct (package, core) pairs; where cpuinfo does not say (many ARM kernels), one core per logical CPU
  const cores = new Set(processors.filter((b) => b.has('core id')).map((b) => `${b.get('physical id') ?? '0'}:${b.get('core id')}`));
  const model = first?.get('model name') || first?.get('Hardware') || s.osCpus[0]?.model?.trim() || 'unknown';
  const cpu: SystemBlock['cpu'] = { model, logical_cores: logical, physical_cores: cores.size || logical };
  const khz = Number(s.cpuMaxKhz?.trim());
  const nominal = /@\s*([\d.]+)\s*GHz/i.exec(model);
  const ghz = Number.isFinite(khz) && khz > 0 ? khz / 1e6 : nominal ? Number(nominal[1]) : 0;
  if (ghz > 0) cpu.speed_ghz = Math.round(ghz * 100) / 100;
  return cpu;
}

function virtualOf(s: SystemSources): boolean | undefined {
  if (s.containerOrVmMarker) return true;
  if (s.cpuinfo === null) return undefined;
  // the kernel sets the CPU flag `hypervisor` when it runs under one
  return /^flags\s*:.*\bhypervisor\b/m.test(s.cpuinfo);
}

function gpusOf(s: SystemSources): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  const driver = s.nvidiaVersion ? /Kernel Module(?:\s+for\s+\S+)?\s+([\d.]+)/.exec(s.nvidiaVersion)?.[1] : undefined;
  const nvidiaBuses = new Set<string>();
  for (const text of s.nvidiaGpus) {
    const f = colonFields(text);
    const gpu: GpuInfo = { vendor: 'NVIDIA Corporation', model: f.get('Model') ?? '', memory_total_bytes: null };
    const bus = f.get('Bus Location');
    if (bus) {
      gpu.bus_address = bus;
      nvidiaBuses.add(bus.toLowerCase());
    }
    if (driver) gpu.driver_version = driver;
    gpus.push(gpu);
  }
  for (const card of s.drmCards) {
    const bus = card.busAddress?.toLowerCase() ?? null;
    // one GPU seen by both the NVIDIA driver and DRM is listed once, with the driver's answer
    if (bus && [...nvidiaBuses].some((b) => b.endsWith(bus) || bus.endsWith(b))) continue;
    if (card.vendorId === NVIDIA_PCI_VENDOR && s.nvidiaGpus.length > 0 && !bus) continue;
    const gpu: GpuInfo = {
      vendor: s.pciName(card.vendorId, null) ?? `PCI vendor 0x${card.vendorId}`,
      model: s.pciName(card.vendorId, card.deviceId) ?? `PCI device 0x${card.deviceId}`,
      memory_total_bytes: card.vramBytes,
    };
    if (card.busAddress) gpu.bus_address = card.busAddress;
    gpus.push(gpu);
  }
  return gpus;
}

/** The system block from its sources: bytes for sizes, GPUs only where there are any. */
export function toSystemBlock(s: SystemSources): SystemBlock {
  const osRelease = parseOsRelease(s.osRelease ?? '');
  const block: SystemBlock = {
    hostname: s.hostname,
    cpu: cpuOf(s),
    memory_total_bytes: s.memoryTotalBytes,
    os: {
      platform: s.platform,
      distro: osRelease.get('NAME') ?? osRelease.get('ID') ?? '',
      release: osRelease.get('VERSION_ID') ?? osRelease.get('VERSION') ?? '',
      kernel: s.kernel,
      arch: s.arch,
    },
  };
  const virtual = virtualOf(s);
  if (virtual !== undefined) block.virtual = virtual;
  const gpus = gpusOf(s);
  if (gpus.length > 0) block.gpus = gpus;
  return block;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return null;
  }
}

function listDir(path: string): string[] {
  try {
    return readdirSync(path).sort();
  } catch {
    return [];
  }
}

/** DMI vendors and products that name a hypervisor (readable without root, unlike dmidecode). */
const VM_DMI = /\b(QEMU|KVM|VMware|VirtualBox|innotek|Xen|Bochs|Virtual Machine|Amazon EC2|Google Compute Engine|OpenStack|Parallels)\b/i;

function drmCards(root: string): DrmCard[] {
  const dir = join(root, 'sys', 'class', 'drm');
  const out: DrmCard[] = [];
  for (const name of listDir(dir)) {
    if (!/^card\d+$/.test(name)) continue; // cardN-DP-1 and the like are connectors
    const dev = join(dir, name, 'device');
    const vendor = readText(join(dev, 'vendor'))?.trim().replace(/^0x/, '').toLowerCase();
    const device = readText(join(dev, 'device'))?.trim().replace(/^0x/, '').toLowerCase();
    if (!vendor || !device) continue;
    const slot = /^PCI_SLOT_NAME=(.+)$/m.exec(readText(join(dev, 'uevent')) ?? '')?.[1]?.trim() ?? null;
    const vram = Number(readText(join(dev, 'mem_info_vram_total'))?.trim());
    out.push({ vendorId: vendor, deviceId: device, busAddress: slot, vramBytes: Number.isSafeInteger(vram) && vram > 0 ? vram : null });
  }
  return out;
}

/** Names from the PCI id database, read only when a DRM card needs one. */
function pciNames(root: string): SystemSources['pciName'] {
  let text: string | null | undefined;
  return (vendorId, deviceId) => {
    if (text === undefined) {
      text = null;
      for (const p of ['usr/share/misc/pci.ids', 'usr/share/hwdata/pci.ids', 'usr/share/pci.ids']) if ((text = readText(join(root, p))) !== null) break;
    }
    if (text === null) return null;
    const v = new RegExp(`^${vendorId}  (.+)$`, 'm').exec(text);
    if (!v) return null;
    if (deviceId === null) return v[1]!.trim();
    // device lines follow their vendor, indented by one tab, until the next vendor line
    const rest = text.slice(v.index + v[0].length);
    const end = rest.search(/^[0-9a-f]{4} /m);
    const d = new RegExp(`^\\t${deviceId}  (.+)$`, 'm').exec(end < 0 ? rest : rest.slice(0, end));
    return d ? d[1]!.trim() : null;
  };
}

/** Read this machine's sources under `root` (a recorded tree in tests): files only, no process spawned. */
export function readSystemSources(root = '/'): SystemSources {
  const nvidiaDir = join(root, 'proc', 'driver', 'nvidia', 'gpus');
  const dmi = ['sys_vendor', 'product_name'].map((f) => readText(join(root, 'sys', 'class', 'dmi', 'id', f)) ?? '').join(' ');
  return {
    hostname: hostname(),
    platform: platform(),
    kernel: release(),
    arch: arch(),
    memoryTotalBytes: totalmem(),
    osCpus: cpus().map((c) => ({ model: c.model, speed: c.speed })),
    cpuinfo: readText(join(root, 'proc', 'cpuinfo')),
    cpuMaxKhz: readText(join(root, 'sys', 'devices', 'system', 'cpu', 'cpu0', 'cpufreq', 'cpuinfo_max_freq')),
    osRelease: readText(join(root, 'etc', 'os-release')) ?? readText(join(root, 'usr', 'lib', 'os-release')),
    containerOrVmMarker: existsSync(join(root, '.dockerenv')) || existsSync(join(root, 'run', '.containerenv')) || VM_DMI.test(dmi),
    nvidiaGpus: listDir(nvidiaDir).map((bus) => readText(join(nvidiaDir, bus, 'information'))).filter((t): t is string => t !== null),
    nvidiaVersion: readText(join(root, 'proc', 'driver', 'nvidia', 'version')),
    drmCards: drmCards(root),
    pciName: pciNames(root),
  };
}

/**
 * The machine, for info.json's `system`, from cheap sources only (a millisecond of
 * file reads, nothing spawned, so a run never waits on it); never throws: on
 * failure the answer is `{unavailable: reason, hostname}`.
 */
export function systemInfo(read: () => SystemSources = readSystemSources): Record<string, unknown> {
  try {
    return { ...toSystemBlock(read()) };
  } catch (err) {
    return { unavailable: `system information unavailable: ${(err as Error).message}`, hostname: hostname() };
  }
}
