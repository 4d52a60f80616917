import { closeSync, openSync, writeSync } from 'node:fs';

/**
 * Appends one record per line, each written whole with one write(2) on an
 * O_APPEND descriptor, so a crash leaves at most a torn last line.
 */
export class JsonlWriter {
  private fd: number | null = null;
  constructor(
    readonly path: string,
    /** open the file at once (usage.jsonl) or only on the first record (events.jsonl). */
    eager: boolean,
  ) {
    if (eager) this.open();
  }

  private open(): number {
    this.fd ??= openSync(this.path, 'a');
    return this.fd;
  }

  write(record: unknown): void {
    writeSync(this.open(), JSON.stringify(record) + '\n');
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
