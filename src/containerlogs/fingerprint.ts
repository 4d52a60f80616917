import { createHash } from 'node:crypto';
import { readSync } from 'node:fs';
import { constants as zc, gunzipSync } from 'node:zlib';

/** How many leading (decompressed) bytes identify a file. */
export const FINGERPRINT_BYTES = 1024;
/** Compressed bytes read to recover the fingerprint of a .gz file (deflate never expands 1 KiB past this). */
const GZ_HEAD_READ_BYTES = 64 * 1024;
const GZ_HEAD_FIRST_READ_BYTES = 4 * 1024;

/**
 * A file's identity: a hash of its first bytes. A file shorter than FINGERPRINT_BYTES has a
 * shorter fingerprint that still matches it once it has grown (prefix match), and a
 * rotated, compressed or copied file keeps the fingerprint of the content it holds.
 */
export interface Fingerprint {
  length: number;
  sha256: string;
}

export function fingerprintOf(head: Buffer): Fingerprint {
  const length = Math.min(head.length, FINGERPRINT_BYTES);
  return { length, sha256: createHash('sha256').update(head.subarray(0, length)).digest('hex') };
}

/** True when `head` begins with the bytes `fp` was taken from. */
export function fingerprintMatches(fp: Fingerprint, head: Buffer): boolean {
  if (head.length < fp.length || fp.length === 0) return false;
  return createHash('sha256').update(head.subarray(0, fp.length)).digest('hex') === fp.sha256;
}

/** The first FINGERPRINT_BYTES of an open plain file. */
export function readPlainHead(fd: number, size: number): Buffer {
  return readPlainHeadN(fd, Math.min(size, FINGERPRINT_BYTES));
}

/** The first FINGERPRINT_BYTES of an open gzip file's decompressed content, from its first compressed bytes only. */
export function readGzHead(fd: number, size: number): Buffer {
  // a small read first bounds the output (deflate reaches ~1000:1); a larger one only when that was not enough
  let plain = Buffer.alloc(0);
  for (const n of [GZ_HEAD_FIRST_READ_BYTES, GZ_HEAD_READ_BYTES]) {
    const compressed = readPlainHeadN(fd, Math.min(size, n));
    if (compressed.length === 0) return compressed;
    // SYNC_FLUSH lets a cut-off stream decompress as far as it goes instead of throwing
    plain = gunzipSync(compressed, { finishFlush: zc.Z_SYNC_FLUSH });
    if (plain.length >= FINGERPRINT_BYTES || compressed.length === size) break;
  }
  return plain.subarray(0, FINGERPRINT_BYTES);
}

function readPlainHeadN(fd: number, n: number): Buffer {
  const buf = Buffer.alloc(n);
  let got = 0;
  while (got < n) {
    const k = readSync(fd, buf, got, n - got, got);
    if (k === 0) break;
    got += k;
  }
  return buf.subarray(0, got);
}
