import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Tailer, type TailerNotice, type TailerOptions } from '../../src/containerlogs/index.js';
import type { LogRecord } from '../../src/containerlogs/record.js';
import { pollUntil, tempDir } from '../helpers/cli.js';
import { containerDir, cri, ts, write } from './pods.js';

function tailer(patterns: string[], over: Partial<TailerOptions>): { t: Tailer; records: LogRecord[]; notices: TailerNotice[] } {
  const records: LogRecord[] = [];
  const notices: TailerNotice[] = [];
  const t = new Tailer({
    patterns,
    cwd: process.cwd(),
    follow: true,
    startAt: 'beginning',
    stateDir: null,
    rotateSizeBytes: 10 * 1024 * 1024,
    rotateStallMs: 30_000,
    idleTimeoutMs: 60_000,
    pollIntervalMs: 10,
    maxRecordBytes: 1024 * 1024,
    now: () => Date.now(),
    onRecord: (r) => records.push(r),
    onNotice: (n) => notices.push(n),
    ...over,
  });
  return { t, records, notices };
}

test('follow: appends, a rename rotation, compression and a copytruncate lose and duplicate no line', async () => {
  const { dir, cleanup } = tempDir('duct-clogs-follow-');
  const c = containerDir(dir);
  const live = join(c, '0.log');
  writeFileSync(live, '');
  const { t, records, notices } = tailer([join(dir, '*/*/*.log')], { stateDir: dir });
  const running = t.run();
  try {
    let n = 0;
    const emit = async (count: number): Promise<void> => {
      for (let i = 0; i < count; i++, n++) {
        // every 7th message is written in two chunks, the second sometimes landing after a rotation
        if (n % 7 === 3) {
          appendFileSync(live, cri(ts(n % 60), 'stdout', 'P', `line ${n} `));
          appendFileSync(live, cri(ts(n % 60), 'stdout', 'F', 'joined'));
        } else {
          appendFileSync(live, cri(ts(n % 60), 'stdout', 'F', `line ${n}`));
        }
        if (i % 10 === 0) await new Promise((r) => setTimeout(r, 3));
      }
    };
    await emit(50);
    await pollUntil(() => records.length >= 40, 10_000, 'first lines');
    // kubelet rotation: rename, a late write into the renamed file, a new live file
    renameSync(live, join(c, '0.log.20240501-100001'));
    appendFileSync(join(c, '0.log.20240501-100001'), cri(ts(1), 'stdout', 'P', `line ${n} `));
    writeFileSync(live, cri(ts(1), 'stdout', 'F', 'joined'));
    n++;
    await emit(50);
    // later, compression via a temporary file, then the plain one removed
    const gz = join(c, '0.log.20240501-100001.gz');
    writeFileSync(`${gz}.tmp`, gzipSync(readFileSync(join(c, '0.log.20240501-100001'))));
    renameSync(`${gz}.tmp`, gz);
    rmSync(join(c, '0.log.20240501-100001'));
    await emit(50);
    // copytruncate of the live file
    await pollUntil(() => records.length === n, 10_000, 'lines before copytruncate');
    appendFileSync(live, cri(ts(2), 'stdout', 'F', `line ${n}`));
    n++;
    writeFileSync(join(c, '0.log.20240501-100002'), readFileSync(live));
    writeFileSync(live, '');
    await emit(50);
    await pollUntil(() => records.length >= n, 10_000, `${n} records`);
    await new Promise((r) => setTimeout(r, 100)); // a few more polls: nothing may come twice
  } finally {
    t.stop();
    await running;
    cleanup();
  }
  const expected = Array.from({ length: records.length }, (_, i) => (i % 7 === 3 || i === 50 ? `line ${i} joined` : `line ${i}`));
  assert.deepEqual(records.map((r) => r.message), expected);
  assert.equal(records.length, 202);
  assert.ok(records.every((r) => !r.incomplete && !r.truncated));
  assert.deepEqual(notices, []);
});

test('follow: a partial left alone past the idle timeout is flushed as incomplete', async () => {
  const { dir, cleanup } = tempDir('duct-clogs-idle-');
  const { t, records } = tailer([join(dir, '*/*/*.log')], { idleTimeoutMs: 200 });
  const running = t.run();
  try {
    const c = containerDir(dir);
    write(join(c, '0.log'), cri(ts(1), 'stderr', 'P', 'no end in sight'));
    await pollUntil(() => records.length === 1, 5_000, 'idle flush');
    assert.deepEqual([records[0]!.message, records[0]!.incomplete, records[0]!.stream], ['no end in sight', true, 'stderr']);
  } finally {
    t.stop();
    await running;
    cleanup();
  }
});

test('a live log above the rotation size for 30 s gives one rotation-stalled warning', async () => {
  const { dir, cleanup } = tempDir('duct-clogs-stall-');
  let clock = 1_000_000;
  const { t, notices } = tailer([join(dir, '*/*/*.log')], { follow: false, rotateSizeBytes: 100, now: () => clock });
  try {
    const c = containerDir(dir);
    const line = cri(ts(1), 'stdout', 'F', 'x'.repeat(200));
    write(join(c, '0.log'), line);
    await t.poll();
    clock += 29_999;
    await t.poll();
    assert.deepEqual(notices, []);
    clock += 1;
    await t.poll();
    clock += 10_000;
    await t.poll();
    assert.deepEqual(notices, [
      {
        kind: 'rotation_stalled',
        file: join(c, '0.log'),
        meta: { namespace: 'ml', pod: 'train-0', pod_uid: '6f1c2d3e-0000-4000-8000-000000000001', container: 'trainer', restart_count: 0 },
        sizeBytes: line.length,
        rotateSizeBytes: 100,
        stalledMs: 30_000,
      },
    ]);
  } finally {
    cleanup();
  }
});

