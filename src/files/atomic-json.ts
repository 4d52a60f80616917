import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Write JSON by temp file + rename in the same directory, so a reader (or a
 * SIGKILL) only ever sees the previous complete version or the new one.
 * `durable: false` skips the fsync, for interim versions a later write replaces
 * (the rename still makes each one whole; only a power loss may lose it).
 */
export function writeJsonAtomic(path: string, value: unknown, mode = 0o644, durable = true): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, JSON.stringify(value, null, 2) + '\n');
    if (durable) fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, path);
}
