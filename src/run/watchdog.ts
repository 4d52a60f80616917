import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Fixed script (never user text): wait until duct's end of the pipe closes,
 * which happens on any death of duct, SIGKILL included, then kill the command's
 * process group and remove the command's isolate cgroups (its further
 * arguments), retrying for 5 s while the killed processes leave them.
 * Signals from the terminal are ignored: duct forwards them.
 */
const SCRIPT = [
  'trap "" INT TERM HUP; read -r _; kill -s KILL -- "$1" 2>/dev/null; shift',
  'n=0; while [ $# -gt 0 ] && [ $n -lt 50 ]; do left=0',
  'for d in "$@"; do if [ -d "$d" ] && ! rmdir "$d" 2>/dev/null; then left=1; fi; done',
  '[ $left = 0 ] && break; n=$((n+1)); sleep 0.1; done',
].join('\n');

/** A watchdog that dies while duct runs is replaced this many times, then the run goes on without one. */
const MAX_RESTARTS = 3;

export interface WatchdogOptions {
  pid: number;
  /** kill the command's process group (new-session); else the command alone (current-session shares duct's group). */
  group: boolean;
  /** the command's isolate cgroup directories, removed if duct dies. */
  cgroupDirs: readonly string[];
  /** a sentence for the user: the watchdog died, and what that means. */
  onDeath: (message: string) => void;
}

/**
 * Policy for a duct killed outright (SIGKILL, OOM killer): the command's whole
 * process group dies with it, so nothing is left orphaned reading the terminal,
 * and its isolate cgroups are removed. On a normal end, disarm() removes the
 * watchdog and the group is left alone. A watchdog that dies (killed by
 * someone) is noticed, said, and replaced.
 */
export class GroupWatchdog {
  private proc: ChildProcess;
  private armed = true;
  private restarts = 0;

  constructor(private readonly opts: WatchdogOptions) {
    this.proc = this.start();
  }

  private start(): ChildProcess {
    const target = this.opts.group ? `-${this.opts.pid}` : String(this.opts.pid);
    const proc = spawn('/bin/sh', ['-c', SCRIPT, 'duct-watchdog', target, ...this.opts.cgroupDirs], {
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    let started = true;
    proc.on('error', () => {
      started = false; // no /bin/sh: runs simply lose this protection
    });
    proc.stdin?.on('error', () => undefined);
    proc.once('exit', (code, signal) => {
      if (!this.armed || !started) return;
      const again = this.restarts++ < MAX_RESTARTS;
      this.opts.onDeath(
        `duct's watchdog (pid ${proc.pid}) ended (${signal ?? `exit status ${code}`}); ` +
          (again ? 'started another, so a duct killed outright still takes the command with it' : 'if duct is killed outright now, the command is left running'),
      );
      if (again) this.proc = this.start();
    });
    return proc;
  }

  disarm(): void {
    this.armed = false;
    this.proc.kill('SIGKILL');
    this.proc.stdin?.destroy();
  }
}
