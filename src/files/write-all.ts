import { closeSync, constants as fsc, openSync, writeSync } from 'node:fs';

/**
 * write(2) may write fewer bytes than asked (a nearly full disk, a signal):
 * loop until every byte is written; a failing write throws (ENOSPC, EIO).
 */
export function writeAll(fd: number, data: Buffer | string): number {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
  return bytes.length;
}

/** Open flags for a file duct creates: never an existing file, never through a planted symlink. */
export const CREATE_NEW = fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW;

/** Create `path` (it must not exist, a dangling symlink included) and return its descriptor. */
export function openNew(path: string, mode = 0o644, append = false): number {
  return openSync(path, CREATE_NEW | (append ? fsc.O_APPEND : 0), mode);
}

/** Close, ignoring a descriptor already gone (the error path of a failed write). */
export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}
