import { constants } from 'node:os';

export type ForwardedSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

export interface ForwarderOptions {
  /** new-session: signal the command's whole process group; current-session: the command alone. */
  group: boolean;
  /** ms after a forwarded SIGTERM/SIGHUP before SIGKILL. */
  killGraceMs: number;
  log: (level: 'info' | 'warning', msg: string) => void;
}

/**
 * Forwards SIGINT/SIGTERM/SIGHUP sent to duct to the command, as con-duct does
 * for SIGINT (1st and 2nd forwarded, 3rd kills) and con-duct does not for the
 * others: a forwarded SIGTERM/SIGHUP escalates to SIGKILL after a grace period.
 * The command spawned detached no longer gets the terminal's Ctrl-C, so this is mandatory.
 * Installed before the command is spawned and kept until duct's last write: a
 * signal that comes before the command exists is delivered when it does, and
 * one that comes after it exited (duct still draining and writing) goes to
 * what the command left in its group, never ending duct by the default action.
 */
export class SignalForwarder {
  private sigints = 0;
  private graceTimer: NodeJS.Timeout | null = null;
  private pid: number | null = null;
  /** signals due before the command was spawned. */
  private readonly queued: (ForwardedSignal | 'SIGKILL')[] = [];
  /** current-session mode after the command exited: its pid may be reused, so nothing is sent. */
  private exited = false;
  private commandDone = false;
  private retired = false;
  /** true once duct had to SIGKILL the command. */
  forcefullyTerminated = false;

  constructor(private readonly opts: ForwarderOptions) {}

  install(): void {
    // never removed: after retire() they ignore what comes, until the process exits
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => this.onSignal(sig));
  }

  /** The command now exists: deliver what came before. */
  attach(pid: number): void {
    this.pid = pid;
    for (const sig of this.queued.splice(0)) this.send(sig);
  }

  /** The command exited: in new-session mode its group may live on; in current-session mode there is nothing left to signal. */
  commandExited(): void {
    this.commandDone = true;
    this.exited = !this.opts.group;
  }

  /**
   * duct has written everything and is about to exit: a signal from now on is
   * ignored (duct ends with the command's status, never by the default action);
   * the handlers stay, and hold nothing open.
   */
  retire(): void {
    this.retired = true;
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
  }

  private onSignal(sig: ForwardedSignal): void {
    if (this.retired) return;
    if (sig === 'SIGINT') {
      this.sigints++;
      if (this.sigints <= 2) {
        this.opts.log('info', `received SIGINT${this.sigints === 2 ? ' again' : ''}, passing it to the command`);
        this.send('SIGINT');
      } else {
        this.opts.log('warning', 'received a third SIGINT, killing the command with SIGKILL');
        this.kill();
      }
      return;
    }
    this.opts.log('info', `received ${sig}, passing it to the command`);
    this.send(sig);
    this.graceTimer ??= setTimeout(() => {
      this.opts.log('warning', `the command is still running ${this.opts.killGraceMs / 1000} s after ${sig}, killing it with SIGKILL`);
      this.kill();
    }, this.opts.killGraceMs);
  }

  /** SIGKILL the command (its group in new-session mode) and record that it happened. */
  kill(): void {
    // what the command left behind may be killed after it exited; the command itself was not
    if (!this.commandDone) this.forcefullyTerminated = true;
    this.send('SIGKILL');
  }

  private send(sig: ForwardedSignal | 'SIGKILL'): void {
    if (this.pid === null) {
      this.queued.push(sig);
      return;
    }
    if (this.exited) return;
    try {
      process.kill(this.opts.group ? -this.pid : this.pid, constants.signals[sig]);
    } catch {
      // ESRCH: it has already exited; the exit handler finishes the run
    }
  }
}
