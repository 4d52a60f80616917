import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contextRank, splitLauncherPrefix } from '../../src/detectors/launcher.js';
import { Feed } from './feed.js';
import { assertValid, schemas } from './schemas.js';

const OOM_GPU0 = 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.50 GiB. GPU 0 has a total capacity of 79.15 GiB of which 1.23 GiB is free.';

const prefixes: [string, number | null, string][] = [
  ['[rank1]: x', 1, 'x'],
  ['[rank1]:x', 1, 'x'],
  ['[default3]:  File "a.py"', 3, ' File "a.py"'],
  ['[1,2]<stderr>: x', 2, 'x'],
  ['[0,7]<stdout>:x', 7, 'x'],
  ['12: x', 12, 'x'],
  ['worker-5: [rank22]:   File "m.py"', 22, '  File "m.py"'],
  ['(RayWorkerWrapper pid=4009) [rank1]: x', 1, 'x'],
  ['\x1b[36m(RayWorkerWrapper pid=4009)\x1b[0m [rank1]: x', null, '(RayWorkerWrapper pid=4009)\x1b[0m [rank1]: x'],
  ['[rank0]:[E321 02:07:08.408 ProcessGroupNCCL.cpp:607] [Rank 0] Watchdog', 0, '[E321 02:07:08.408 ProcessGroupNCCL.cpp:607] [Rank 0] Watchdog'],
  ['[2026-11-22 05:00:00]: x', null, 'x'],
  ['2024-11-20 14:37:16 [rank3]: x', 3, 'x'],
  ['2024-11-20 14:37:16 DEBUG:filelock:x', null, '2024-11-20 14:37:16 DEBUG:filelock:x'],
  ['RuntimeError: CUDA out of memory.', null, 'RuntimeError: CUDA out of memory.'],
  ['[0]:', null, ''],
  ['  rank      : 1 (local_rank: 1)', null, '  rank      : 1 (local_rank: 1)'],
];

for (const [line, rank, rest] of prefixes) {
  test(`launcher prefix of ${JSON.stringify(line)}: rank ${rank}`, () => {
    assert.deepEqual(splitLauncherPrefix(line), { rank, rest });
  });
}

test('context lines name the rank of the traceback after them', () => {
  assert.equal(contextRank('-- Process 3 terminated with the following error:'), 3);
  assert.equal(contextRank('  rank      : 1 (local_rank: 1)'), 1);
  assert.equal(contextRank('  exitcode  : 1 (pid: 1234)'), null);
  assert.equal(contextRank('world_size=8 rank=1'), null);
});

test('two ranks that each report GPU 0 are two events, each with its rank', () => {
  const f = new Feed()
    .line(1, '[rank0]: Traceback (most recent call last):')
    .line(1, '[rank1]: Traceback (most recent call last):')
    .line(1, '[rank0]:   File "train.py", line 40, in <module>')
    .line(1, '[rank1]:   File "train.py", line 40, in <module>')
    .line(1, `[rank0]: ${OOM_GPU0}`)
    .line(1, `[rank1]: ${OOM_GPU0}`)
    .line(1, `[rank1]: ${OOM_GPU0}`)
    .done();
  const ooms = f.of('cuda_oom');
  assert.deepEqual(ooms.map((e) => [e.line_number, e.attributes.rank, e.attributes['cuda_oom.gpu_index']]), [[5, 0, 0], [6, 1, 0]]);
  for (const e of ooms) assertValid(schemas.event, e);
});

test('OpenMPI, torchrun --tee and srun prefixes give the rank too', () => {
  const f = new Feed().line(1, `[1,0]<stderr>:${OOM_GPU0}`).line(1, `[1,1]<stderr>:${OOM_GPU0}`).line(1, `[default2]:${OOM_GPU0}`).line(1, `3: ${OOM_GPU0}`).done();
  assert.deepEqual(f.of('cuda_oom').map((e) => e.attributes.rank), [0, 1, 2, 3]);
});

test("torchrun's failure summary repeating rank 1's OOM folds into rank 1's event", () => {
  const f = new Feed()
    .line(1, '[rank1]: Traceback (most recent call last):')
    .line(1, `[rank1]: ${OOM_GPU0}`)
    .line(2, 'W1122 05:00:02.000000 100 torch/distributed/elastic/multiprocessing/api.py:897] Sending process 101 closing signal SIGTERM')
    .line(3, '============================================================')
    .line(3, 'train.py FAILED')
    .line(3, '------------------------------------------------------------')
    .line(3, 'Root Cause (first observed failure):')
    .line(3, '[0]:')
    .line(3, '  time      : 2026-11-22_05:00:02')
    .line(3, '  rank      : 1 (local_rank: 1)')
    .line(3, '  exitcode  : 1 (pid: 102)')
    .line(3, '  traceback : Traceback (most recent call last):')
    .line(3, `  ${OOM_GPU0}`)
    .line(3, '============================================================')
    .done();
  const ooms = f.of('cuda_oom');
  assert.equal(ooms.length, 1, JSON.stringify(ooms));
  assert.equal(ooms[0]!.attributes.rank, 1);
});

test("torchrun's summary reprinting rank 1's OOM long after its traceback ended is still not a new failure", () => {
  const f = new Feed()
    .line(1, `[rank1]: ${OOM_GPU0}`)
    .line(2, 'W1122 05:00:02.000000 100 torch/distributed/elastic/multiprocessing/api.py:897] Sending process 101 closing signal SIGTERM')
    .line(40, '  rank      : 1 (local_rank: 1)')
    .line(40, '  traceback : Traceback (most recent call last):')
    .line(40, `  ${OOM_GPU0}`)
    .line(40, '  rank      : 0 (local_rank: 0)')
    .line(40, `  ${OOM_GPU0}`)
    .done();
  assert.deepEqual(f.of('cuda_oom').map((e) => [e.line_number, e.attributes.rank]), [[1, 1], [7, 0]], 'rank 0 had not reported it: its reprint is the only report');
});

test('torch.multiprocessing.spawn: the parent copy of process 1 folds into rank 1, rank 0 stays its own', () => {
  const f = new Feed()
    .line(1, `[rank0]: ${OOM_GPU0}`)
    .line(1, `[rank1]: ${OOM_GPU0}`)
    .line(2, 'torch.multiprocessing.spawn.ProcessRaisedException:')
    .line(2, '')
    .line(2, '-- Process 1 terminated with the following error:')
    .line(2, 'Traceback (most recent call last):')
    .line(2, OOM_GPU0)
    .done();
  assert.deepEqual(f.of('cuda_oom').map((e) => e.attributes.rank), [0, 1]);
});

test('a dataloader error carries the rank its prefix names; a line without one has no rank attribute', () => {
  const f = new Feed().line(1, '[rank3]: RuntimeError: DataLoader worker (pid 77) is killed by signal: Killed.').line(2, 'OSError: [Errno 116] Stale file handle').done();
  const [a, b] = f.of('dataloader_error');
  assert.equal(a!.attributes.rank, 3);
  assert.equal('rank' in b!.attributes, false);
  assertValid(schemas.event, a);
});

test('a rank outside the schema (negative) cannot be written', () => {
  const e = { timestamp: '2026-11-22T05:00:00.000Z', kind: 'dataloader_error', stream: 'stderr', line_number: 1, attributes: { 'dataloader.error_class': 'Stale file handle', rank: -1 }, body: 'x' };
  assert.equal(schemas.event(e), false);
});
