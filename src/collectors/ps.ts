import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
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

/** Where `name` resolves on PATH as an executable file, or null (a stat per directory, no fork). */
export function findOnPath(name: string, path = process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'): string | null {
  const candidates = name.includes('/') ? [name] : path.split(delimiter).map((d) => join(d || '.', name));
  for (const c of candidates) {
    try {
      if (statSync(c).isFile()) {
        accessSync(c, constants.X_OK);
        return c;
      }
    } catch {
      // not here: the next directory
    }
  }
  return null;
}

/** POSIX ps: one fork per sample, every ps field in that one call. */
export function psCollector(psPath = 'ps'): Collector {
  let availability: FieldAvailability | undefined;
  let verified: string | null | undefined;
  return {
    name: 'ps',
    /** `ps` on PATH: listing what is measurable here costs no process. */
    available(): FieldAvailability {
      if (!availability) {
        const reason = findOnPath(psPath) === null ? `\`${psPath}\` cannot be run here (not found on PATH)` : null;
        availability = Object.fromEntries(PS_FIELDS.map((f) => [f, reason]));
      }
      return availability;
    },
    /** ps asked for duct itself, in the columns every sample asks: only when a ps key is selected. */
    verify(): string | null {
      if (verified === undefined) {
        verified = null;
        try {
          const out = execFileSync(psPath, psArgv([process.pid]), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
          if (!parsePs(out).has(process.pid)) verified = `\`${psPath} ${psArgv([process.pid]).join(' ')}\` printed no row for duct itself`;
        } catch (e) {
          verified = `\`${psPath}\` cannot be run here (${(e as Error).message.split('\n')[0]})`;
        }
      }
      return verified;
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
