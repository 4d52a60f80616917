import { closeSync, fstatSync, ftruncateSync } from 'node:fs';
import { openNew, writeAll } from './write-all.js';

/**
 * Appends one record per line on an O_APPEND descriptor. A line is written
 * whole or not at all: a write that fails part-way (a full disk) is cut back
 * to the previous line's end before the error is thrown, so only a crash
 * mid-write can leave a torn line, and only as the last one.
 */
export class JsonlWriter {
  private fd: number | null = null;
  /** bytes of whole lines in the file: where a failed write is cut back to. */
  private size = 0;
  constructor(
    readonly path: string,
    /** open the file at once (usage.jsonl) or only on the first record (events.jsonl). */
    eager: boolean,
  ) {
    if (eager) this.open();
  }

  private open(): number {
    if (this.fd === null) {
      // a new file only: an existing one (a planted symlink too) is refused, never appended through
      this.fd = openNew(this.path, 0o644, true);
      this.size = fstatSync(this.fd).size;
    }
    return this.fd;
  }

  write(record: unknown): void {
    const fd = this.open();
    try {
      this.size += writeAll(fd, JSON.stringify(record) + '\n');
    } catch (err) {
      try {
        ftruncateSync(fd, this.size);
      } catch {
        // the cut failed too: the torn part stays, and readers skip a torn line
      }
      throw err;
    }
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
