import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';
import si from 'systeminformation';
import type { MachineInfo } from './result.js';

/** The machine a result is measured on, from systeminformation (the same source as info.json's system block). */
export async function machineInfo(): Promise<MachineInfo> {
  const [cpu, mem, os] = await Promise.all([si.cpu(), si.mem(), si.osInfo()]);
  const cpuModel = [cpu.manufacturer, cpu.brand].filter(Boolean).join(' ') || 'unknown cpu';
  const memGiB = Math.round(mem.total / 2 ** 30);
  return {
    kind: `${cpuModel} x${cpu.cores}, ${memGiB} GiB, ${os.platform} ${os.arch}`,
    hostname: hostname(),
    cpu_model: cpuModel,
    logical_cores: cpu.cores,
    physical_cores: cpu.physicalCores,
    memory_bytes: mem.total,
    os: `${os.distro} ${os.release}`.trim(),
    kernel: os.kernel,
    node_version: process.version,
  };
}

/** The commit being measured, and whether the tree had uncommitted changes; "unknown" outside a git checkout. */
export function gitState(root: string): { commit: string; dirty: boolean } {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const status = execFileSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return { commit, dirty: status.trim() !== '' };
  } catch {
    return { commit: 'unknown', dirty: false }; // not a git checkout (e.g. an npm tarball): still benchmarkable
  }
}
