import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HangVerdict } from '../../src/detectors/verdict.js';
import { Feed, T0 } from './feed.js';
import { assertValid, schemas } from './schemas.js';

// threshold 60 s, correlation window 30 s (Feed's defaults)
const KILLED = 'RuntimeError: DataLoader worker (pid 4242) is killed by signal: Killed.';
const FUSE = "OSError: [Errno 107] Transport endpoint is not connected: '/mnt/data/shard-7.tar'";

function verdicts(f: Feed): HangVerdict[] {
  return f.of('verdict').map((e) => {
    assertValid(schemas.event, e);
    assertValid(schemas.verdict, e.verdict);
    return e.verdict!;
  });
}

test('a stall alone never fires', () => {
  const f = new Feed().steps(0, 5, 0).ticks(5, 1000);
  assert.deepEqual(verdicts(f), []);
});

test('a discriminator alone never fires', () => {
  const f = new Feed().steps(0, 5, 0).line(6, KILLED).steps(6, 200, 7).ticks(200, 220);
  assert.deepEqual(verdicts(f), []);
});

test('worker killed + stall: fires once the stall reaches the threshold, once, with confidence full', () => {
  const f = new Feed().steps(0, 5, 0).line(10, KILLED).ticks(5, 64);
  assert.deepEqual(verdicts(f), [], 'a 59 s stall is under the 60 s threshold');
  f.ticks(64, 300);
  const [v, ...more] = verdicts(f);
  assert.equal(more.length, 0, 'one verdict per stall');
  assert.deepEqual(v, {
    pattern_id: '7',
    name: 'dataloader_hang',
    discriminator: 'worker_killed',
    confidence: 'full',
    stall_seconds: 60,
    stall_signal: 'step_progress',
    last_step: 5,
    threshold_seconds: 60,
    correlation_window_seconds: 30,
    evidence_trail: [
      { kind: 'training_step_stall', timestamp: '2026-11-22T05:00:05.000Z', detail: 'no training-step progress for 60 s after step 5' },
      {
        kind: 'dataloader_error',
        timestamp: '2026-11-22T05:00:10.000Z',
        detail: KILLED,
        stream: 'stderr',
        line_number: 1,
        error_class: 'DataLoader worker killed',
        worker_pid: 4242,
      },
    ],
  });
  const e = f.of('verdict')[0]!;
  assert.equal(e.timestamp, new Date(T0 + 65_000).toISOString());
  assert.equal(f.finish(300).headline, 'DataLoader hang: no training step for 60 s after step 5, with a DataLoader worker killed');
});

test('warm-up guard: a stall at step 0 or 1 never fires', () => {
  for (const last of [0, 1]) {
    const f = new Feed().steps(0, last, 0).line(3, KILLED).ticks(3, 500);
    assert.deepEqual(verdicts(f), [], `stalled after step ${last}`);
  }
  const f = new Feed().steps(0, 2, 0).line(3, KILLED).ticks(3, 500);
  assert.equal(verdicts(f).length, 1, 'step 2 is past warm-up');
});

test('a new epoch restarting at step 0 is warm-up again', () => {
  const f = new Feed().steps(0, 50, 0).steps(0, 1, 51).line(53, KILLED).ticks(53, 600);
  assert.deepEqual(verdicts(f), []);
});

test('before any step line, the step regex gives no stall (and the CPU fallback has no readings)', () => {
  const f = new Feed().line(0, 'loading data').line(3, KILLED).ticks(3, 500);
  assert.deepEqual(verdicts(f), []);
});

test('eval guard: no verdict during an eval phase; the next training step ends it', () => {
  const f = new Feed().steps(0, 5, 0).line(6, '***** Running Evaluation *****', 'stdout').line(10, KILLED).ticks(10, 500);
  assert.deepEqual(verdicts(f), [], 'eval phase');
  f.line(500, 'step 6 loss=0.4', 'stdout').ticks(500, 600);
  assert.deepEqual(verdicts(f), [], 'the worker-killed line at 10 s is outside the window of the stall that began at 500 s');
  f.line(600, 'step 7 loss=0.4', 'stdout').line(601, KILLED).ticks(600, 700);
  assert.equal(verdicts(f).length, 1, 'after eval, a joined stall fires again');
});

