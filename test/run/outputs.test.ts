import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { inTempDir, runCli } from '../helpers/cli.js';
import { assertRunValid } from '../helpers/validate.js';

/** The bytes write-bytes produces, recomputed here. */
function expectedBytes(mib: number): Buffer {
  const chunk = Buffer.alloc(64 * 1024);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 7 + (i >> 8)) & 0xff;
  return Buffer.concat(Array.from({ length: mib * 16 }, () => chunk));
}
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');


test('binary stdout passes through and is captured byte for byte', () =>
  inTempDir(async (dir) => {
    const r = await runCli(['-p', 'b_', 'write-bytes', '2'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const want = sha(expectedBytes(2));
    assert.equal(sha(r.stdoutBytes), want);
    assert.equal(sha(readFileSync(join(dir, 'b_stdout'))), want);
    assert.equal(statSync(join(dir, 'b_stderr')).size, 0);
    await assertRunValid(join(dir, 'b_'));
  }));

/** Run duct on `write-bytes MIB` (extra duct args first) and return its result and its peak RSS (VmHWM, KiB) polled while it ran. */
async function peakWhilePassing(dir: string, mib: number, extra: string[] = []) {
  let peakKiB = 0;
  let poll: NodeJS.Timeout | undefined;
  const r = await runCli(['-q', ...extra, '-p', `big${mib}_`, 'write-bytes', String(mib)], {
    cwd: dir,
    timeoutMs: 180_000,
    onSpawn: (child) => {
      poll = setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) peakKiB = Math.max(peakKiB, Number(m[1]));
        } catch {
          // exited
        }
      }, 25);
    },
  });
  clearInterval(poll);
  return { r, peakKiB };
}

test('a 100 MB stream passes through intact, byte for byte, to the terminal and the capture file', () =>
  inTempDir(async (dir) => {
    const { r, peakKiB } = await peakWhilePassing(dir, 100);
    assert.equal(r.code, 0, r.stderr);
    const want = sha(expectedBytes(100));
    assert.equal(r.stdoutBytes.length, 100 * 1024 * 1024);
    assert.equal(sha(r.stdoutBytes), want);
    assert.equal(sha(readFileSync(join(dir, 'big100_stdout'))), want);
    assert.ok(peakKiB > 0 && peakKiB < 160 * 1024, `duct peak RSS ${peakKiB} KiB`);
  }));

test("duct's memory stays flat whatever the volume: 300 MB captured costs under 32 MB more than 30 MB", () =>
  inTempDir(async (dir) => {
    const small = await peakWhilePassing(dir, 30, ['-o', 'none']);
    const big = await peakWhilePassing(dir, 300, ['-o', 'none']);
    assert.equal(big.r.code, 0, big.r.stderr);
    assert.equal(statSync(join(dir, 'big300_stdout')).size, 300 * 1024 * 1024);
    assert.ok(small.peakKiB > 0 && big.peakKiB > 0, 'read duct peak memory');
    assert.ok(big.peakKiB - small.peakKiB < 32 * 1024, `duct peak RSS ${big.peakKiB} KiB for 300 MB vs ${small.peakKiB} KiB for 30 MB`);
  }));

test('stdout and stderr are drained concurrently and each keeps its order', () =>
  inTempDir(async (dir) => {
    const r = await runCli(['-q', '-p', 'i_', 'interleave', '2000'], { cwd: dir });
    assert.equal(r.code, 0);
    const outLines = Array.from({ length: 2000 }, (_, i) => `out ${i}`).join('\n') + '\n';
    const errLines = Array.from({ length: 2000 }, (_, i) => `err ${i}`).join('\n') + '\n';
    assert.equal(r.stdout, outLines);
    assert.equal(r.stderr, errLines);
    assert.equal(readFileSync(join(dir, 'i_stdout'), 'utf8'), outLines);
    assert.equal(readFileSync(join(dir, 'i_stderr'), 'utf8'), errLines);
  }));

test('-o and -c choose the streams passed through and captured', () =>
  inTempDir(async (dir) => {
    const r = await runCli(['-q', '-o', 'stderr', '-c', 'stdout', '-p', 's_', 'interleave', '3'], { cwd: dir });
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'err 0\nerr 1\nerr 2\n');
    assert.equal(readFileSync(join(dir, 's_stdout'), 'utf8'), 'out 0\nout 1\nout 2\n');
    assert.throws(() => statSync(join(dir, 's_stderr')));
    const none = await runCli(['-q', '-o', 'none', '-c', 'none', '-p', 'n_', 'interleave', '3'], { cwd: dir });
    assert.equal(none.stdout + none.stderr, '');
    const info = JSON.parse(readFileSync(join(dir, 'n_info.json'), 'utf8'));
    assert.equal(info.output_paths.stdout, null);
    assert.equal(info.output_paths.stderr, null);
    await assertRunValid(join(dir, 'n_'));
  }));

test('stdin passes through to the command', () =>
  inTempDir(async (dir) => {
    const r = await runCli(['-q', '-p', 'c_', 'cat'], { cwd: dir, input: 'typed by a person\nsecond line\n' });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'typed by a person\nsecond line\n');
    assert.equal(readFileSync(join(dir, 'c_stdout'), 'utf8'), 'typed by a person\nsecond line\n');
  }));
