import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeldFiles } from '../../src/collectors/held-files.js';
import { parseProcStat } from '../../src/collectors/proc-stat.js';
import { tempDir } from '../helpers/cli.js';

const onLinux = existsSync('/proc/self/stat');

test('a held /proc file is generated afresh on each read', { skip: !onLinux && 'needs /proc' }, () => {
  const files = new HeldFiles();
  try {
    const ticks = (): number => {
      const st = parseProcStat(files.read('/proc/self/stat')!);
      return st.utimeTicks + st.stimeTicks;
    };
    const before = ticks();
    assert.equal(files.size, 1);
    const t0 = process.cpuUsage();
    // burn until the kernel has charged this process at least 5 more ticks
    while ((process.cpuUsage(t0).user + process.cpuUsage(t0).system) / 1e6 < 0.08) Math.sqrt(Math.random());
    assert.ok(ticks() >= before + 5, 'the held descriptor shows new CPU time');
    assert.equal(files.size, 1, 'read through the same descriptor');
  } finally {
    files.close();
  }
  assert.equal(files.size, 0);
});

test('a held file of a process that was reaped reads as gone, and its descriptor is dropped', { skip: !onLinux && 'needs /proc' }, async () => {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  const files = new HeldFiles();
  try {
    const path = `/proc/${child.pid!}/stat`;
    assert.equal(parseProcStat(files.read(path)!).pid, child.pid);
    const reaped = new Promise((r) => child.on('exit', r));
    child.kill('SIGKILL');
    await reaped;
    assert.equal(files.read(path), null);
    assert.equal(files.size, 0);
  } finally {
    child.kill('SIGKILL');
    files.close();
  }
});

test('idle descriptors are closed after idleCalls passes; beyond max, files are read by path', () => {
  const t = tempDir();
  try {
    const a = join(t.dir, 'a');
    const b = join(t.dir, 'b');
    writeFileSync(a, 'one');
    writeFileSync(b, 'two');
    const files = new HeldFiles(1, 3);
    files.pass();
    assert.equal(files.read(a), 'one');
    assert.equal(files.read(b), 'two', 'over max: read by path');
    assert.equal(files.size, 1);
    assert.equal(files.read(join(t.dir, 'missing')), null);
    files.pass();
    files.pass();
    assert.equal(files.size, 1, 'idle for 2 passes: still held');
    files.pass();
    files.pass();
    files.pass();
    assert.equal(files.size, 0, 'idle for 3 passes or more: closed at the next sweep (every 3 passes)');
    files.close();
  } finally {
    t.cleanup();
  }
});
