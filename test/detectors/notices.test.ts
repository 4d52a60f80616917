import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLineDetectors } from '../../src/detectors/index.js';
import { T0 } from './feed.js';

function detectorsSaying(said: string[]) {
  return createLineDetectors({ enabled: true, hangThresholdSeconds: 60, stepPattern: null, correlationWindowSeconds: 30 }, () => undefined, (s) => said.push(s));
}

const at = (s: number) => T0 + s * 1000;

test('each failure is said once, when found, in one sentence', () => {
  const said: string[] = [];
  const d = detectorsSaying(said);
  d.line({ stream: 'stderr', line_number: 1, text: '[rank3]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.50 GiB. GPU 0 has a total capacity of 79 GiB', truncated: false, time_ms: at(1) });
  assert.deepEqual(said, ['CUDA out of memory on GPU 0 (rank 3) trying to allocate 2.50 GiB'], 'said before the event is written');
  d.line({ stream: 'stderr', line_number: 2, text: 'RuntimeError: HIP out of memory. Tried to allocate 2.00 GiB', truncated: false, time_ms: at(2) });
  d.line({ stream: 'stderr', line_number: 3, text: 'RuntimeError: DataLoader worker (pid 77) is killed by signal: Killed.', truncated: false, time_ms: at(3) });
  d.line({ stream: 'stderr', line_number: 4, text: "OSError: [Errno 107] Transport endpoint is not connected: '/mnt/s3/x'", truncated: false, time_ms: at(4) });
  assert.deepEqual(said.slice(1), [
    'HIP out of memory',
    'DataLoader worker (pid 77) killed',
    "FUSE transport error: OSError: [Errno 107] Transport endpoint is not connected: '/mnt/s3/x'",
  ]);
});

test('a class that floods is said once a minute per rank', () => {
  const said: string[] = [];
  const d = detectorsSaying(said);
  for (let s = 0; s < 120; s++) d.line({ stream: 'stderr', line_number: s + 1, text: 'botocore: An error occurred (SlowDown) when calling the GetObject operation', truncated: false, time_ms: at(s) });
  d.line({ stream: 'stderr', line_number: 200, text: '[rank1]: botocore: An error occurred (SlowDown)', truncated: false, time_ms: at(120) });
  assert.deepEqual(said.map((s) => s.split(':')[0]), ['S3 throttle', 'S3 throttle', 'S3 throttle (rank 1)']);
});

test('a hang verdict is said when it fires', () => {
  const said: string[] = [];
  const d = detectorsSaying(said);
  for (let s = 0; s <= 5; s++) d.line({ stream: 'stdout', line_number: s + 1, text: `step ${s}`, truncated: false, time_ms: at(s) });
  d.line({ stream: 'stderr', line_number: 1, text: 'RuntimeError: DataLoader worker (pid 9) is killed by signal: Killed.', truncated: false, time_ms: at(10) });
  d.tick(at(64));
  assert.equal(said.length, 1, 'not yet');
  d.tick(at(65));
  assert.deepEqual(said.slice(1), ['DataLoader hang: no training step for 60 s after step 5, with a DataLoader worker killed']);
});
