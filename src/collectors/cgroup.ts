import { join } from 'node:path';
import type { CgroupLayout, CgroupLocation } from './cgroup-discovery.js';
import { parseCount, parseFlatKeyed, parseLimit } from './cgroup-files.js';
import { readSmallFile } from './read-small-file.js';
import type { Collector, CollectorReading, FieldAvailability } from './types.js';

export const CGROUP_FIELDS = ['mem_current', 'mem_peak', 'cpu_usage', 'oom_kills', 'job_mem_peak'] as const;
export type CgroupField = (typeof CGROUP_FIELDS)[number];

/** How one field is read: which file of which group, and how its text becomes the declared unit. */
interface FieldSource {
  file: string;
  parse(text: string): number;
}

const kernelKey = (key: string, file: string) => (text: string): number => {
  const v = parseFlatKeyed(text)[key];
  if (v === undefined) throw new Error(`${file} has no ${key} line`);
  return v;
};

/** The version-specific file behind each field, chosen once. */
function sourceFor(field: CgroupField, loc: CgroupLocation): FieldSource {
  const v2 = loc.version === 'v2';
  switch (field) {
    case 'mem_current':
      return { file: v2 ? 'memory.current' : 'memory.usage_in_bytes', parse: parseCount };
    case 'mem_peak':
    case 'job_mem_peak':
      return { file: v2 ? 'memory.peak' : 'memory.max_usage_in_bytes', parse: parseCount };
    case 'oom_kills':
      return v2 ? { file: 'memory.events', parse: kernelKey('oom_kill', 'memory.events') } : { file: 'memory.oom_control', parse: kernelKey('oom_kill', 'memory.oom_control') };
    case 'cpu_usage':
      return v2
        ? { file: 'cpu.stat', parse: (t) => kernelKey('usage_usec', 'cpu.stat')(t) / 1e6 }
        : { file: 'cpuacct.usage', parse: (t) => parseCount(t) / 1e9 };
  }
}

function locationOf(field: CgroupField, layout: CgroupLayout): CgroupLocation | null {
  if (field === 'cpu_usage') return layout.cpu;
  if (field === 'job_mem_peak') return layout.jobMemory;
  return layout.memory;
}

/** The memory limit of the group in bytes (null: unlimited or unknown). */
export function readMemoryLimit(layout: CgroupLayout): number | null {
  if (!layout.memory) return null;
  const text = readSmallFile(join(layout.memory.dir, layout.memory.version === 'v2' ? 'memory.max' : 'memory.limit_in_bytes'));
  try {
    return text === null ? null : parseLimit(text);
  } catch {
    return null;
  }
}

/** Reads the cgroup's own counters: one small file per field, nothing per pid. */
export function cgroupCollector(layout: CgroupLayout): Collector {
  const sources = new Map<CgroupField, { path: string; parse(text: string): number }>();
  const reasons: FieldAvailability = {};
  for (const field of CGROUP_FIELDS) {
    const loc = locationOf(field, layout);
    if (!loc) {
      reasons[field] =
        field === 'job_mem_peak'
          ? layout.memory
            ? `no SLURM job cgroup (a job_<id> ancestor) above ${layout.memory.path}`
            : (layout.memoryReason ?? 'no memory cgroup')
          : field === 'cpu_usage'
            ? (layout.cpuReason ?? 'no CPU accounting cgroup')
            : (layout.memoryReason ?? 'no memory cgroup');
      continue;
    }
    if (loc.isRoot) {
      reasons[field] = `duct runs in the root ${field === 'cpu_usage' ? 'CPU accounting' : 'memory'} cgroup (${loc.version}): its counters are the whole machine's; --cgroup isolate (as root) measures the command alone`;
      continue;
    }
    const src = sourceFor(field, loc);
    const path = join(loc.dir, src.file);
    const text = readSmallFile(path);
    let reason: string | null = null;
    if (text === null)
      reason =
        field === 'mem_peak' && loc.version === 'v2'
          ? `${path} is missing (memory.peak needs Linux 5.19 or newer; the root cgroup has none)`
          : `${path} is not readable`;
    else {
      try {
        src.parse(text);
      } catch (e) {
        reason = `${path}: ${(e as Error).message}`;
      }
    }
    reasons[field] = reason;
    if (reason === null) sources.set(field, { path, parse: src.parse });
  }
  return {
    name: 'cgroup',
    available: () => ({ ...reasons }),
    collect(_pids, fields, files): Promise<CollectorReading> {
      const single: Record<string, number> = {};
      for (const f of fields) {
        const src = sources.get(f as CgroupField);
        if (!src) continue;
        // read every sample: through a held descriptor where given (a pread instead of open, read, close)
        const text = files ? files.read(src.path) : readSmallFile(src.path);
        if (text !== null) single[f] = src.parse(text);
      }
      return Promise.resolve({ perPid: new Map(), single });
    },
  };
}