test('an eval progress bar is not a training step', () => {
  const f = new Feed()
    .steps(0, 5, 0)
    .line(6, 'Validation DataLoader 0:  50%|█████     | 5/10 [00:01<00:01,  4.50it/s]', 'stdout')
    .line(8, KILLED)
    .ticks(8, 300);
  assert.deepEqual(verdicts(f), []);
});

test('correlation window: a discriminator more than the window before the stall does not join; at the edge it does', () => {
  // steps every second up to step 99 at 100 s, so the stall begins at 100 s; the window opens at 70 s
  const build = (killedAt: number): Feed => new Feed().steps(0, 68, 1).line(killedAt, KILLED).steps(69, 99, 70).ticks(100, 400);
  assert.deepEqual(verdicts(build(69)), [], '31 s before the stall began');
  const [v] = verdicts(build(70));
  assert.equal(v?.discriminator, 'worker_killed', '30 s before the stall began');
  assert.equal(v?.stall_seconds, 60);
});

test('a discriminator arriving late in a long stall fires at once, with the stall so far', () => {
  const f = new Feed().steps(0, 5, 0).ticks(5, 300);
  assert.deepEqual(verdicts(f), []);
  f.line(300, FUSE);
  const [v] = verdicts(f);
  assert.equal(v?.discriminator, 'storage_event');
  assert.equal(v?.stall_seconds, 295);
  assert.equal(v?.evidence_trail[1]?.kind, 'storage_event');
  assert.equal(v?.evidence_trail[1]?.error_class, 'FUSE transport error');
});

test('tie-break: worker_killed wins over storage_event, and the trail holds both in time order', () => {
  const f = new Feed().steps(0, 5, 0).line(10, FUSE).line(20, KILLED).ticks(20, 100);
  const [v, ...more] = verdicts(f);
  assert.equal(more.length, 0);
  assert.equal(v?.discriminator, 'worker_killed');
  assert.deepEqual(
    v?.evidence_trail.map((i) => i.kind),
    ['training_step_stall', 'storage_event', 'dataloader_error'],
  );
  assert.equal(v?.confidence, 'full');
});

test('storage lines (FUSE, S3 throttle, stale handle) discriminate; connection reset does not', () => {
  for (const line of [FUSE, 'botocore: An error occurred (SlowDown) when calling GetObject', 'OSError: [Errno 116] Stale file handle']) {
    assert.equal(verdicts(new Feed().steps(0, 5, 0).line(10, line).ticks(10, 100))[0]?.discriminator, 'storage_event', line);
  }
  assert.deepEqual(verdicts(new Feed().steps(0, 5, 0).line(10, 'ConnectionResetError: [Errno 104] Connection reset by peer').ticks(10, 500)), []);
});

test('a DataLoader queue empty line joined to a stall gives discriminator worker_killed (the runbook points at the DataLoader runtime)', () => {
  const f = new Feed().steps(0, 5, 0).line(10, '_queue.Empty').ticks(10, 100);
  const [v] = verdicts(f);
  assert.equal(v?.discriminator, 'worker_killed');
  assert.deepEqual(v?.evidence_trail.map((i) => [i.kind, i.error_class]), [['training_step_stall', undefined], ['dataloader_error', 'DataLoader queue empty']]);
  assertValid(schemas.verdict, v);
  assert.equal(f.finish(100).headline, 'DataLoader hang: no training step for 60 s after step 5, with the DataLoader queue empty');
});

test('a Kubernetes FailedMount event fed from outside joins a stall as storage_event', () => {
  const f = new Feed().steps(0, 5, 0);
  f.detectors.external!({ time_ms: T0 + 20_000, reason: 'FailedMount', message: 'MountVolume.SetUp failed for volume "data"', object: 'Pod ml/train-0' });
  f.ticks(5, 100);
  const [v] = verdicts(f);
  assert.equal(v?.discriminator, 'storage_event');
  assert.deepEqual(v?.evidence_trail[1], {
    kind: 'storage_event',
    timestamp: '2026-11-22T05:00:20.000Z',
    detail: 'MountVolume.SetUp failed for volume "data"',
    reason: 'FailedMount',
    object: 'Pod ml/train-0',
  });
  assert.equal(f.of('storage_event').length, 1);
  assertValid(schemas.event, f.of('storage_event')[0]);
});

