import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const isRoot = process.getuid?.() === 0;
export const NEEDS_ROOT = 'needs root to mount a small tmpfs';
const PAGE = 4096;

/** Mount a tmpfs of `size` (mount's syntax: 256k, 1m) at dir/small; returns its path and the unmount. */
export function mountSmallFs(dir: string, size: string): { mnt: string; unmount: () => void } {
  const mnt = join(dir, 'small');
  mkdirSync(mnt);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mnt]);
  return { mnt, unmount: () => execFileSync('umount', ['-l', mnt]) };
}

/** Fill the filesystem of `dir` until a write fails, then give back `pagesFree` pages (tmpfs counts whole pages). */
export function fillLeaving(dir: string, pagesFree: number): void {
  const fd = openSync(join(dir, '.filler'), 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  let size = 0;
  try {
    for (;;) size += writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  }
  // a short write may have left a partial page: cut back to whole pages, then free the ones asked for
  ftruncateSync(fd, Math.max(0, Math.floor(size / PAGE) * PAGE - pagesFree * PAGE));
  closeSync(fd);
}
