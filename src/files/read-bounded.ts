import { constants as fsc } from 'node:fs';
import { open } from 'node:fs/promises';

/** Far above any info.json duct writes (a few KiB): a bigger one is not a run's, and is not read. */
export const MAX_INFO_BYTES = 16 * 1024 * 1024;
/** usage.jsonl and events.jsonl grow with the run: a line a report, hundreds of MiB only after years. */
export const MAX_SERIES_BYTES = 512 * 1024 * 1024;

/** A file a viewer refuses to read, with the sentence that says why. */
export class NotARunFile extends Error {}

/**
 * Read a run's file as text, only if it is a regular file of at most maxBytes.
 * Opened O_NONBLOCK, so a FIFO planted at the name never blocks the open, and
 * checked on the descriptor: a FIFO, a device (/dev/zero) or a socket is never read.
 */
export async function readRunFile(path: string, maxBytes = MAX_INFO_BYTES): Promise<string> {
  const fh = await open(path, fsc.O_RDONLY | fsc.O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new NotARunFile(`${path} is not a regular file (${fileKind(st)}), not read`);
    if (st.size > maxBytes) throw new NotARunFile(`${path} is ${st.size} bytes, more than the ${maxBytes / 1024 / 1024} MiB a run's file can be, not read`);
    const buf = Buffer.allocUnsafe(st.size);
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await fh.read(buf, got, buf.length - got, got);
      if (bytesRead === 0) break; // shrank meanwhile: what is there
      got += bytesRead;
    }
    return buf.toString('utf8', 0, got);
  } finally {
    await fh.close();
  }
}

/** What a non-regular file is, in words. */
export function fileKind(st: { isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a directory';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}
