import { mkdirSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CgroupLayout, CgroupLocation } from './cgroup-discovery.js';
import { pidAlive } from './pid-alive.js';
import { readSmallFile } from './read-small-file.js';

/** A child cgroup made for the command alone (`--cgroup isolate`). */
export interface IsolateCgroup {
  /** the layout with memory/cpu pointing at the new child groups. */
  layout: CgroupLayout;
  /** the cgroup.procs files the command must enter before it executes. */
  procsFiles: string[];
  /** directories created, deepest last. */
  dirs: string[];
}

/**
 * The fixed wrapper that moves the command into the isolate cgroup before it
 * executes: the script is a constant, the cgroup.procs paths and the command
 * are its arguments, never interpolated into it.
 */
export function isolateArgvPrefix(procsFiles: readonly string[]): string[] {
  if (procsFiles.length === 1) return ['/bin/sh', '-c', 'echo $$ > "$0" && exec "$@"', procsFiles[0]!];
  if (procsFiles.length === 2) return ['/bin/sh', '-c', 'echo $$ > "$0" && echo $$ > "$1" && shift && exec "$@"', procsFiles[0]!, procsFiles[1]!];
  throw new Error(`an isolate cgroup has 1 or 2 cgroup.procs files, not ${procsFiles.length}`);
}

function child(loc: CgroupLocation, name: string): CgroupLocation {
  return { version: loc.version, path: `${loc.path.replace(/\/$/, '')}/${name}`, dir: join(loc.dir, name), mountDir: loc.mountDir, isRoot: false };
}

/**
 * Create `name` under duct's own memory (and v1 cpuacct) cgroup, with a memory
 * limit when one is given (set before the command enters). Throws an Error
 * whose message says why it cannot (no permission, v2 controller not delegated).
 */
export function createIsolateCgroup(layout: CgroupLayout, name: string, memoryLimitBytes: number | null = null): IsolateCgroup {
  if (!layout.memory) throw new Error(layout.memoryReason ?? 'no memory cgroup to create a child in');
  const targets: CgroupLocation[] = [layout.memory];
  if (layout.cpu && layout.cpu.dir !== layout.memory.dir && layout.cpu.version === 'v1') targets.push(layout.cpu);
  const dirs: string[] = [];
  try {
    for (const parent of targets) {
      removeStaleGroups(parent.dir);
      const dir = join(parent.dir, name);
      try {
        mkdirSync(dir);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new Error(
          `cannot create the cgroup ${dir} (${code ?? (e as Error).message})${code === 'EACCES' || code === 'EROFS' || code === 'EPERM' ? ': --cgroup isolate needs root or a delegated cgroup v2 subtree' : ''}`,
        );
      }
      dirs.push(dir);
    }
    const memChild = child(layout.memory, name);
    if (memChild.version === 'v2') {
      const controllers = readSmallFile(join(memChild.dir, 'cgroup.controllers')) ?? '';
      if (!controllers.split(/\s+/).includes('memory')) {
        // v2: the memory controller must be enabled in the parent's subtree_control,
        // which the kernel refuses while the parent itself holds processes (duct does)
        try {
          writeFileSync(join(layout.memory.dir, 'cgroup.subtree_control'), '+memory');
        } catch (e) {
          throw new Error(
            `cannot enable the memory controller for ${memChild.dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): duct's cgroup ${layout.memory.path} holds processes or does not delegate memory`,
          );
        }
      }
    }
    if (memoryLimitBytes !== null) {
      const file = join(memChild.dir, memChild.version === 'v2' ? 'memory.max' : 'memory.limit_in_bytes');
      try {
        writeFileSync(file, String(memoryLimitBytes));
      } catch (e) {
        throw new Error(`cannot set the memory limit in ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
    }
    const cpuChild = layout.cpu ? (layout.cpu.dir === layout.memory.dir ? memChild : layout.cpu.version === 'v1' ? child(layout.cpu, name) : layout.cpu) : null;
    const procsFiles = [memChild, ...(cpuChild && cpuChild !== memChild && cpuChild.version === 'v1' ? [cpuChild] : [])].map((l) => join(l.dir, 'cgroup.procs'));
    return {
      layout: { ...layout, memory: memChild, cpu: cpuChild },
      procsFiles,
      dirs,
    };
  } catch (e) {
    removeCgroupDirs(dirs);
    throw e;
  }
}

/** The isolate group names duct makes: duct-<pid of the duct that made it>-<time, base 36>. */
const GROUP_NAME = /^duct-(\d+)-[0-9a-z]+$/;

/**
 * Remove the isolate groups a killed duct left under `parentDir` (its watchdog
 * died with it, or could not finish): groups whose duct is gone and that hold
 * no process (rmdir refuses one that does, and that one is left alone).
 * Returns the directories removed.
 */
export function removeStaleGroups(parentDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(parentDir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const n of names) {
    const owner = GROUP_NAME.exec(n)?.[1];
    if (owner === undefined || pidAlive(Number(owner))) continue;
    try {
      rmdirSync(join(parentDir, n));
      removed.push(join(parentDir, n));
    } catch {
      // still holds processes, or not ours to remove
    }
  }
  return removed;
}

/**
 * Remove the isolate groups: processes still in them (survivors left running)
 * move to the parent first. Returns problems as sentences (empty when clean).
 */
export function removeCgroupDirs(dirs: readonly string[]): string[] {
  const problems: string[] = [];
  for (const dir of [...dirs].reverse()) {
    const procs = (readSmallFile(join(dir, 'cgroup.procs')) ?? '').split('\n').filter((l) => l.trim() !== '');
    for (const pid of procs) {
      try {
        writeFileSync(join(dirname(dir), 'cgroup.procs'), pid);
      } catch {
        // it exited meanwhile: nothing to move
      }
    }
    try {
      rmdirSync(dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') problems.push(`could not remove the isolate cgroup ${dir} (${code ?? (e as Error).message})`);
    }
  }
  return problems;
}
