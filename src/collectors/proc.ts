import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { parseProcStat, parseUptime } from './proc-stat.js';
import { parseProcStatus, parseSmapsRollup } from './proc-status.js';
import { parseCmdline, parseProcIo } from './proc-io.js';
import { readSmallFile } from './read-small-file.js';
import { ELAPSED_FIELD, type Collector, type CollectorReading, type FieldAvailability, type PidFields } from './types.js';

/** Fields of the proc collector, each in its declared unit. */
export const PROC_FIELDS = ['rss', 'pss', 'uss', 'hwm', 'cputime', 'io_read', 'io_write', 'cmd', 'state', 'faults', 'session'] as const;

/** Fields parsed from /proc/<pid>/stat (cmd too: its fallback is the stat's comm). */
const STAT_FIELDS: readonly string[] = ['rss', 'cputime', 'state', 'faults', 'session', 'cmd'];

export interface ProcConfig {
  /** where procfs is mounted ('/proc'; a fixture tree in tests). */
  procRoot: string;
  /** sysconf(_SC_CLK_TCK): the unit of utime/stime/starttime. */
  clockTick: number;
  pageSize: number;
}

/**
 * Reads /proc directly (Linux): no fork per sample. stat gives CPU time, state,
 * RSS, age and page faults (`faults`: minflt + majflt, no key of its own; the
 * engine re-reads VmHWM when they move); status is read only for VmHWM,
 * smaps_rollup only for PSS/USS (its cost grows with the process's mappings),
 * io only for io bytes.
 */
export function procCollector(cfg: ProcConfig): Collector {
  const { procRoot, clockTick, pageSize } = cfg;
  return {
    name: 'proc',
    available(): FieldAvailability {
      const can = (file: string, why: string): string | null => {
        try {
          accessSync(join(procRoot, 'self', file), constants.R_OK);
          return readSmallFile(join(procRoot, 'self', file)) === null ? why : null;
        } catch {
          return why;
        }
      };
      const base = can('stat', `${procRoot}/self/stat is not readable (no Linux procfs here)`);
      const status = base ?? can('status', `${procRoot}/self/status is not readable`);
      const smaps = base ?? can('smaps_rollup', `${procRoot}/self/smaps_rollup is missing (needs Linux 4.14 or newer)`);
      const io = base ?? can('io', `${procRoot}/self/io is not readable (kernel built without task I/O accounting)`);
      return { rss: base, cputime: base, state: base, cmd: base, faults: base, session: base, hwm: status, pss: smaps, uss: smaps, io_read: io, io_write: io };
    },
    collect(pids, fields, files): Promise<CollectorReading> {
      const perPid = new Map<number, PidFields>();
      files?.pass();
      // stat and status are read every sample (status: for pids that faulted): through held descriptors where given
      const readEach = files ? (path: string): string | null => files.read(path) : readSmallFile;
      // stat tells which pids are alive and their age; a pass for VmHWM and PSS alone (the engine's
      // re-read of pids that faulted) skips it and takes a missing status or smaps_rollup as exited
      const wantStatus = fields.has('hwm');
      const wantSmaps = fields.has('pss') || fields.has('uss');
      const wantStat = STAT_FIELDS.some((f) => fields.has(f)) || !(wantStatus || wantSmaps);
      const uptimeText = wantStat ? readEach(`${procRoot}/uptime`) : null;
      const uptime = uptimeText === null ? null : parseUptime(uptimeText);
      const wantIo = fields.has('io_read') || fields.has('io_write');
      const wantCmd = fields.has('cmd');
      for (const pid of pids) {
        // plain concatenation: path.join's normalising is measurable at 50 pids × 1 Hz
        const dir = `${procRoot}/${pid}/`;
        const rec: PidFields = {};
        let comm = '';
        if (wantStat) {
          const statText = readEach(`${dir}stat`);
          if (statText === null) continue; // exited
          const st = parseProcStat(statText);
          comm = st.comm;
          if (uptime !== null) rec[ELAPSED_FIELD] = Math.max(0, uptime - st.starttimeTicks / clockTick);
          if (fields.has('cputime')) rec['cputime'] = (st.utimeTicks + st.stimeTicks) / clockTick;
          // a zombie has released its memory: its 0 is no reading of the command's
          if (fields.has('rss') && st.state !== 'Z') rec['rss'] = st.rssPages * pageSize;
          if (fields.has('state')) rec['state'] = st.state;
          if (fields.has('faults')) rec['faults'] = st.faults;
          if (fields.has('session')) rec['session'] = st.session;
        }
        if (wantStatus) {
          const t = readEach(`${dir}status`);
          if (t === null && !wantStat) continue; // exited (no stat read to tell)
          const s = t === null ? {} : parseProcStatus(t);
          if (s.hwmBytes !== undefined) rec['hwm'] = s.hwmBytes;
        }
        if (wantSmaps) {
          const t = readSmallFile(`${dir}smaps_rollup`);
          if (t === null && !wantStat && !wantStatus) continue; // exited (no stat read to tell)
          // kernel threads and zombies have an empty smaps_rollup
          if (t !== null && t.includes('Pss:')) {
            const s = parseSmapsRollup(t);
            if (fields.has('pss')) rec['pss'] = s.pssBytes;
            if (fields.has('uss')) rec['uss'] = s.ussBytes;
          }
        }
        if (wantIo) {
          const t = readSmallFile(`${dir}io`);
          if (t !== null && t.includes('read_bytes')) {
            const io = parseProcIo(t);
            if (fields.has('io_read')) rec['io_read'] = io.readBytes;
            if (fields.has('io_write')) rec['io_write'] = io.writeBytes;
          }
        }
        if (wantCmd) {
          const t = readSmallFile(`${dir}cmdline`);
          const cmd = t === null ? '' : parseCmdline(t);
          rec['cmd'] = cmd === '' ? `[${comm}]` : cmd;
        }
        perPid.set(pid, rec);
      }
      return Promise.resolve({ perPid, single: {} });
    },
  };
}
