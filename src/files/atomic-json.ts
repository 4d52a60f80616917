import { randomBytes } from 'node:crypto';
import { fsyncSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { closeQuietly, openNew, writeAll } from './write-all.js';

/**
 * Write text by temp file + rename in the same directory, so a reader (or a
 * SIGKILL) only ever sees the previous complete version or the new one. The
 * temp name is unpredictable and created O_EXCL|O_NOFOLLOW (a planted link is
 * never written through); rename replaces a link at `path` itself, never its
 * target. A failed write (a full disk) throws and leaves the previous file.
 * `durable: false` skips the fsync, for interim versions a later write replaces
 * (the rename still makes each one whole; only a power loss may lose it).
 * The temp name ends in `.tmp`, so it never matches a reader's `*.prom` or `*.json` glob.
 */
export function writeFileAtomic(path: string, text: string, mode = 0o644, durable = true): void {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(8).toString('hex')}.tmp`);
  const fd = openNew(tmp, mode);
  try {
    writeAll(fd, text);
    if (durable) fsyncSync(fd);
    closeQuietly(fd);
    renameSync(tmp, path);
  } catch (err) {
    closeQuietly(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** writeFileAtomic of a value as indented JSON. */
export function writeJsonAtomic(path: string, value: unknown, mode = 0o644, durable = true): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n', mode, durable);
}
