import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { discoverCgroup, readCgroupDiscoveryInput, type CgroupLayout } from '../collectors/cgroup-discovery.js';
import { cgroupCollector } from '../collectors/cgroup.js';
import { readAncestors, readCgroupProcs, readProcessLink, type ProcessLink } from '../collectors/cgroup-members.js';
import { drmCollector } from '../collectors/drm.js';
import { DEFAULT_DEVICE_PATHS, nvidiaCollector } from '../collectors/nvidia.js';
import { pidusageCollector } from '../collectors/pidusage.js';
import { procCollector } from '../collectors/proc.js';
import { ownSessionId, procSessionTree, psSessionTree, type ProcessTree, type SessionSpec } from '../collectors/process-tree.js';
import { psCollector } from '../collectors/ps.js';
import { rusageCollector } from '../collectors/rusage.js';
import { readSysConf } from '../collectors/sysconf.js';
import type { Collector, CollectorName } from '../collectors/types.js';
import { CATALOGUE } from './catalogue.js';
import type { KeyAvailability } from './selection.js';
import type { MeasurementRequest } from './types.js';

/** Everything the engine touches outside itself; tests replace any part (collectors, tree, clocks). */
export interface MeasurementEnvironment {
  collectors: Partial<Record<CollectorName, Collector>>;
  /** why a collector is absent here (e.g. no /proc). */
  missing: Partial<Record<CollectorName, string>>;
  /** the cgroup layout duct found (before isolation), or null where there are no cgroups. */
  cgroupLayout: CgroupLayout | null;
  /** the process-tree source of a run. */
  tree(rootPid: number, mode: MeasurementRequest['mode']): ProcessTree;
  /** monotonic seconds. */
  monotonic(): number;
  /** wall clock, for record timestamps. */
  now(): Date;
  /** how processes link up (absent in tests that replace the collectors): reader mode's cgroup membership check. */
  processLinks?: ProcessLinks;
}

/** duct's place among the machine's processes, read once before the run, and the reads membership needs. */
export interface ProcessLinks {
  ductPid: number;
  /** duct's ancestors at start, parent first. */
  ancestors: readonly number[];
  ownSession: number | null;
  readLink(pid: number): ProcessLink | null;
  readProcs(dir: string): number[] | null;
}

/** The environment of this machine: every collector that can exist here, the cgroup layout, the real clocks. */
export function machineEnvironment(procRoot = '/proc'): MeasurementEnvironment {
  const hasProc = existsSync(join(procRoot, 'self', 'stat'));
  const collectors: Partial<Record<CollectorName, Collector>> = {
    ps: psCollector(),
    pidusage: pidusageCollector(),
    // DUCT_NVIDIA_DEVICE_PATHS: where a GPU shows itself, for a site with other device nodes (and the tests' fake nvidia-smi)
    nvidia: nvidiaCollector({ env: process.env, devicePaths: process.env['DUCT_NVIDIA_DEVICE_PATHS']?.split(':').filter((p) => p !== '') ?? DEFAULT_DEVICE_PATHS }),
  };
  const missing: Partial<Record<CollectorName, string>> = {};
  let cgroupLayout: CgroupLayout | null = null;
  let processLinks: ProcessLinks | undefined;
  if (hasProc) {
    const ownSession = ownSessionId(procRoot);
    processLinks = {
      ductPid: process.pid,
      ancestors: readAncestors(process.pid, procRoot),
      ownSession,
      readLink: (pid) => readProcessLink(pid, procRoot),
      readProcs: readCgroupProcs,
    };
    const sysconf = readSysConf();
    collectors.proc = procCollector({ procRoot, ...sysconf });
    collectors.rusage = rusageCollector({ procRoot, clockTick: sysconf.clockTick });
    collectors.drm = drmCollector({ procRoot });
    cgroupLayout = discoverCgroup(readCgroupDiscoveryInput(procRoot));
    collectors.cgroup = cgroupCollector(cgroupLayout);
  } else {
    missing.proc = `${procRoot} is not a Linux procfs here`;
    missing.cgroup = 'cgroups are Linux-only and there is no /proc here';
    missing.rusage = `duct reads its reaped children's CPU from ${procRoot}/self/stat, and there is no Linux procfs here`;
    missing.drm = `the DRM usage stats are in ${procRoot}/<pid>/fdinfo, and there is no Linux procfs here`;
  }
  return {
    collectors,
    missing,
    cgroupLayout,
    processLinks,
    tree(rootPid, mode) {
      // current session: duct's ancestors share it (a SLURM step's slurmstepd, the batch shell) but are not the run
      const spec: SessionSpec =
        mode === 'new-session'
          ? { sessionId: rootPid, excludePids: [], helperParent: null, keepPid: rootPid }
          : { sessionId: processLinks?.ownSession ?? ownSessionId(procRoot) ?? process.pid, excludePids: [process.pid, ...(processLinks?.ancestors ?? [])], helperParent: process.pid, keepPid: rootPid };
      return hasProc ? procSessionTree(spec, procRoot) : psSessionTree(spec);
    },
    monotonic: () => performance.now() / 1000,
    now: () => new Date(),
  };
}

/** Per catalogue key: null when measurable here, else why not. */
export function keyAvailability(env: Pick<MeasurementEnvironment, 'collectors' | 'missing'>): KeyAvailability {
  const cache = new Map<CollectorName, Record<string, string | null>>();
  const out = new Map<string, string | null>();
  for (const m of CATALOGUE) {
    const c = env.collectors[m.collector];
    if (!c) {
      out.set(m.key, env.missing[m.collector] ?? `the ${m.collector} collector is not available here`);
      continue;
    }
    let avail = cache.get(m.collector);
    if (!avail) cache.set(m.collector, (avail = c.available()));
    // a count of pids needs only the collector itself: any of its fields answers
    const known = Object.values(avail);
    const reason = m.field in avail ? avail[m.field] : known.length ? known[0] : `${m.collector} has no field ${m.field}`;
    out.set(m.key, reason ?? null);
  }
  return out;
}

