import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';
import type { DetectorEvent } from '../../src/detectors/types.js';
import { assertValid, schemas } from '../detectors/schemas.js';
import { containerDir, cri, ts, write } from './pods.js';

const realLog = (file: string): string[] => readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'real-logs', file), 'utf8').split('\n');

async function detect(args: string[], cwd: string): Promise<DetectorEvent[]> {
  const r = await runCli(['detect', ...args], { cwd });
  assert.equal(r.code, 0, r.stderr);
  const events = r.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as DetectorEvent);
  for (const e of events) assertValid(schemas.event, e);
  return events;
}

test('duct detect on a container log: a DataLoader queue empty joined to a stall is a verdict with discriminator worker_killed', async () => {
  const t = tempDir('duct-clogs-queue-');
  try {
    const trainer = realLog('hf-trainer-progress-sighup.log');
    const queue = realLog('queue-empty-ci-test.log');
    const c = containerDir(t.dir);
    write(
      join(c, '0.log'),
      // tqdm steps 4075..4080 one second apart, the main process's _queue.Empty traceback, then 22 s of nothing
      ...trainer.slice(0, 6).map((l, i) => cri(ts(1 + i), 'stderr', 'F', l)),
      ...queue.slice(3, 10).map((l) => cri(ts(8), 'stderr', 'F', l)),
      cri(ts(30), 'stderr', 'F', trainer[15]!),
    );
    const events = await detect(['--hang-threshold', '10', join(c, '0.log')], t.dir);
    assert.deepEqual(events.map((e) => [e.kind, e.attributes['dataloader.error_class'] ?? e.attributes['verdict.discriminator']]), [
      ['dataloader_error', 'DataLoader queue empty'],
      ['verdict', 'worker_killed'],
    ]);
    const v = events[1]!.verdict!;
    assert.equal(v.last_step, 4080);
    assert.equal(v.stall_seconds, 24);
    assert.deepEqual(v.evidence_trail.map((i) => [i.kind, i.error_class]), [['training_step_stall', undefined], ['dataloader_error', 'DataLoader queue empty']]);
    assert.equal(events[1]!.body, 'DataLoader hang: no training step for 24 s after step 4080, with the DataLoader queue empty');
    assert.equal(events[1]!.source?.pod, 'train-0');
  } finally {
    t.cleanup();
  }
});

test('duct detect on a container log: an OOM on stderr repeated by a JSON logger on stdout is one event with both lines, read from the decoded record', async () => {
  const t = tempDir('duct-clogs-json-');
  try {
    const oom = 'RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB (GPU 1; 15.78 GiB total capacity; 14.56 GiB already allocated)';
    const record = JSON.stringify({ level: 'ERROR', rank: 2, message: `Traceback (most recent call last):\n  File "train.py", line 40, in <module>\n${oom}` });
    const c = containerDir(t.dir);
    write(join(c, '0.log'), cri(ts(1), 'stdout', 'F', 'step 7'), cri(ts(2), 'stderr', 'F', `[rank2]: ${oom}`), cri(ts(2, 5_000_000), 'stdout', 'F', record));
    const events = await detect([join(c, '0.log')], t.dir);
    assert.equal(events.length, 1, JSON.stringify(events));
    const [e] = events;
    assert.deepEqual([e!.stream, e!.line_number, e!.also_at], ['stderr', 1, [{ stream: 'stdout', line_number: 2 }]]);
    assert.deepEqual(e!.attributes, { 'cuda_oom.tried_alloc_bytes': 20 * 1024 * 1024, 'cuda_oom.gpu_index': 1, 'cuda_oom.exception': 'RuntimeError', rank: 2 });
  } finally {
    t.cleanup();
  }
});

test('duct detect on a plain JSON-lines log: the escaped traceback gives exception RuntimeError, not nRuntimeError', async () => {
  const t = tempDir('duct-json-plain-');
  try {
    const path = join(t.dir, 'train.jsonl');
    const record = JSON.stringify({ msg: 'step failed', exc: 'Traceback (most recent call last):\n  File "t.py", line 3, in <module>\nRuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 15.78 GiB total capacity)' });
    write(path, Buffer.from(`${record}\n`));
    const events = await detect(['--format', 'text', path], t.dir);
    assert.deepEqual(events.map((e) => e.attributes['cuda_oom.exception']), ['RuntimeError']);
  } finally {
    t.cleanup();
  }
});
