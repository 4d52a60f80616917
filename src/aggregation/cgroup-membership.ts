import type { ProcessLink } from '../collectors/cgroup-members.js';

/** What reader mode found about who else is in the cgroup duct runs in. */
export interface MembershipVerdict {
  membership: 'exclusive' | 'shared';
  /** distinct processes seen in the group that are neither duct, its ancestors at start, nor the run's tree. */
  foreign_processes: number;
  /** one of them, so a person can tell what shares the group. */
  foreign_example: { pid: number; comm: string } | null;
}

export interface MembershipOptions {
  ductPid: number;
  /** duct's ancestors when it started (a SLURM step's batch shell, a container's init): members that are allowed. */
  ancestors: readonly number[];
  /** the session whose members are the run (the command's in new-session mode, duct's in current-session mode). */
  runSession(): number;
  /** the groups to check (memory, and the cpu accounting one where it differs). */
  listMembers(): Array<number[] | null>;
  readLink(pid: number): ProcessLink | null;
}

/**
 * Proves (or refutes) that a reader-mode cgroup holds only the run: checked at start
 * and at every report. A process is the run's when it is duct, descends from duct, or
 * is a member of the run's session other than duct's ancestors; the ancestors that were
 * there before duct started are allowed; anything else makes the group shared.
 * Verdicts are cached per pid while it stays in the group, so a check reads only new pids.
 */
export class CgroupMembership {
  private readonly ancestors: ReadonlySet<number>;
  private readonly known = new Map<number, 'ours' | 'foreign'>();
  private readonly foreign = new Set<number>();
  private example: MembershipVerdict['foreign_example'] = null;

  constructor(private readonly opts: MembershipOptions) {
    this.ancestors = new Set(opts.ancestors);
  }

  /** Read the groups' members now and classify the new ones. */
  check(): MembershipVerdict {
    const present = new Set<number>();
    for (const members of this.opts.listMembers()) {
      if (!members) continue;
      for (const pid of members) {
        present.add(pid);
        if (this.ancestors.has(pid) || pid === this.opts.ductPid) continue;
        const kind = this.classify(pid, 0);
        if (kind === 'foreign' && !this.foreign.has(pid)) {
          this.foreign.add(pid);
          if (!this.example) this.example = { pid, comm: this.opts.readLink(pid)?.comm ?? '?' };
        }
      }
    }
    // a pid number that left the group may come back as another process
    for (const pid of this.known.keys()) if (!present.has(pid)) this.known.delete(pid);
    return this.verdict();
  }

  verdict(): MembershipVerdict {
    return { membership: this.foreign.size ? 'shared' : 'exclusive', foreign_processes: this.foreign.size, foreign_example: this.example };
  }

  /** ours: duct's descendant or a run-session member; gone processes count as neither (they cannot be told apart). */
  private classify(pid: number, depth: number): 'ours' | 'foreign' | 'gone' {
    if (pid === this.opts.ductPid) return 'ours';
    if (this.ancestors.has(pid) || pid <= 1 || depth > 4096) return 'foreign';
    const cached = this.known.get(pid);
    if (cached) return cached;
    const link = this.opts.readLink(pid);
    if (!link) return 'gone';
    let kind: 'ours' | 'foreign';
    if (link.session === this.opts.runSession() || link.ppid === this.opts.ductPid) kind = 'ours';
    else kind = this.classify(link.ppid, depth + 1) === 'ours' ? 'ours' : 'foreign';
    this.known.set(pid, kind);
    return kind;
  }
}
