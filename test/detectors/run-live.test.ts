import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';
import type { DetectorEvent } from '../../src/detectors/types.js';
import { assertValid, schemas } from './schemas.js';

const readJsonl = (path: string): DetectorEvent[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as DetectorEvent);

const lineIndex = (text: string, needle: string): number => text.split('\n').findIndex((l) => l.includes(needle));

test('duct run of two ranks dying of OOM on GPU 0: one event per rank, the stdout repeat folded, a live notice before the job goes on', async () => {
  const t = tempDir('duct-ranks-');
  try {
    const r = await runCli(['--fail-time', '0', '-p', 'logs/run_', '--', 'print-rank-ooms'], { cwd: t.dir });
    assert.equal(r.code, 1, r.stderr);
    const notice = 'duct: CUDA out of memory on GPU 0 (rank 1) trying to allocate 2.50 GiB';
    const at = lineIndex(r.stderr, notice);
    assert.ok(at >= 0, r.stderr);
    assert.ok(r.stderr.includes('duct: CUDA out of memory on GPU 0 (rank 0) trying to allocate 2.00 GiB'), r.stderr);
    // said when found: before the launcher's line the job printed 1.5 s later
    assert.ok(at < lineIndex(r.stderr, 'failed (exitcode: 1) local_rank: 0'), r.stderr);
    assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('duct: CUDA out of memory')).length, 2, 'one notice per failure');

    const events = readJsonl(join(t.dir, 'logs', 'run_events.jsonl'));
    for (const e of events) assertValid(schemas.event, e);
    // which stream's copy is read first depends on the pipes: the event names one line, also_at the other
    const lines = (e: DetectorEvent): string[] => [`${e.stream}:${e.line_number}`, ...(e.also_at ?? []).map((a) => `${a.stream}:${a.line_number}`)].sort();
    assert.deepEqual(
      events.map((e) => [e.kind, e.attributes.rank, e.attributes['cuda_oom.gpu_index'], e.attributes['cuda_oom.tried_alloc_bytes'], lines(e)]).sort((a, b) => Number(a[1]) - Number(b[1])),
      [
        ['cuda_oom', 0, 0, 2147483648, ['stderr:5']],
        ['cuda_oom', 1, 0, 2684354548, ['stderr:6', 'stdout:3']],
      ],
    );
    const info = JSON.parse(readFileSync(join(t.dir, 'logs', 'run_info.json'), 'utf8')) as { detectors: { counts: Record<string, number> } };
    assert.deepEqual(info.detectors.counts, { cuda_oom: 2 });

    // offline over the captured files: the same two failures (plain files carry no per-line times)
    const offline = await runCli(['detect', join('logs', 'run_stdout'), join('logs', 'run_stderr')], { cwd: t.dir });
    assert.equal(offline.code, 0, offline.stderr);
    const found = offline.stdout.trim().split('\n').map((l) => JSON.parse(l) as DetectorEvent);
    assert.deepEqual(
      found.map((e) => [e.attributes.rank, lines(e)]),
      [
        [1, ['stderr:6', 'stdout:3']],
        [0, ['stderr:5']],
      ],
    );
  } finally {
    t.cleanup();
  }
});

test('duct run -q says nothing live (nor at the end)', async () => {
  const t = tempDir('duct-ranks-q-');
  try {
    const r = await runCli(['-q', '--fail-time', '0', '-p', 'logs/run_', '--', 'print-rank-ooms'], { cwd: t.dir });
    assert.equal(r.code, 1);
    assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('duct:')).length, 0, r.stderr);
    assert.equal(readJsonl(join(t.dir, 'logs', 'run_events.jsonl')).length, 2, 'the events are still written');
  } finally {
    t.cleanup();
  }
});

test('a replayed real log: the hang verdict fires live, after the last step printed (a buffered burst), joined by the worker killed', async () => {
  const t = tempDir('duct-replay-hang-');
  try {
    const plan = join(REPO_ROOT, 'test', 'fixtures', 'replays', 'hang-after-worker-killed.json');
    const r = await runCli(['--hang-threshold', '2', '-p', 'logs/run_', '--', 'replay-log', plan], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    const killed = lineIndex(r.stderr, 'duct: DataLoader worker (pid 19597) killed');
    const hang = lineIndex(r.stderr, 'duct: DataLoader hang: no training step for 2 s after step 4080, with a DataLoader worker killed');
    const after = lineIndex(r.stderr, 'closing signal SIGHUP');
    assert.ok(killed >= 0 && hang > killed && after > hang, r.stderr);

    const events = readJsonl(join(t.dir, 'logs', 'run_events.jsonl'));
    for (const e of events) assertValid(schemas.event, e);
    assert.deepEqual(events.map((e) => e.kind), ['dataloader_error', 'verdict']);
    const v = events[1]!.verdict!;
    assertValid(schemas.verdict, v);
    assert.equal(v.discriminator, 'worker_killed');
    assert.equal(v.last_step, 4080);
    assert.equal(v.stall_signal, 'step_progress');
    assert.equal(v.evidence_trail[1]?.error_class, 'DataLoader worker killed');
    assert.equal(v.evidence_trail[1]?.worker_pid, 19597);
    // the stall began at the burst that printed 4079 and 4080, not at the earlier step 4078
    const stallStart = Date.parse(v.evidence_trail[0]!.timestamp);
    const errorAt = Date.parse(v.evidence_trail[1]!.timestamp);
    assert.ok(errorAt - stallStart >= 500 && errorAt - stallStart < 2000, `stall ${v.evidence_trail[0]!.timestamp}, error ${v.evidence_trail[1]!.timestamp}`);
  } finally {
    t.cleanup();
  }
});
