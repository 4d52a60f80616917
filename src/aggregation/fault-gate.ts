import type { CollectorReading } from '../collectors/types.js';

/** The raw per-pid field that says a process may have grown: minflt + majflt from /proc/<pid>/stat. */
export const FAULTS_FIELD = 'faults';

/**
 * Which pids need their kernel high-water mark (VmHWM) read again. RSS, hence
 * VmHWM, rises only through page faults the process takes, so a pid whose
 * fault count has not moved since its last read still has the same VmHWM; the
 * per-sample stat read already gives the count, and status (which costs more
 * than stat to generate) is read only for new pids and pids that faulted.
 * Kernel-side growth without a fault of the process (khugepaged collapsing a
 * huge page, another process's UFFDIO_COPY) is not seen until the next
 * report, where the engine reads every live pid anyway.
 */
export class FaultGate {
  /** fault count at each pid's last VmHWM read, and the call that last saw it; pids gone from a sample are forgotten (a reused pid reads again). */
  private seen = new Map<number, { faults: number; call: number }>();
  private calls = 0;

  /**
   * `sharing`: the stream reads PSS/USS, which also move without a fault of the process
   * itself when the tree changes (a fork shares its parent's pages; an exit leaves its
   * share to the others): a sample where a pid came or went re-reads every live pid.
   */
  constructor(private readonly sharing = false) {}

  /** The pids of this sample's reading to re-read: new, faulted, or with no count to compare (all, without a reading). */
  due(pids: readonly number[], reading: CollectorReading | undefined): number[] {
    const out: number[] = [];
    if (!reading) {
      out.push(...pids);
      return out;
    }
    const call = ++this.calls;
    let kept = 0;
    let arrived = false;
    for (const pid of pids) {
      const rec = reading.perPid.get(pid);
      if (!rec) continue; // exited between the listing and the read
      const faults = rec[FAULTS_FIELD];
      if (typeof faults !== 'number') {
        out.push(pid);
        continue;
      }
      // the count at stat time: a fault between stat and status is then seen again next sample (a spare read, never a miss)
      const last = this.seen.get(pid);
      if (!last || last.faults !== faults) out.push(pid);
      if (last) {
        last.faults = faults;
        last.call = call;
      } else {
        this.seen.set(pid, { faults, call });
        arrived = true;
      }
      kept++;
    }
    const departed = this.seen.size > kept;
    // updated in place, not rebuilt: only pids not in this sample go
    if (departed) for (const [pid, e] of this.seen) if (e.call !== call) this.seen.delete(pid);
    if (this.sharing && (arrived || departed) && this.calls > 1) return pids.filter((p) => reading.perPid.has(p));
    return out;
  }

  /** Forget every count (a failed read): every pid is due next time. */
  reset(): void {
    this.seen = new Map();
  }
}
