// Benchmark producer shaped like a training job's log: LINES lines of step/loss text, written the way a
// Python print() to a pipe arrives (8 KiB blocks), so the figure reflects what duct meets in real use.
import { writeSync } from 'node:fs';

const lines = Number(process.argv[2] ?? 1_000_000);
const block = 8 * 1024;
let out = '';
for (let i = 0; i < lines; i++) {
  out += `epoch ${Math.floor(i / 10_000)} step ${i} loss ${(1 / (1 + i / 1e4)).toFixed(5)} lr 0.0001 grad_norm 1.234 throughput 1234.5 samples/s\n`;
  if (out.length >= block) {
    writeSync(1, out);
    out = '';
  }
}
if (out) writeSync(1, out);
