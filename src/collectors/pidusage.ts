import type pidusage from 'pidusage';
import { ELAPSED_FIELD, type Collector, type CollectorReading, type FieldAvailability, type PidFields } from './types.js';

export const PIDUSAGE_FIELDS = ['rss', 'cputime'] as const;

/** One pidusage answer in our units: its raw ctime (ms) → seconds, memory → rss bytes. Its own `cpu` is not used. */
export function fromPidusageStat(s: pidusage.Status): PidFields {
  return { rss: s.memory, cputime: s.ctime / 1000, [ELAPSED_FIELD]: s.elapsed / 1000 };
}

/** The portable collector (any OS the pidusage package supports). */
export function pidusageCollector(): Collector {
  return {
    name: 'pidusage',
    available(): FieldAvailability {
      const ok = ['linux', 'darwin', 'freebsd', 'openbsd', 'netbsd', 'sunos', 'aix', 'win32'].includes(process.platform);
      const reason = ok ? null : `the pidusage package does not support ${process.platform}`;
      return { rss: reason, cputime: reason };
    },
    async collect(pids, fields): Promise<CollectorReading> {
      const perPid = new Map<number, PidFields>();
      if (pids.length === 0) return { perPid, single: {} };
      let stats: Record<string, pidusage.Status | undefined>;
      try {
        // loaded on first use: most runs never select a pidusage key, and `duct run` should not pay for it
        const { default: usage } = await import('pidusage');
        stats = await usage([...pids]);
      } catch (e) {
        // with one pid, a pid that exited is an error rather than a missing entry
        if (pids.length === 1) return { perPid, single: {} };
        throw e;
      }
      for (const pid of pids) {
        const s = stats[String(pid)];
        if (!s) continue;
        const all = fromPidusageStat(s);
        const rec: PidFields = { [ELAPSED_FIELD]: all[ELAPSED_FIELD]! };
        for (const f of fields) if (all[f] !== undefined) rec[f] = all[f];
        perPid.set(pid, rec);
      }
      return { perPid, single: {} };
    },
  };
}
