import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Fixed script (never user text): wait until duct's end of the pipe closes,
 * which happens on any death of duct, SIGKILL included, then kill the command's
 * process group. Signals from the terminal are ignored: duct forwards them.
 */
const SCRIPT = 'trap "" INT TERM HUP; read -r _; kill -s KILL -- "$1" 2>/dev/null';

/**
 * Policy for a duct killed outright (SIGKILL, OOM killer): the command's whole
 * process group dies with it, so nothing is left orphaned reading the terminal.
 * On a normal end, disarm() removes the watchdog and the group is left alone.
 */
export class GroupWatchdog {
  private readonly proc: ChildProcess;

  /** `group`: kill the command's process group (new-session); else the command alone (current-session shares duct's group). */
  constructor(pid: number, group = true) {
    this.proc = spawn('/bin/sh', ['-c', SCRIPT, 'duct-watchdog', group ? `-${pid}` : String(pid)], {
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    this.proc.on('error', () => {
      // no /bin/sh: runs simply lose this protection
    });
    this.proc.stdin?.on('error', () => undefined);
  }

  disarm(): void {
    this.proc.kill('SIGKILL');
    this.proc.stdin?.destroy();
  }
}