test('a crash with a partial pending keeps it in the cursor, so the restart joins it', async () => {
  const { dir, cleanup } = tempDir('duct-clogs-crash-');
  try {
    const c = containerDir(dir);
    const state = join(dir, 'state');
    mkdirSync(state);
    write(join(c, '0.log'), cri(ts(1), 'stdout', 'P', 'before '));
    const first = tailer([join(dir, '*/*/*.log')], { stateDir: state, follow: false });
    await first.t.poll(); // a poll writes the cursor; no close(): as if killed here
    assert.deepEqual(first.records, []);
    appendFileSync(join(c, '0.log'), cri(ts(2), 'stdout', 'F', 'after'));
    const second = tailer([join(dir, '*/*/*.log')], { stateDir: state, follow: false });
    await second.t.run();
    assert.deepEqual(second.records.map((r) => [r.message, r.chunks, r.incomplete, r.timeText]), [['before after', 2, false, ts(1)]]);
  } finally {
    cleanup();
  }
});

test('a rename that lands between listing the directory and opening 0.log defers the new file until the old one is finished', async () => {
  const { dir, cleanup } = tempDir('duct-clogs-race-');
  try {
    const c = containerDir(dir);
    const live = join(c, '0.log');
    write(live, cri(ts(1), 'stdout', 'F', 'one'));
    const { t, records } = tailer([join(dir, '*/*/*.log')], { follow: false });
    await t.poll();
    const listedBefore = ['0.log'];
    appendFileSync(live, cri(ts(2), 'stdout', 'P', 'two '));
    renameSync(live, join(c, '0.log.20240501-100002'));
    write(live, cri(ts(3), 'stdout', 'F', 'halves'));
    // what pollStream does after its listing went stale: open 0.log, now the new file
    type Internals = { streams: Map<string, unknown>; pollFile(st: unknown, path: string, used: Set<unknown>, listed: string[]): Promise<string> };
    const inner = t as unknown as Internals;
    const outcome = await inner.pollFile(inner.streams.get(live), live, new Set(), listedBefore);
    assert.equal(outcome, 'raced');
    assert.deepEqual(records.map((r) => r.message), ['one']);
    await t.poll(); // a fresh listing: the rotated file first, then the new one
    assert.deepEqual(records.map((r) => r.message), ['one', 'two halves']);
  } finally {
    cleanup();
  }
});

test('an idle poll opens nothing: unchanged files (a .gz above all) are not read or decompressed again', async () => {
  const { dir, cleanup } = tempDir('duct-clogs-idlepoll-');
  try {
    const c = containerDir(dir);
    writeFileSync(join(c, '0.log.20240501-095000.gz'), gzipSync(cri(ts(1), 'stdout', 'F', 'old')));
    write(join(c, '0.log'), cri(ts(2), 'stdout', 'F', 'new'));
    const { t, records } = tailer([join(dir, '*/*/*.log')], { follow: false });
    await t.poll();
    assert.deepEqual([t.stats.filesOpened, t.stats.filesRead, records.length], [2, 2, 2]);
    await t.poll();
    await t.poll();
    assert.deepEqual([t.stats.filesOpened, t.stats.filesRead, records.length], [2, 2, 2]);
    appendFileSync(join(c, '0.log'), cri(ts(3), 'stdout', 'F', 'newer'));
    await t.poll();
    assert.deepEqual([t.stats.filesOpened, t.stats.filesRead, records.map((r) => r.message)], [3, 3, ['old', 'new', 'newer']]);
  } finally {
    cleanup();
  }
});

test('a deleted pod is forgotten (memory and cursor) once gone for the grace period; a pod merely out of the pattern is kept', async () => {
  const { dir, cleanup } = tempDir('duct-clogs-forget-');
  try {
    let clock = 1_000_000;
    const gone = containerDir(dir, 'ml', 'gone', 'u1', 'c');
    const kept = containerDir(dir, 'ml', 'kept', 'u2', 'c');
    write(join(gone, '0.log'), cri(ts(1), 'stdout', 'P', 'half'));
    write(join(kept, '0.log'), cri(ts(1), 'stdout', 'F', 'k'));
    const { t, records, notices } = tailer([join(dir, '*/*/*.log')], { follow: false, stateDir: dir, forgetAfterMs: 60_000, now: () => clock });
    await t.poll();
    assert.equal(t.stats.streams, 2);
    rmSync(join(dir, 'ml_gone_u1'), { recursive: true });
    clock += 59_999;
    await t.poll();
    assert.equal(t.stats.streams, 2); // within the grace period
    clock += 1;
    await t.poll();
    assert.equal(t.stats.streams, 1);
    assert.deepEqual(records.map((r) => [r.meta?.pod, r.message, r.incomplete]), [['kept', 'k', false], ['gone', 'half', true]]);
    assert.deepEqual(notices, [{ kind: 'stream_forgotten', streamId: join(gone, '0.log') }]);
    const cursor = JSON.parse(readFileSync(join(dir, 'detect-cursor.json'), 'utf8')) as { files: { stream_id: string }[]; pending: unknown[] };
    assert.deepEqual([cursor.files.map((f) => f.stream_id), cursor.pending], [[join(kept, '0.log')], []]);
    // a later run over another pattern keeps what it does not look at
    const other = tailer([join(dir, 'nothing-here/*.log')], { follow: false, stateDir: dir, forgetAfterMs: 60_000, now: () => clock + 3_600_000 });
    await other.t.run();
    const after = JSON.parse(readFileSync(join(dir, 'detect-cursor.json'), 'utf8')) as { files: { stream_id: string }[] };
    assert.deepEqual(after.files.map((f) => f.stream_id), [join(kept, '0.log')]);
  } finally {
    cleanup();
  }
});
