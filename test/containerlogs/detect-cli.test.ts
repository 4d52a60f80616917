import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { schemas } from '../../src/files/schemas.js';
import { pollUntil, runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { containerDir, cri, recordsValidator, ts, write } from './pods.js';

function eventsValidator(): ValidateFunction {
  const fn = schemas().validator('events');
  if (!fn) throw new Error('schema/events.schema.json is not loaded');
  return fn;
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('duct detect over a pod log glob prints schema-valid events carrying the container source', async () => {
  const { dir, cleanup } = tempDir('duct-clogs-cli-');
  try {
    const c = containerDir(dir);
    writeFileSync(join(c, '0.log.20240501-095900.gz'), gzipSync(cri(ts(1), 'stderr', 'F', 'OSError: [Errno 116] Stale file handle')));
    write(
      join(c, '0.log'),
      cri(ts(2), 'stdout', 'F', 'epoch 1 step 10'),
      cri(ts(3), 'stderr', 'P', 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.50 GiB. '),
      cri(ts(3), 'stderr', 'F', 'GPU 1 has a total capacity of 79.15 GiB of which 1.2 GiB is free.'),
    );
    const r = await runCli(['detect', join(dir, '*/*/*.log')], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const events = jsonLines(r.stdout);
    const validate = eventsValidator();
    for (const e of events) assert.ok(validate(e), JSON.stringify(validate.errors));
    const source = { namespace: 'ml', pod: 'train-0', pod_uid: '6f1c2d3e-0000-4000-8000-000000000001', container: 'trainer', restart_count: 0 };
    assert.deepEqual(
      events.map((e) => [e.kind, e.stream, e.line_number, e.source]),
      [
        ['dataloader_error', 'stderr', 1, { ...source, file: join(c, '0.log.20240501-095900.gz') }],
        ['cuda_oom', 'stderr', 2, { ...source, file: join(c, '0.log') }],
      ],
    );
    assert.deepEqual(events[1]!.attributes, { 'cuda_oom.tried_alloc_bytes': 1073741824 + 50 * Math.floor(1073741824 / 100), 'cuda_oom.gpu_index': 1, 'cuda_oom.exception': 'torch.OutOfMemoryError' });
  } finally {
    cleanup();
  }
});

test('duct detect --emit records --output writes exactly the expected schema-valid records; Docker files too', async () => {
  const { dir, cleanup } = tempDir('duct-clogs-cli-');
  try {
    const c = containerDir(dir, 'web', 'api', 'uid-9', 'app');
    const j = (log: string, stream: string, time: string): Buffer => Buffer.from(JSON.stringify({ log, stream, time }) + '\n');
    write(join(c, '1.log'), j('a', 'stdout', ts(1)), j('b\n', 'stdout', ts(2)), Buffer.from('not json\n'));
    const out = join(dir, 'records.jsonl');
    const r = await runCli(['detect', '--emit', 'records', '--output', out, join(c, '1.log')], { cwd: dir });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `duct: ${join(c, '1.log')}: malformed line at byte ${j('a', 'stdout', ts(1)).length + j('b\n', 'stdout', ts(2)).length} (not JSON), skipped\n`);
    const records = jsonLines(readFileSync(out, 'utf8'));
    assert.deepEqual(records, [
      {
        file: join(c, '1.log'), format: 'docker', stream: 'stdout', time: ts(1), time_unix_nano: '1714557601000000000', message: 'ab',
        chunks: 2, truncated: false, original_length_bytes: 2, incomplete: false,
        namespace: 'web', pod: 'api', pod_uid: 'uid-9', container: 'app', restart_count: 1,
      },
    ]);
    const validate = recordsValidator();
    for (const rec of records) assert.ok(validate(rec), JSON.stringify(validate.errors));
  } finally {
    cleanup();
  }
});

test('bad container options exit 2 with one line naming the valid choices', async () => {
  const { dir, cleanup } = tempDir('duct-clogs-cli-');
  try {
    const cases: [string[], RegExp][] = [
      [['--emit', 'lines'], /--emit.*events, records/],
      [['--rotate-size', 'big'], /--rotate-size big is not a size/],
      [['--start-at', 'middle'], /--start-at.*beginning, end/],
      [['--format', 'text', '--follow'], /--format text reads captured output files once/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['detect', ...args, 'x.log'], { cwd: dir });
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  } finally {
    cleanup();
  }
});

test('a corrupt cursor is reported on stderr and the pass starts from --start-at', async () => {
  const { dir, cleanup } = tempDir('duct-clogs-cli-');
  try {
    const c = containerDir(dir);
    const state = join(dir, 'state');
    mkdirSync(state);
    writeFileSync(join(state, 'detect-cursor.json'), 'garbage');
    write(join(c, '0.log'), cri(ts(1), 'stdout', 'F', 'kept'));
    const r = await runCli(['detect', '--emit', 'records', '--state-dir', state, join(dir, '*/*/*.log')], { cwd: dir });
    assert.equal(r.code, 0);
    assert.match(r.stderr, /^duct: cursor .*detect-cursor\.json is not valid JSON; starting from --start-at beginning\n$/);
    assert.deepEqual(jsonLines(r.stdout).map((x) => x.message), ['kept']);
    assert.equal(statSync(join(state, 'detect-cursor.json')).mode & 0o777, 0o600);
  } finally {
    cleanup();
  }
});

test('duct detect --follow: appends, rotation and compression while it runs; SIGTERM; a restart resumes from the cursor', async () => {
  const { dir, cleanup } = tempDir('duct-clogs-cli-follow-');
  const state = join(dir, 'state');
  mkdirSync(state);
  const out = join(dir, 'records.jsonl');
  const c = containerDir(dir);
  const live = join(c, '0.log');
  writeFileSync(live, '');
  const lines = (): Record<string, unknown>[] => (existsSync(out) ? jsonLines(readFileSync(out, 'utf8')) : []);
  const args = ['detect', '--follow', '--emit', 'records', '--state-dir', state, '--output', out, '--poll-interval', '0.02', join(dir, '*/*/*.log')];
  let n = 0;
  const append = (count: number): void => {
    for (let i = 0; i < count; i++, n++) appendFileSync(live, cri(ts(n % 60), n % 2 ? 'stderr' : 'stdout', 'F', `line ${n}`));
  };
  const runFollow = async (work: () => Promise<void>): Promise<CliResult> => {
    let child: { kill(s: NodeJS.Signals): boolean } | null = null;
    const done = runCli(args, { cwd: dir, timeoutMs: 30_000, onSpawn: (ch) => (child = ch) });
    try {
      await work();
    } finally {
      child!.kill('SIGTERM');
    }
    return done;
  };
  try {
    const first = await runFollow(async () => {
      append(30);
      await pollUntil(() => lines().length === 30, 10_000, '30 records');
      renameSync(live, join(c, '0.log.20240501-100000'));
      appendFileSync(join(c, '0.log.20240501-100000'), cri(ts(30), 'stdout', 'P', 'line 30 '));
      writeFileSync(live, cri(ts(30), 'stdout', 'F', 'joined'));
      n++;
      append(30);
      await pollUntil(() => lines().length === 61, 10_000, '61 records');
      const gz = join(c, '0.log.20240501-100000.gz');
      writeFileSync(`${gz}.tmp`, gzipSync(readFileSync(join(c, '0.log.20240501-100000'))));
      renameSync(`${gz}.tmp`, gz);
      rmSync(join(c, '0.log.20240501-100000'));
      append(20);
      await pollUntil(() => lines().length === 81, 10_000, '81 records');
    });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stderr, '');
    // a restart with lines written while it was down: only those come
    append(10);
    const second = await runFollow(() => pollUntil(() => lines().length === 91, 10_000, '91 records'));
    assert.equal(second.code, 0, second.stderr);
    const messages = lines().map((r) => r.message);
    assert.deepEqual(messages, Array.from({ length: 91 }, (_, i) => (i === 30 ? 'line 30 joined' : `line ${i}`)));
    assert.ok(lines().every((r) => r.incomplete === false));
  } finally {
    cleanup();
  }
});

test('duct detect --follow without a state dir prints each record as its poll finds it', async () => {
  const { dir, cleanup } = tempDir('duct-clogs-cli-follow-');
  const c = containerDir(dir);
  write(join(c, '0.log'), cri(ts(1), 'stdout', 'F', 'first'));
  let child: { kill(s: NodeJS.Signals): boolean; stdout: NodeJS.ReadableStream | null } | null = null;
  let seen = '';
  const done = runCli(['detect', '--follow', '--emit', 'records', '--poll-interval', '0.02', join(dir, '*/*/*.log')], {
    cwd: dir,
    timeoutMs: 30_000,
    onSpawn: (ch) => {
      child = ch;
      ch.stdout!.on('data', (b: Buffer) => (seen += b.toString()));
    },
  });
  try {
    await pollUntil(() => seen.includes('"first"'), 10_000, 'the first record');
    appendFileSync(join(c, '0.log'), cri(ts(2), 'stderr', 'F', 'second'));
    await pollUntil(() => seen.includes('"second"'), 10_000, 'the second record');
  } finally {
    child!.kill('SIGTERM');
  }
  const r = await done;
  cleanup();
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(jsonLines(r.stdout).map((x) => x.message), ['first', 'second']);
});

test('a glob over a container log and a captured plain-text file reads each in its own format; a new --state-dir is created 0700', async () => {
  const { dir, cleanup } = tempDir('duct-clogs-cli-');
  try {
    const logs = join(dir, 'logs');
    mkdirSync(logs);
    write(join(logs, 'app.log'), cri(ts(1), 'stderr', 'F', 'OSError: [Errno 107] Transport endpoint is not connected'));
    writeFileSync(join(logs, 'run_stderr'), 'RuntimeError: DataLoader worker (pid 4242) is killed by signal: Killed.\n');
    const state = join(dir, 'new', 'state');
    const r = await runCli(['detect', '--state-dir', state, join(logs, '*')], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const events = jsonLines(r.stdout);
    assert.deepEqual(
      events.map((e) => [e.kind, (e.attributes as Record<string, unknown>)['dataloader.error_class'], (e.source as Record<string, unknown>).file]),
      [
        ['dataloader_error', 'FUSE transport error', join(logs, 'app.log')],
        ['dataloader_error', 'DataLoader worker killed', join(logs, 'run_stderr')],
      ],
    );
    assert.equal(statSync(state).mode & 0o777, 0o700);
  } finally {
    cleanup();
  }
});
