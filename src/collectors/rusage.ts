import { join } from 'node:path';
import { readSmallFile } from './read-small-file.js';
import type { Collector, CollectorReading } from './types.js';

/**
 * cutime + cstime of one /proc/<pid>/stat line (fields 16 and 17, counted from the
 * last ')' since the command name may hold spaces): the CPU, in clock ticks, of the
 * children that process has waited for and of their own waited-for descendants.
 */
export function parseChildrenTicks(text: string): number {
  const close = text.lastIndexOf(')');
  if (close < 0) throw new Error(`not a /proc/<pid>/stat line: ${JSON.stringify(text.slice(0, 80))}`);
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is the state (field 3): cutime is field 16, cstime field 17
  const cutime = Number(fields[13]);
  const cstime = Number(fields[14]);
  if (!Number.isFinite(cutime) || !Number.isFinite(cstime) || fields[13] === '' || fields[14] === '') {
    throw new Error(`/proc/<pid>/stat has no cutime/cstime fields: ${JSON.stringify(text.slice(0, 80))}`);
  }
  return cutime + cstime;
}

/**
 * duct's own RUSAGE_CHILDREN: the CPU seconds of every child it has reaped. Read
 * before the command starts and once it has been reaped, the difference is the
 * command's tree as the kernel counted it, including CPU burnt after the last sample.
 */
export function rusageCollector(opts: { procRoot: string; clockTick: number }): Collector {
  const path = join(opts.procRoot, 'self', 'stat');
  const read = (): number | null => {
    const text = readSmallFile(path);
    return text === null ? null : parseChildrenTicks(text) / opts.clockTick;
  };
  let reason: string | null = null;
  try {
    if (read() === null) reason = `${path} is not readable`;
  } catch (e) {
    reason = `${path}: ${(e as Error).message}`;
  }
  return {
    name: 'rusage',
    available: () => ({ children_cpu: reason }),
    collect(_pids, fields): Promise<CollectorReading> {
      const single: Record<string, number> = {};
      if (fields.has('children_cpu')) {
        const v = read();
        if (v !== null) single['children_cpu'] = v;
      }
      return Promise.resolve({ perPid: new Map(), single });
    },
  };
}
