import { execFile, execFileSync } from 'node:child_process';
import { parsePsDuration } from './ps-time.js';
import { ELAPSED_FIELD, type Collector, type CollectorReading, type FieldAvailability, type PidFields } from './types.js';

/** Fields of the ps collector (all read by one ps call). */
export const PS_FIELDS = ['rss', 'vsz', 'pmem', 'cputime', 'etime', 'state', 'cmd'] as const;

/** Columns asked of ps, in order; `args` last because it holds spaces. Portable across procps and BSD ps. */
export const PS_COLUMNS = ['pid', 'rss', 'vsz', '%mem', 'time', 'etime', 'stat', 'args'] as const;

/** argv of the one ps call per sample. */
export function psArgv(pids: readonly number[]): string[] {
  return ['-ww', '-o', PS_COLUMNS.map((c) => `${c}=`).join(','), '-p', pids.join(',')];
}

/** Parse ps rows (no header) into readings: KiB → bytes, durations → seconds. */
export function parsePs(text: string): Map<number, PidFields> {
  const out = new Map<number, PidFields>();
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+)\s+(\S+)\s+(\S+)\s+(\S+)\s?(.*)$/.exec(line);
    if (!m) continue;
    const [, pid, rss, vsz, pmem, time, etime, stat, args] = m as unknown as string[];
    const elapsed = parsePsDuration(etime!);
    out.set(Number(pid), {
      rss: Number(rss) * 1024,
      vsz: Number(vsz) * 1024,
      pmem: Number(pmem),
      cputime: parsePsDuration(time!),
      etime: elapsed,
      [ELAPSED_FIELD]: elapsed,
      state: stat!,
      cmd: args!.trim(),
    });
  }
  return out;
}

/** Run `ps` once for these pids; exit status 1 with no rows just means none is alive. */
export function readPs(pids: readonly number[], psPath = 'ps'): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(psPath, psArgv(pids), { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => {
      if (err && !(typeof err.code === 'number' && err.code === 1)) reject(err);
      else resolve(stdout);
    });
  });
}

/** POSIX ps: one fork per sample, every ps field in that one call. */
export function psCollector(psPath = 'ps'): Collector {
  let availability: FieldAvailability | undefined;
  return {
    name: 'ps',
    available(): FieldAvailability {
      if (!availability) {
        let reason: string | null = null;
        try {
          const out = execFileSync(psPath, psArgv([process.pid]), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
          if (!parsePs(out).has(process.pid)) reason = `\`${psPath} ${psArgv([process.pid]).join(' ')}\` printed no row for duct itself`;
        } catch (e) {
          reason = `\`${psPath}\` cannot be run here (${(e as Error).message.split('\n')[0]})`;
        }
        availability = Object.fromEntries(PS_FIELDS.map((f) => [f, reason]));
      }
      return availability;
    },
    async collect(pids, fields): Promise<CollectorReading> {
      if (pids.length === 0) return { perPid: new Map(), single: {} };
      const all = parsePs(await readPs(pids, psPath));
      const perPid = new Map<number, PidFields>();
      for (const [pid, rec] of all) {
        const kept: PidFields = { [ELAPSED_FIELD]: rec[ELAPSED_FIELD]! };
        for (const f of fields) if (rec[f] !== undefined) kept[f] = rec[f];
        perPid.set(pid, kept);
      }
      return { perPid, single: {} };
    },
  };
}
