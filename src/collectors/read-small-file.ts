import { closeSync, openSync, readSync } from 'node:fs';

// One buffer reused by every read: /proc and cgroup files are read synchronously
// (an async fs call costs several times the CPU of the read itself).
let buf = Buffer.allocUnsafe(16384);

/**
 * Read an open pseudo-file from `position` to its end (null: from the current
 * position, as a fresh descriptor is read); at offset 0 a /proc file is generated
 * anew, and a read that does not fill the buffer got all of it (a seq_file read
 * returns as much as is asked for until the text ends). Grows the buffer only for the rare long file (a huge cmdline). Returns
 * null when the read fails (ESRCH: the process exited) or reads nothing from a held descriptor.
 */
export function readFromFd(fd: number, position: number | null): string | null {
  let len = 0;
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buf, len, buf.length - len, position === null ? null : position + len);
    } catch {
      return null; // ESRCH: the process exited between open and read
    }
    if (n === 0) break;
    len += n;
    // a pread of a /proc file fills the buffer unless the text ended: a second call would only find the end
    if (position !== null && len < buf.length) break;
    if (len === buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, len);
      buf = bigger;
    }
  }
  // a /proc text is never empty while its process lives (an empty cmdline is read by path)
  if (len === 0 && position !== null) return null;
  return buf.toString('latin1', 0, len);
}

/**
 * Read a small pseudo-file (/proc, /sys/fs/cgroup) in one open/read/close.
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
    return readFromFd(fd, null);
  } finally {
    closeSync(fd);
  }
}
