import { randomBytes } from 'node:crypto';
import { closeSync, ftruncateSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { closeQuietly, openNew, writeAll } from './write-all.js';

/**
 * Room for a run's own records (usage lines, the final info.json) on a disk the
 * captured output fills: blocks held by an already unlinked file, so nothing is
 * left behind, whatever kills duct, and given back to the filesystem (ftruncate)
 * the first time a write meets a full disk.
 */
export class SpaceReserve {
  private fd: number | null = null;

  constructor(dir: string, bytes: number) {
    const path = join(dir, `.duct-reserve.${randomBytes(8).toString('hex')}`);
    let fd: number;
    try {
      fd = openNew(path, 0o600);
    } catch {
      return; // an unwritable directory fails later, with its own message
    }
    try {
      unlinkSync(path);
      writeAll(fd, Buffer.alloc(bytes));
      this.fd = fd;
    } catch {
      closeQuietly(fd); // the disk is full already: there is nothing to hold
      try {
        unlinkSync(path);
      } catch {
        // unlinked above
      }
    }
  }

  /** Give the held blocks back; true if there were any (a failed write is then worth one retry). */
  release(): boolean {
    if (this.fd === null) return false;
    try {
      ftruncateSync(this.fd, 0);
    } finally {
      closeSync(this.fd);
      this.fd = null;
    }
    return true;
  }
}

/** A write that failed because the filesystem (or the user's quota) is full. */
export function isNoSpace(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}
