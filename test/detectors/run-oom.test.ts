import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers/cli.js';
import type { DetectorEvent } from '../../src/detectors/types.js';
import { assertValid, schemas } from './schemas.js';

const readJsonl = (path: string): DetectorEvent[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as DetectorEvent);

test('duct run of a job dying of CUDA OOM: one cuda_oom event, the summary names it next to the exit code', async () => {
  const t = tempDir('duct-oom-');
  try {
    const r = await runCli(['--fail-time', '0', '-p', 'logs/run_', '--', 'print-oom-traceback'], { cwd: t.dir });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^Exit Code: 1 \(CUDA out of memory on GPU 0 trying to allocate 2\.00 GiB\)$/m);

    const events = readJsonl(join(t.dir, 'logs', 'run_events.jsonl'));
    for (const e of events) assertValid(schemas.event, e);
    assert.equal(events.length, 1, JSON.stringify(events));
    const [e] = events;
    assert.equal(e!.kind, 'cuda_oom');
    assert.equal(e!.stream, 'stderr');
    assert.equal(e!.line_number, 4);
    assert.equal(e!.attributes['cuda_oom.tried_alloc_bytes'], 2147483648);
    assert.equal(e!.attributes['cuda_oom.gpu_index'], 0);
    assert.equal(e!.attributes['cuda_oom.exception'], 'torch.OutOfMemoryError');

    const info = JSON.parse(readFileSync(join(t.dir, 'logs', 'run_info.json'), 'utf8')) as { detectors: Record<string, unknown> };
    assert.equal(info.detectors.enabled, true);
    assert.deepEqual(info.detectors.counts, { cuda_oom: 1 });
    assert.equal(info.detectors.headline, 'CUDA out of memory on GPU 0 trying to allocate 2.00 GiB');
    assert.deepEqual(info.detectors.first_cuda_oom, {
      timestamp: e!.timestamp,
      stream: 'stderr',
      line_number: 4,
      tried_alloc_bytes: 2147483648,
      gpu_index: 0,
    });

    // the same detectors offline over the captured file find the same event
    const offline = await runCli(['detect', join('logs', 'run_stderr')], { cwd: t.dir });
    assert.equal(offline.code, 0, offline.stderr);
    const found = offline.stdout.trim().split('\n').map((l) => JSON.parse(l) as DetectorEvent);
    assert.deepEqual(
      found.map((x) => [x.kind, x.line_number, x.attributes]),
      [[e!.kind, e!.line_number, e!.attributes]],
    );
  } finally {
    t.cleanup();
  }
});

test('duct run --detectors off: no events, no failure named', async () => {
  const t = tempDir('duct-oom-off-');
  try {
    const r = await runCli(['--detectors', 'off', '--fail-time', '0', '-p', 'logs/run_', '--', 'print-oom-traceback'], { cwd: t.dir });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^Exit Code: 1$/m);
    const eventsPath = join(t.dir, 'logs', 'run_events.jsonl');
    assert.ok(!existsSync(eventsPath) || readFileSync(eventsPath, 'utf8') === '', 'no events written');
    const info = JSON.parse(readFileSync(join(t.dir, 'logs', 'run_info.json'), 'utf8')) as { detectors: Record<string, unknown> };
    assert.deepEqual(info.detectors, { enabled: false, counts: {}, headline: null });
  } finally {
    t.cleanup();
  }
});
