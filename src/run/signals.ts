import { constants } from 'node:os';

export type ForwardedSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

export interface ForwarderOptions {
  pid: number;
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
 */
export class SignalForwarder {
  private sigints = 0;
  private graceTimer: NodeJS.Timeout | null = null;
  private readonly handlers = new Map<ForwardedSignal, () => void>();
  /** true once duct had to SIGKILL the command. */
  forcefullyTerminated = false;

  constructor(private readonly opts: ForwarderOptions) {}

  install(): void {
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      const h = () => this.onSignal(sig);
      this.handlers.set(sig, h);
      process.on(sig, h);
    }
  }

  uninstall(): void {
    for (const [sig, h] of this.handlers) process.off(sig, h);
    this.handlers.clear();
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
  }

  private onSignal(sig: ForwardedSignal): void {
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
    this.forcefullyTerminated = true;
    this.send('SIGKILL');
  }

  private send(sig: ForwardedSignal | 'SIGKILL'): void {
    try {
      process.kill(this.opts.group ? -this.opts.pid : this.opts.pid, constants.signals[sig]);
    } catch {
      // ESRCH: it has already exited; the exit handler finishes the run
    }
  }
}