test('an external event dated after the clock does not join until the clock reaches it', () => {
  const f = new Feed().steps(0, 5, 0);
  f.detectors.external!({ time_ms: T0 + 200_000, reason: 'FailedMount', message: 'later', object: null });
  f.ticks(5, 199);
  assert.deepEqual(verdicts(f), []);
  f.tick(200);
  assert.equal(verdicts(f)[0]?.stall_seconds, 195);
});

test('a redraw of the same step is not progress', () => {
  const f = new Feed().steps(0, 5, 0);
  for (let t = 6; t <= 50; t++) f.line(t, 'step 5 loss=0.5', 'stdout');
  f.line(10, KILLED).ticks(50, 70);
  assert.equal(verdicts(f)[0]?.stall_seconds, 60);
});

test('CPU fallback: with no step lines, a collapse of the session CPU rate is the stall, with confidence partial', () => {
  const f = new Feed();
  for (let t = 0; t <= 10; t++) f.cpu(t, 380);
  for (let t = 11; t <= 69; t++) f.cpu(t, 4);
  f.line(20, KILLED);
  assert.deepEqual(verdicts(f), [], 'collapsed for 58 s');
  f.cpu(70, 3).cpu(71, 3);
  const [v, ...more] = verdicts(f);
  assert.equal(more.length, 0);
  assert.equal(v?.confidence, 'partial');
  assert.equal(v?.stall_signal, 'cpu_collapse');
  assert.equal(v?.stall_seconds, 60);
  assert.equal(v?.last_step, null);
});

test('CPU fallback: a recovery resets the stall, and a never-busy session never collapses', () => {
  const f = new Feed();
  for (let t = 0; t <= 10; t++) f.cpu(t, 380);
  for (let t = 11; t <= 50; t++) f.cpu(t, 4);
  f.cpu(51, 300);
  for (let t = 52; t <= 100; t++) f.cpu(t, 4);
  f.line(60, KILLED);
  assert.deepEqual(verdicts(f), []);
  const idle = new Feed();
  for (let t = 0; t <= 300; t++) idle.cpu(t, 20);
  idle.line(10, KILLED).ticks(300, 400);
  assert.deepEqual(verdicts(idle), []);
});

test('step lines make the CPU rate irrelevant', () => {
  const f = new Feed().steps(0, 5, 0);
  for (let t = 0; t <= 10; t++) f.cpu(t, 400);
  for (let t = 11; t <= 50; t++) f.cpu(t, 1);
  f.line(10, KILLED).ticks(50, 64);
  assert.deepEqual(verdicts(f), [], 'the step stall began at 5 s: 59 s at 64 s');
  f.tick(65);
  assert.equal(verdicts(f)[0]?.stall_signal, 'step_progress');
});

test('a user --step-pattern recognises the job own progress lines', () => {
  const f = new Feed({ stepPattern: 'batch (\\d+) done' });
  for (let s = 0; s <= 9; s++) f.line(s, `batch ${s} done`, 'stdout');
  f.line(10, 'step 500', 'stdout').line(12, KILLED).ticks(12, 69);
  assert.equal(verdicts(f)[0]?.last_step, 9);
  assert.equal(verdicts(f)[0]?.stall_seconds, 60);
});

test('the hang threshold is honoured', () => {
  const f = new Feed({ hangThresholdSeconds: 600 }).steps(0, 5, 0).line(10, KILLED).ticks(5, 604);
  assert.deepEqual(verdicts(f), []);
  f.tick(605);
  assert.equal(verdicts(f)[0]?.stall_seconds, 600);
});

test('finish() gives the verdict when the run ends inside a long enough joined stall', () => {
  const f = new Feed().steps(0, 5, 0).line(10, KILLED);
  const s = f.finish(100);
  assert.equal(verdicts(f).length, 1);
  assert.equal(s.counts.verdict, 1);
  assert.equal((s.verdict as HangVerdict).discriminator, 'worker_killed');
});
