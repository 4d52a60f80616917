import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { brief, containerDir, cri, readAll, ts, write } from './pods.js';

test('P/P/F with a stderr line between joins per stream, and carries the pod metadata', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const c = containerDir(dir);
    write(join(c, '0.log'), cri(ts(1), 'stdout', 'P', 'hel'), cri(ts(2), 'stdout', 'P', 'lo '), cri(ts(3), 'stderr', 'F', 'err line'), cri(ts(4), 'stdout', 'F', 'world'));
    const { records, notices } = await readAll([join(dir, '*/*/*.log')]);
    assert.deepEqual(notices, []);
    assert.deepEqual(records, [
      {
        file: join(c, '0.log'), format: 'cri', stream: 'stderr', time: ts(3), time_unix_nano: '1714557603000000000', message: 'err line',
        chunks: 1, truncated: false, original_length_bytes: 8, incomplete: false,
        namespace: 'ml', pod: 'train-0', pod_uid: '6f1c2d3e-0000-4000-8000-000000000001', container: 'trainer', restart_count: 0,
      },
      {
        file: join(c, '0.log'), format: 'cri', stream: 'stdout', time: ts(1), time_unix_nano: '1714557601000000000', message: 'hello world',
        chunks: 3, truncated: false, original_length_bytes: 11, incomplete: false,
        namespace: 'ml', pod: 'train-0', pod_uid: '6f1c2d3e-0000-4000-8000-000000000001', container: 'trainer', restart_count: 0,
      },
    ]);
    assert.deepEqual(records.map(brief), [['stderr', 'err line', 1, false, false], ['stdout', 'hello world', 3, false, false]]);
  } finally {
    cleanup();
  }
});
