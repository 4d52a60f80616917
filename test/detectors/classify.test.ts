import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyLine, mayClassify } from '../../src/detectors/classify.js';
import { ERROR_CLASSES } from '../../src/detectors/error-classes.js';
import { schemas } from './schemas.js';

function errorClassOf(line: string): { id: string; capture: number | null } | null {
  const c = classifyLine(line);
  if (c === null) return null;
  assert.equal(c.kind, 'dataloader_error', `expected a dataloader error, got ${c.kind}`);
  return c.kind === 'dataloader_error' ? { id: c.errorClass.id, capture: c.capture } : null;
}

const cases: [string, string, number | null][] = [
  ['worker_killed', 'RuntimeError: DataLoader worker (pid 12345) is killed by signal: Killed.', 12345],
  ['worker_killed', '[rank3]: RuntimeError: DataLoader worker (pid 77) is killed by signal: Bus error. It is possible that dataloader\'s workers are out of shared memory. Please try to raise your shared memory limit.', 77],
  ['worker_killed', '[1,0]<stderr>:ERROR: DataLoader worker (pid 9) is killed by signal: Segmentation fault.', 9],
  ['fuse_transport_error', "OSError: [Errno 107] Transport endpoint is not connected: '/mnt/s3/train/shard-00042.tar'", null],
  ['fuse_transport_error', 'OSError: [Errno 103] Software caused connection abort', null],
  ['s3_throttle', 'botocore.exceptions.ClientError: An error occurred (SlowDown) when calling the GetObject operation (reached max retries: 4): Please reduce your request rate.', null],
  ['s3_throttle', 'urllib3: HTTP/1.1 503 Service Unavailable', null],
  ['s3_throttle', '<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>', null],
  ['stale_file_handle', "OSError: [Errno 116] Stale file handle: '/lustre/data/train.bin'", null],
  ['queue_empty', '_queue.Empty', null],
  ['queue_empty', 'queue.Empty', null],
  ['queue_empty', 'multiprocessing.queues.Empty', null],
  ['connection_reset', 'ConnectionResetError: [Errno 104] Connection reset by peer', null],
  // Connection reset only when no class above matched:
  ['s3_throttle', "urllib3.exceptions.ProtocolError: ('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer')) after 503 Service Unavailable", null],
  ['stale_file_handle', 'Stale file handle while reading; Connection reset by peer', null],
];

for (const [id, line, pid] of cases) {
  test(`${id}: ${line.slice(0, 70)}`, () => {
    assert.deepEqual(errorClassOf(line), { id, capture: pid });
  });
}

test("the table's class names, exactly as DESIGN.md gives them, are the dataloader.error_class values", () => {
  assert.deepEqual(
    ERROR_CLASSES.map((c) => [c.id, c.title]),
    [
      ['worker_killed', 'DataLoader worker killed'],
      ['fuse_transport_error', 'FUSE transport error'],
      ['s3_throttle', 'S3 throttle'],
      ['stale_file_handle', 'Stale file handle'],
      ['queue_empty', 'DataLoader queue empty'],
      ['connection_reset', 'Connection reset by peer'],
    ],
  );
  const enumValues = (schemas.event.schema as { allOf: { if: { properties: { kind: { const?: string } } }; then: { properties: { attributes: { properties: Record<string, { enum?: string[] }> } } } }[] }).allOf
    .find((b) => b.if.properties.kind.const === 'dataloader_error')!
    .then.properties.attributes.properties['dataloader.error_class']!.enum;
  assert.deepEqual(enumValues, ERROR_CLASSES.map((c) => c.title), 'schema/events.schema.json enumerates the same strings');
});

test('the first matching row wins when a line names two classes', () => {
  assert.equal(errorClassOf('Transport endpoint is not connected; Stale file handle')?.id, 'fuse_transport_error');
});

test('the worker-killed row is not widened: exited unexpectedly and pid(s) lists are not worker_killed', () => {
  assert.equal(classifyLine('RuntimeError: DataLoader worker (pid(s) 123, 456) exited unexpectedly'), null);
  assert.equal(classifyLine('DataLoader worker (pid 12) exited unexpectedly'), null);
});

test('every class in the table is reached by one of its own substrings', () => {
  for (const c of ERROR_CLASSES) {
    for (const s of c.substrings) {
      const line = c.confirm ? 'DataLoader worker (pid 1) is killed by signal: Killed.' : `prefix ${s} suffix`;
      assert.equal(errorClassOf(line)?.id, c.id, `${c.id} via ${JSON.stringify(s)}`);
    }
  }
});

test('ordinary lines pass neither the prefilter nor the classifier', () => {
  const ordinary = [
    '',
    'Epoch 3/10 step 1200 loss=0.4312 lr=3.0e-4',
    '100%|██████████| 1000/1000 [01:40<00:00,  9.99it/s]',
    'INFO:root:Saving checkpoint to /scratch/run/ckpt-1200.pt',
    'x'.repeat(5000),
    'Connection established to s3.amazonaws.com',
    'memory usage: 12.5 GiB',
  ];
  for (const line of ordinary) {
    assert.equal(mayClassify(line), false, line.slice(0, 40));
    assert.equal(classifyLine(line), null);
  }
});

test('a line of any length is classified: an OOM at the end of 2 MiB', () => {
  const line = `${'x'.repeat(2 * 1024 * 1024)} RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 1; 15.78 GiB total capacity)`;
  assert.deepEqual(classifyLine(line), { kind: 'cuda_oom', tried_alloc_bytes: 2 * 1024 ** 3, gpu_index: 1, exception: 'RuntimeError' });
});
