import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { drmUsageOf } from './drm-fdinfo.js';
import { readSmallFile } from './read-small-file.js';
import type { Collector, CollectorReading, PidFields } from './types.js';

/**
 * AMD and Intel GPUs (any driver printing DRM usage stats) without running anything:
 * each process's /proc/<pid>/fdinfo/* read each sample, its DRM clients' device memory
 * and engine time. A process with many fds costs more: only the gpu preset and explicit
 * keys take it.
 */
export function drmCollector(opts: { procRoot: string }): Collector {
  const reason = readdirOrNull(join(opts.procRoot, 'self', 'fdinfo')) === null ? `${opts.procRoot}/self/fdinfo is not readable here` : null;
  return {
    name: 'drm',
    available: () => ({ vram: reason, engine_ns: reason }),
    collect(pids, fields): Promise<CollectorReading> {
      const perPid = new Map<number, PidFields>();
      for (const pid of pids) {
        const dir = join(opts.procRoot, String(pid), 'fdinfo');
        const fds = readdirOrNull(dir);
        if (fds === null) continue;
        const texts: string[] = [];
        for (const fd of fds) {
          const t = readSmallFile(join(dir, fd));
          // cheap pre-filter: only a DRM client's fdinfo names a drm-driver
          if (t !== null && t.includes('drm-driver:')) texts.push(t);
        }
        const usage = drmUsageOf(texts);
        if (!usage) continue;
        const rec: PidFields = {};
        if (fields.has('vram')) rec['vram'] = usage.vramBytes;
        if (fields.has('engine_ns')) rec['engine_ns'] = usage.engineNs;
        perPid.set(pid, rec);
      }
      return Promise.resolve({ perPid, single: {} });
    },
  };
}

function readdirOrNull(dir: string): string[] | null {
  try {
    return readdirSync(dir);
  } catch {
    return null;
  }
}
