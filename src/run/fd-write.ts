import { fstatSync, writeSync } from 'node:fs';

/**
 * Write all of `chunk` from `from` on; returns how far it got before EAGAIN (a
 * non-blocking descriptor that is full). Other errors (EPIPE, EIO) throw.
 */
export function writeAll(fd: number, chunk: Buffer, from = 0): number {
  let at = from;
  while (at < chunk.length) {
    try {
      at += writeSync(fd, chunk, at, chunk.length - at);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return at;
      throw err;
    }
  }
  return at;
}

/** A descriptor whose writes block rather than fail with EAGAIN: a regular file or a character device (a terminal, /dev/null). */
export function blocksOnWrite(fd: number): boolean {
  try {
    const st = fstatSync(fd);
    return st.isFile() || st.isCharacterDevice();
  } catch {
    return false;
  }
}
