import { readBootId } from '../files/boot-id.js';
import { constants, hostname } from 'node:os';
import type { RunSummary } from '../files/run-reader.js';

/**
 * How a listed run ended, as a person reads it: the exit status a shell would
 * report (128 + signal), and `killed` for a run whose duct died without writing its end.
 */

/** The exit status: the command's, or 128 + the number of the signal that killed it (143 for SIGTERM). */
export function exitCodeOf(run: Pick<RunSummary, 'summary'>): number | null {
  const code = run.summary['exit_code'];
  if (typeof code === 'number') return code;
  const signal = run.summary['signal'];
  if (typeof signal === 'string') {
    const n = (constants.signals as Record<string, number | undefined>)[signal];
    if (n !== undefined) return 128 + n;
  }
  const duct = run.summary['duct_exit_code'];
  return typeof duct === 'number' ? duct : null;
}

let thisBoot: string | null | undefined;
/** This machine's boot id, read once per process. */
function currentBootId(): string | null {
  if (thisBoot === undefined) thisBoot = readBootId();
  return thisBoot;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * `running` while its duct may still be writing; `killed` when info.json says running but
 * the duct that wrote it is gone from this host since this boot (SIGKILL, the OOM killer).
 * A run from another host or boot, or without those facts, stays as recorded.
 */
export function statusOf(run: Pick<RunSummary, 'summary'>): string | null {
  const status = run.summary['status'];
  if (status !== 'running') return typeof status === 'string' ? status : null;
  const pid = run.summary['duct_pid'];
  const boot = run.summary['boot_id'];
  if (typeof pid !== 'number' || typeof boot !== 'string' || run.summary['hostname'] !== hostname()) return status;
  if (boot !== currentBootId()) return status;
  return alive(pid) ? status : 'killed';
}
