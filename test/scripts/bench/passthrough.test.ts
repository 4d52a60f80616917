import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timePipe } from '../../../scripts/bench/benchmarks/passthrough.js';
import { tempDir } from '../../helpers/cli.js';

// The benchmark's plumbing, on 1 MiB (its figure is measured by `npm run bench`, never here).
const BYTES = 1 << 20;

test('timePipe counts every byte of a producer piped straight into the consumer', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const t = await timePipe('head', ['-c', String(BYTES), '/dev/zero'], dir, process.env, BYTES);
    assert.equal(t.bytes, BYTES);
    assert.ok(t.streamingSeconds >= 0 && t.streamingSeconds <= t.wallSeconds);
  } finally {
    cleanup();
  }
});

test('timePipe through a middle process (as duct sits) delivers the same bytes', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const middle = `const c = require('node:child_process').spawn('head', ['-c', '${BYTES}', '/dev/zero'], { stdio: ['ignore', 'pipe', 'inherit'] }); c.stdout.pipe(process.stdout);`;
    const t = await timePipe(process.execPath, ['-e', middle], dir, process.env, BYTES);
    assert.equal(t.bytes, BYTES);
  } finally {
    cleanup();
  }
});

test('timePipe fails on a short delivery or a failing producer, naming it', async () => {
  const { dir, cleanup } = tempDir();
  try {
    await assert.rejects(timePipe('head', ['-c', '10', '/dev/zero'], dir, process.env, 11), /head delivered 10 bytes, expected 11/);
    await assert.rejects(timePipe('head', ['-c', '10', '/no/such/file'], dir, process.env, 10), /head -c 10 \/no\/such\/file exited 1: head: cannot open/);
  } finally {
    cleanup();
  }
});
