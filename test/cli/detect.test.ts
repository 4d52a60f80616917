import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers/cli.js';
import { assertValid, schemas } from '../detectors/schemas.js';
import type { DetectorEvent } from '../../src/detectors/types.js';

const STDERR = `Traceback (most recent call last):
  File "train.py", line 40, in <module>
    loss = model(batch).sum()
[rank0]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.15 GiB of which 1.23 GiB is free. Process 4321 has 77.91 GiB memory in use.

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
[rank0]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.15 GiB of which 1.23 GiB is free. Process 4321 has 77.91 GiB memory in use.
`;
const STDOUT = `step 1 loss=2.0
step 2 loss=1.9
RuntimeError: DataLoader worker (pid 123) is killed by signal: Killed.
all done\r
`;

function parseLines(text: string): DetectorEvent[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as DetectorEvent);
}

function withRun(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const t = tempDir('duct-detect-');
    try {
      writeFileSync(join(t.dir, 'run_stdout'), STDOUT);
      writeFileSync(join(t.dir, 'run_stderr'), STDERR);
      await fn(t.dir);
    } finally {
      t.cleanup();
    }
  };
}

test(
  'duct detect prints one JSON line per event found in captured files, each valid against the schema',
  withRun(async (dir) => {
    const r = await runCli(['detect', 'run_stdout', 'run_stderr'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const events = parseLines(r.stdout);
    for (const e of events) assertValid(schemas.event, e);
    assert.deepEqual(
      events.map((e) => [e.kind, e.stream, e.line_number, e.source]),
      [
        ['dataloader_error', 'stdout', 3, { file: 'run_stdout' }],
        ['cuda_oom', 'stderr', 4, { file: 'run_stderr' }],
      ],
    );
    assert.equal(events[0]!.attributes['dataloader.worker_pid'], 123);
    assert.equal(events[1]!.attributes['cuda_oom.tried_alloc_bytes'], 2147483648);
    assert.equal(events[1]!.attributes['cuda_oom.gpu_index'], 0);
  }),
);

test(
  '--events adds Kubernetes storage events; --output writes the lines to a file and nothing to stdout',
  withRun(async (dir) => {
    writeFileSync(
      join(dir, 'events.json'),
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          { reason: 'Scheduled', message: 'assigned', lastTimestamp: '2026-11-22T05:00:00Z' },
          {
            reason: 'FailedMount',
            message: 'MountVolume.SetUp failed for volume "data"',
            involvedObject: { kind: 'Pod', namespace: 'ml', name: 'train-0' },
            lastTimestamp: '2026-11-22T05:01:00Z',
          },
        ],
      }),
    );
    const r = await runCli(['detect', 'run_stdout', '--events', 'events.json', '--output', 'found.jsonl'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    const events = parseLines(readFileSync(join(dir, 'found.jsonl'), 'utf8'));
    for (const e of events) assertValid(schemas.event, e);
    assert.deepEqual(
      events.map((e) => e.kind),
      ['storage_event', 'dataloader_error'],
    );
    assert.deepEqual(events[0]!.attributes, { 'k8s.reason': 'FailedMount', 'k8s.object': 'Pod ml/train-0' });
    assert.equal(events[0]!.timestamp, '2026-11-22T05:01:00.000Z');
  }),
);

test(
  'a file with nothing to report prints nothing and exits 0',
  withRun(async (dir) => {
    writeFileSync(join(dir, 'quiet'), 'hello\nworld\n');
    const r = await runCli(['detect', 'quiet'], { cwd: dir });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '');
  }),
);

const badInputs: [string, string[], number, RegExp][] = [
  ['a missing file', ['detect', 'run_stdout', 'nope'], 1, /^duct: cannot read nope: ENOENT/],
  ['no file at all', ['detect'], 2, /^duct: duct detect needs at least one FILE/],
  ['an invalid --step-pattern', ['detect', 'run_stdout', '--step-pattern', '(('], 2, /^duct: --step-pattern "\(\(" is not a valid regular expression/],
  ['a zero --hang-threshold', ['detect', 'run_stdout', '--hang-threshold', '0'], 2, /^duct: --hang-threshold 0 is not valid; give a number of seconds > 0/],
  ['an unknown option', ['detect', 'run_stdout', '--follow-me'], 2, /^duct: unknown option --follow-me/],
  ['--events that is not JSON', ['detect', '--events', 'run_stdout'], 1, /^duct: --events run_stdout is not JSON/],
  ['--events of another shape', ['detect', '--events', 'shape.json'], 1, /^duct: --events shape.json: expected `kubectl get events -o json` output/],
];

for (const [name, args, code, message] of badInputs) {
  test(
    `bad input, ${name}: one line on stderr, exit ${code}, nothing on stdout`,
    withRun(async (dir) => {
      writeFileSync(join(dir, 'shape.json'), '{"kind": "Pod"}');
      const r = await runCli(args, { cwd: dir });
      assert.equal(r.code, code, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      assert.equal(r.stdout, '');
    }),
  );
}

test(
  '--help shows the usage and an example',
  withRun(async (dir) => {
    const r = await runCli(['detect', '--help'], { cwd: dir });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Usage: duct detect \[OPTIONS\] FILES\.\.\./);
    assert.match(r.stdout, /--events/);
    assert.match(r.stdout, /Examples:/);
  }),
);
