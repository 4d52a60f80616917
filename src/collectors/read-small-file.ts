import { closeSync, openSync, readSync } from 'node:fs';

// One buffer reused by every read: /proc and cgroup files are read synchronously
// (an async fs call costs several times the CPU of the read itself).
let buf = Buffer.allocUnsafe(16384);

/**
 * Read a small pseudo-file (/proc, /sys/fs/cgroup) in one open/read/close,
 * growing the buffer only for the rare long file (a huge cmdline).
 * Returns null when the file is gone or not readable (a process that exited).
 */
export function readSmallFile(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null; // ENOENT/ESRCH/EACCES: the process exited or hides this file
  }
  try {
    let len = 0;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, len, buf.length - len, null);
      } catch {
        return null; // ESRCH: the process exited between open and read
      }
      if (n === 0) break;
      len += n;
      if (len === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, len);
        buf = bigger;
      }
    }
    return buf.toString('latin1', 0, len);
  } finally {
    closeSync(fd);
  }
}
