import { closeSync, openSync } from 'node:fs';
import { readSmallFile, readFromFd } from './read-small-file.js';

/**
 * Open descriptors of the /proc files read every sample, re-read in place
 * (pread at offset 0 makes the kernel generate the text afresh): saves the
 * open and close of each file, about half the cost of a stat read. A held
 * descriptor stays bound to its process, so once that process is reaped the
 * read fails (ESRCH) and the path is opened again — a reused pid is then the
 * new process, never the old one's text. The caller (the engine) owns one per
 * run and closes it; collectors only borrow it, so they keep no state.
 */
export class HeldFiles {
  private readonly fds = new Map<string, { fd: number; used: number }>();
  private calls = 0;

  /**
   * @param max descriptors held at most (beyond that, files are opened per read)
   * @param idleCalls a descriptor not read in this many passes is closed (its process left the run), at a sweep every idleCalls passes
   */
  constructor(
    private max = heldFilesBudget(readSmallFile('/proc/self/limits')),
    private readonly idleCalls = 10,
  ) {}

  /** Mark the start of one collect pass; closes descriptors idle for `idleCalls` passes. */
  pass(): void {
    this.calls++;
    if (this.calls % this.idleCalls !== 0) return;
    for (const [path, h] of this.fds) {
      if (this.calls - h.used >= this.idleCalls) {
        closeSync(h.fd);
        this.fds.delete(path);
      }
    }
  }

  /** The file's text now, or null when it is gone (the process exited). */
  read(path: string): string | null {
    const held = this.fds.get(path);
    if (held) {
      const text = readFromFd(held.fd, 0);
      if (text !== null) {
        held.used = this.calls;
        return text;
      }
      closeSync(held.fd);
      this.fds.delete(path);
    }
    if (this.fds.size >= this.max) return readSmallFile(path);
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EMFILE' && code !== 'ENFILE') return null;
      // out of descriptors: give back every held one, hold fewer from now on, and read by path
      this.max = Math.floor(this.fds.size / 2);
      this.close();
      return readSmallFile(path);
    }
    const text = readFromFd(fd, 0);
    if (text === null) {
      closeSync(fd);
      return null;
    }
    this.fds.set(path, { fd, used: this.calls });
    return text;
  }

  /** How many descriptors are held (for tests). */
  get size(): number {
    return this.fds.size;
  }

  close(): void {
    for (const { fd } of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }
}

/**
 * How many descriptors to hold given /proc/self/limits: a quarter of the soft
 * "Max open files" limit (the rest stays for duct's pipes, logs and outputs),
 * at most 4096; 256 when the limit is unknown.
 */
export function heldFilesBudget(limitsText: string | null): number {
  const m = limitsText === null ? null : /^Max open files\s+(\d+|unlimited)/m.exec(limitsText);
  if (!m) return 256;
  const soft = m[1] === 'unlimited' ? Infinity : Number(m[1]);
  return Math.min(4096, Math.floor(soft / 4));
}
