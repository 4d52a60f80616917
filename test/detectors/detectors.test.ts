import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLineDetectors } from '../../src/detectors/index.js';
import { BODY_MAX } from '../../src/detectors/events.js';
import { Feed } from './feed.js';
import { assertValid, schemas } from './schemas.js';

const OOM_24 =
  'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.15 GiB of which 1.23 GiB is free. Process 4321 has 77.91 GiB memory in use. Of the allocated memory 76.50 GiB is allocated by PyTorch, and 1.01 GiB is reserved by PyTorch but unallocated.';
const OOM_1X = 'RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 15.78 GiB total capacity; 14.56 GiB already allocated; 16.88 MiB free; 14.63 GiB reserved in total by PyTorch)';

// A chained traceback: the OOM, then a handler that hits it again, as Python prints it.
const CHAINED = `Traceback (most recent call last):
  File "train.py", line 40, in <module>
    loss = model(batch).sum()
           ^^^^^^^^^^^^
${OOM_24}

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "train.py", line 44, in <module>
    torch.cuda.empty_cache(); model(batch)
${OOM_24}`;

test('a traceback after an OOM line gives one event, with the first OOM line', () => {
  const f = new Feed().lines(1, CHAINED).done();
  const ooms = f.of('cuda_oom');
  assert.equal(ooms.length, 1);
  assert.equal(ooms[0]!.line_number, 5);
  assert.deepEqual(ooms[0]!.attributes, { 'cuda_oom.tried_alloc_bytes': 2147483648, 'cuda_oom.gpu_index': 0, 'cuda_oom.exception': 'torch.OutOfMemoryError' });
  for (const e of f.events) assertValid(schemas.event, e);
});

test('torch.multiprocessing re-raising the child traceback in the parent stays one event', () => {
  const text = `[rank0]: Traceback (most recent call last):
[rank0]:   File "worker.py", line 9, in run
[rank0]: ${OOM_1X}
torch.multiprocessing.spawn.ProcessRaisedException:

-- Process 0 terminated with the following error:
Traceback (most recent call last):
  File "/usr/lib/python3/site-packages/torch/multiprocessing/spawn.py", line 69, in _wrap
    fn(i, *args)
${OOM_1X}`;
  const f = new Feed().lines(1, text).done();
  assert.equal(f.of('cuda_oom').length, 1);
});

test('after the traceback ends, a new OOM is a new event', () => {
  const f = new Feed().lines(1, CHAINED).line(2, 'retrying with batch size 16').line(3, OOM_24).done();
  assert.equal(f.of('cuda_oom').length, 2);
});

test('an OOM repeated after a long quiet gap is a new event', () => {
  const f = new Feed().line(1, OOM_24).line(12, OOM_24).done();
  assert.equal(f.of('cuda_oom').length, 2);
});

test('two ranks on two GPUs give one event each', () => {
  const f = new Feed().line(1, `[rank0]: ${OOM_24}`).line(1, `[rank1]: ${OOM_24.replace('GPU 0', 'GPU 1')}`).line(1, `[rank0]: ${OOM_24}`).done();
  const gpus = f.of('cuda_oom').map((e) => e.attributes['cuda_oom.gpu_index']);
  assert.deepEqual(gpus, [0, 1]);
});

test('the same OOM on stderr and, repeated by a logger, on stdout is one event naming both lines', () => {
  const f = new Feed().line(1, 'step 1', 'stdout').line(1, OOM_24, 'stderr').line(1.5, `ERROR train: ${OOM_24}`, 'stdout').line(1.5, OOM_24, 'stderr').done();
  const ooms = f.of('cuda_oom');
  assert.equal(ooms.length, 1, JSON.stringify(ooms));
  assert.equal(ooms[0]!.stream, 'stderr');
  assert.equal(ooms[0]!.line_number, 1);
  assert.deepEqual(ooms[0]!.also_at, [{ stream: 'stdout', line_number: 2 }]);
  assertValid(schemas.event, ooms[0]);
});

test('across streams only the same rank, GPU and bytes within the window fold', () => {
  const other = OOM_24.replace('2.00 GiB', '1.00 GiB');
  const bytes = new Feed().line(1, OOM_24, 'stderr').line(1, other, 'stdout').done();
  assert.equal(bytes.of('cuda_oom').length, 2, 'other bytes: another failure');
  const late = new Feed().line(1, OOM_24, 'stderr').line(5, OOM_24, 'stdout').done();
  assert.equal(late.of('cuda_oom').length, 2, 'outside the window: another failure');
  const ranks = new Feed().line(1, `[rank0]: ${OOM_24}`, 'stderr').line(1, `[rank1]: ${OOM_24}`, 'stdout').done();
  assert.deepEqual(ranks.of('cuda_oom').map((e) => e.attributes.rank), [0, 1]);
});

test('a held OOM event keeps the order of detection: the events after it wait behind it', () => {
  const f = new Feed().line(1, OOM_24).line(1.2, 'OSError: [Errno 116] Stale file handle', 'stdout');
  assert.equal(f.events.length, 0, 'the OOM waits for its repeat, the stale handle waits behind it');
  f.tick(4);
  assert.deepEqual(f.events.map((e) => e.kind), ['cuda_oom', 'dataloader_error']);
});

