import { dirname, join } from 'node:path';
import { readSmallFile } from './read-small-file.js';

/** One line of /proc/self/mountinfo that mounts a cgroup hierarchy. */
export interface CgroupMount {
  version: 'v1' | 'v2';
  /** the mount's root within its hierarchy (not '/' inside some containers). */
  root: string;
  mountpoint: string;
  /** v1: the controllers of this hierarchy (e.g. ['cpu', 'cpuacct']); v2: []. */
  controllers: string[];
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** The cgroup mounts in /proc/self/mountinfo text. */
export function parseMountinfo(text: string): CgroupMount[] {
  const out: CgroupMount[] = [];
  for (const line of text.split('\n')) {
    const parts = line.split(' ');
    const sep = parts.indexOf('-');
    if (sep < 6) continue;
    const fstype = parts[sep + 1];
    if (fstype !== 'cgroup' && fstype !== 'cgroup2') continue;
    const root = unescapeMountField(parts[3] ?? '/');
    const mountpoint = unescapeMountField(parts[4] ?? '');
    if (fstype === 'cgroup2') {
      out.push({ version: 'v2', root, mountpoint, controllers: [] });
    } else {
      const superOpts = (parts[sep + 3] ?? '').split(',');
      const known = ['cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'net_cls', 'blkio', 'perf_event', 'net_prio', 'hugetlb', 'pids', 'rdma', 'misc'];
      const controllers = superOpts.filter((o) => known.includes(o) || o.startsWith('name='));
      out.push({ version: 'v1', root, mountpoint, controllers });
    }
  }
  return out;
}

/** One line of /proc/self/cgroup: `hierarchy-id:controllers:path`; v2 is `0::/path`. */
export interface ProcCgroupLine {
  hierarchy: number;
  controllers: string[];
  path: string;
}

export function parseProcCgroup(text: string): ProcCgroupLine[] {
  const out: ProcCgroupLine[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    out.push({ hierarchy: Number(m[1]), controllers: m[2] === '' ? [] : m[2]!.split(','), path: m[3]! });
  }
  return out;
}

/** Where one controller's cgroup is. */
export interface CgroupLocation {
  version: 'v1' | 'v2';
  /** cgroup path as /proc/self/cgroup names it. */
  path: string;
  /** the directory holding its files (under sysRoot). */
  dir: string;
  /** the directory of the mount (under sysRoot), for creating siblings and walking up. */
  mountDir: string;
  /** the hierarchy's root group: its counters are the whole machine's. */
  isRoot?: boolean;
}

/** The cgroup facts duct needs, chosen once; the collector never branches on the version again. */
export interface CgroupLayout {
  version: 'v1' | 'v2' | 'hybrid' | 'none';
  memory: CgroupLocation | null;
  cpu: CgroupLocation | null;
  /** the SLURM job-level memory cgroup (`.../job_<id>`) above `memory`, when there is one. */
  jobMemory: CgroupLocation | null;
  /** why there is no memory cgroup, when there is none. */
  memoryReason: string | null;
  cpuReason: string | null;
}

export interface CgroupDiscoveryInput {
  /** text of /proc/self/mountinfo. */
  mountinfo: string;
  /** text of /proc/self/cgroup. */
  procSelfCgroup: string;
  /** prefix for every mountpoint ('' on a real machine; a fixture directory in tests). */
  sysRoot: string;
}

function locate(mount: CgroupMount, path: string, sysRoot: string): CgroupLocation {
  // inside a cgroup namespace the path is already relative to the mount's root
  const rel = mount.root !== '/' && (path === mount.root || path.startsWith(`${mount.root}/`)) ? path.slice(mount.root.length) : path;
  const mountDir = join(sysRoot, mount.mountpoint);
  const dir = join(mountDir, rel);
  // v2: only non-root groups have cgroup.type; v1: the hierarchy's own root, not a container's
  const isRoot = mount.version === 'v2' ? readSmallFile(join(dir, 'cgroup.type')) === null && path === '/' : path === '/' && mount.root === '/';
  return { version: mount.version, path, dir, mountDir, isRoot };
}

/** The SLURM job ancestor of a cgroup path (v1 `/slurm/uid_U/job_J/step_S/task_T`, v2 `.../job_J/step_S/...`). */
export function slurmJobPath(path: string): string | null {
  const parts = path.split('/');
  const i = parts.findIndex((p) => /^job_\d+$/.test(p));
  return i < 0 ? null : parts.slice(0, i + 1).join('/');
}

/** Find duct's memory and CPU cgroups from the mount table and /proc/self/cgroup (v1, v2 or hybrid). */
export function discoverCgroup(input: CgroupDiscoveryInput): CgroupLayout {
  const mounts = parseMountinfo(input.mountinfo);
  const lines = parseProcCgroup(input.procSelfCgroup);
  const v1 = mounts.filter((m) => m.version === 'v1' && m.controllers.some((c) => !c.startsWith('name=')));
  const v2 = mounts.find((m) => m.version === 'v2');
  const version = v1.length > 0 && v2 ? 'hybrid' : v1.length > 0 ? 'v1' : v2 ? 'v2' : 'none';

  const v1Location = (controller: string): CgroupLocation | null => {
    const mount = v1.find((m) => m.controllers.includes(controller));
    const line = lines.find((l) => l.hierarchy !== 0 && l.controllers.includes(controller));
    return mount && line ? locate(mount, line.path, input.sysRoot) : null;
  };
  const unifiedLine = lines.find((l) => l.hierarchy === 0 && l.controllers.length === 0);
  const v2Location = v2 && unifiedLine ? locate(v2, unifiedLine.path, input.sysRoot) : null;
  const v2Has = (controller: string): boolean => {
    if (!v2Location) return false;
    const text = readSmallFile(join(v2Location.dir, 'cgroup.controllers'));
    return text !== null && text.trim().split(/\s+/).includes(controller);
  };

  let memory = v1Location('memory');
  let memoryReason: string | null = null;
  if (!memory) {
    if (v2Has('memory')) memory = v2Location;
    else if (version === 'none') memoryReason = 'no cgroup filesystem is mounted (/proc/self/mountinfo lists none)';
    else
      memoryReason = `no readable memory cgroup: the v1 memory controller is not mounted and ${
        v2Location ? `the cgroup v2 group ${v2Location.path} does not have the memory controller enabled` : 'there is no cgroup v2 group'
      }`;
  }
  let cpu = v1Location('cpuacct');
  let cpuReason: string | null = null;
  if (!cpu) {
    // cpu.stat's usage_usec is kept for every v2 group, with or without the cpu controller
    if (v2Location) cpu = v2Location;
    else cpuReason = version === 'none' ? 'no cgroup filesystem is mounted' : 'no cpuacct (v1) or cgroup v2 group for duct';
  }
  let jobMemory: CgroupLocation | null = null;
  if (memory) {
    const job = slurmJobPath(memory.path);
    if (job !== null) {
      let dir = memory.dir;
      for (let up = memory.path.split('/').length - job.split('/').length; up > 0; up--) dir = dirname(dir);
      jobMemory = { version: memory.version, path: job, dir, mountDir: memory.mountDir };
    }
  }
  return { version, memory, cpu, jobMemory, memoryReason, cpuReason };
}

/** Read the two texts discovery needs from this machine. */
export function readCgroupDiscoveryInput(procRoot = '/proc'): CgroupDiscoveryInput {
  return {
    mountinfo: readSmallFile(join(procRoot, 'self', 'mountinfo')) ?? '',
    procSelfCgroup: readSmallFile(join(procRoot, 'self', 'cgroup')) ?? '',
    sysRoot: '',
  };
}
