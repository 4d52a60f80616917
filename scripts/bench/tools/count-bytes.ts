// Benchmark consumer: counts the bytes on stdin and reports, as one JSON line on stdout, the count and
// the time from its first byte to end of input (so the producer's start-up is not counted).
import { readSync } from 'node:fs';

const buf = Buffer.allocUnsafe(1 << 20);
let bytes = 0;
let first: bigint | null = null;
for (;;) {
  let n: number;
  try {
    n = readSync(0, buf, 0, buf.length, null);
  } catch (e) {
    // a non-blocking stdin reports EAGAIN when the pipe is momentarily empty: wait a moment and read again
    if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
      continue;
    }
    throw e;
  }
  if (n === 0) break;
  first ??= process.hrtime.bigint();
  bytes += n;
}
const last = process.hrtime.bigint();
process.stdout.write(JSON.stringify({ bytes, streaming_seconds: first === null ? 0 : Number(last - first) / 1e9 }) + '\n');