test('other classes inside an OOM traceback are still reported', () => {
  const f = new Feed().line(1, OOM_24).line(1, 'RuntimeError: DataLoader worker (pid 99) is killed by signal: Killed.').done();
  assert.equal(f.of('cuda_oom').length, 1);
  assert.equal(f.of('dataloader_error').length, 1);
});

test('events carry timestamp, stream, line number, kind, attributes and body, and validate', () => {
  const f = new Feed()
    .line(0, 'epoch 1', 'stdout')
    .line(2, 'RuntimeError: DataLoader worker (pid 123) is killed by signal: Killed.')
    .line(3, "OSError: [Errno 116] Stale file handle: '/nfs/x'", 'stdout')
    .line(4, 'RuntimeError: HIP out of memory. Tried to allocate 2.00 GiB');
  assert.deepEqual(f.events[0], {
    timestamp: '2026-11-22T05:00:02.000Z',
    kind: 'dataloader_error',
    stream: 'stderr',
    line_number: 1,
    attributes: { 'dataloader.error_class': 'DataLoader worker killed', 'dataloader.worker_pid': 123 },
    body: 'RuntimeError: DataLoader worker (pid 123) is killed by signal: Killed.',
  });
  assert.equal(f.events[1]!.line_number, 2);
  assert.deepEqual(f.events[1]!.attributes, { 'dataloader.error_class': 'Stale file handle' });
  assert.deepEqual(f.events[2]!.attributes, { 'device_oom.device': 'HIP' });
  for (const e of f.events) assertValid(schemas.event, e);
});

test('a truncated line is flagged and a long body is cut to the bound', () => {
  const long = `${'y'.repeat(10_000)} CUDA out of memory. Tried to allocate 20.00 MiB (GPU 0; 1 GiB total capacity)`;
  const f = new Feed().line(1, long, 'stderr', true).done(2);
  const [e] = f.events;
  assert.equal(e!.line_truncated, true);
  assert.equal(e!.body_truncated, true);
  assert.equal(e!.body!.length, BODY_MAX);
  assert.equal(e!.attributes['cuda_oom.tried_alloc_bytes'], 20 * 1024 * 1024);
  assertValid(schemas.event, e);
  const s = f.summary!;
  assert.equal(s.lines_truncated, 1);
  assert.equal(s.lines_seen, 1);
});

test('a body cut never splits a surrogate pair', () => {
  const line = `CUDA out of memory ${'a'.repeat(BODY_MAX - 20)}😀😀😀`;
  const f = new Feed().line(1, line).done();
  const body = f.events[0]!.body!;
  assert.ok(body.length <= BODY_MAX);
  assert.ok(!/[\ud800-\udbff]$/.test(body));
});

test('the summary counts per class and names the first CUDA OOM with its bytes and GPU', () => {
  const f = new Feed()
    .line(1, 'RuntimeError: DataLoader worker (pid 123) is killed by signal: Killed.')
    .line(2, 'SlowDown')
    .line(3, 'SlowDown')
    .line(4, `[rank0]: ${OOM_1X}`)
    .line(30, 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB. GPU 1 has a total capacity of 1 GiB of which 0 bytes is free.');
  const s = f.finish(40);
  assert.deepEqual(s.counts, { worker_killed: 1, s3_throttle: 2, cuda_oom: 2 });
  assert.deepEqual(s.first_cuda_oom, {
    timestamp: '2026-11-22T05:00:04.000Z',
    stream: 'stderr',
    line_number: 4,
    tried_alloc_bytes: 2147483648,
    gpu_index: 0,
  });
  assert.equal(s.headline, 'CUDA out of memory on GPU 0 trying to allocate 2.00 GiB');
  assert.equal(s.enabled, true);
});

test('headlines: worker killed, another class, nothing', () => {
  assert.equal(new Feed().line(1, 'DataLoader worker (pid 123) is killed by signal: Killed.').finish(2).headline, 'DataLoader worker (pid 123) killed');
  assert.equal(new Feed().line(1, 'SlowDown').line(2, 'SlowDown').finish(3).headline, 'S3 throttle (2 lines)');
  assert.equal(new Feed().line(1, 'all good').finish(2).headline, null);
});

test('--detectors off: no events, an empty disabled summary', () => {
  const events: unknown[] = [];
  const d = createLineDetectors({ enabled: false, hangThresholdSeconds: 60, stepPattern: null }, (e) => events.push(e));
  d.line({ stream: 'stderr', line_number: 1, text: OOM_24, truncated: false, time_ms: 0 });
  d.tick(1000);
  assert.deepEqual(events, []);
  assert.deepEqual(d.finish(2000), { enabled: false, counts: {}, headline: null });
});

test('a source attached to a line is carried by its event', () => {
  const events: unknown[] = [];
  const d = createLineDetectors({ enabled: true, hangThresholdSeconds: 60, stepPattern: null }, (e) => events.push(e));
  d.line({ stream: 'stdout', line_number: 7, text: 'Stale file handle', truncated: false, time_ms: 0, source: { container: 'trainer', restart: 2 } });
  assert.deepEqual((events[0] as { source: unknown }).source, { container: 'trainer', restart: 2 });
  assertValid(schemas.event, events[0]);
});
