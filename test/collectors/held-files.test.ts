import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeldFiles, heldFilesBudget } from '../../src/collectors/held-files.js';
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

test('heldFilesBudget: a quarter of the soft open-files limit, at most 4096, 256 when unknown', () => {
  const limits = (soft: string): string => `Limit                     Soft Limit           Hard Limit           Units     \nMax processes             63392                63392                processes \nMax open files            ${soft}                 1048576              files     \n`;
  assert.equal(heldFilesBudget(limits('1024')), 256);
  assert.equal(heldFilesBudget(limits('20000')), 4096);
  assert.equal(heldFilesBudget(limits('unlimited')), 4096);
  assert.equal(heldFilesBudget(limits('3')), 0, 'no room: every file is read by path');
  assert.equal(heldFilesBudget(null), 256);
  assert.equal(heldFilesBudget('garbage'), 256);
});

test('with a budget of 0 nothing is held and reads still work', () => {
  const t = tempDir();
  try {
    const a = join(t.dir, 'a');
    writeFileSync(a, 'one');
    const files = new HeldFiles(0);
    assert.equal(files.read(a), 'one');
    assert.equal(files.size, 0);
  } finally {
    t.cleanup();
  }
});

test('out of descriptors (EMFILE): held ones are given back and every read still answers', { skip: process.platform === 'win32' && 'needs sh and ulimit' }, () => {
  const t = tempDir();
  try {
    for (let i = 0; i < 100; i++) writeFileSync(join(t.dir, `f${i}`), `text ${i}`);
    const moduleUrl = new URL('../../src/collectors/held-files.js', import.meta.url).href;
    const script = `const { HeldFiles } = await import(${JSON.stringify(moduleUrl)});
      const files = new HeldFiles(1000);
      const bad = [];
      for (let i = 0; i < 100; i++) if (files.read(${JSON.stringify(t.dir)} + '/f' + i) !== 'text ' + i) bad.push(i);
      console.log(JSON.stringify({ bad, held: files.size }));`;
    // a hard limit of 64 descriptors that node cannot raise
    const r = spawnSync('sh', ['-c', 'ulimit -n 64 && exec "$0" --input-type=module -e "$1"', process.execPath, script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { bad: number[]; held: number };
    assert.deepEqual(out.bad, [], 'no file read as gone');
    assert.ok(out.held < 64, `held ${out.held}`);
  } finally {
    t.cleanup();
  }
});
