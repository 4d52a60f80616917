import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { pollUntil, runCli, tempDir } from '../helpers/cli.js';
import { childrenOf, processState } from './procs.js';

const isRoot = process.getuid?.() === 0;
const gone = (pid: number) => processState(pid) === null || processState(pid) === 'Z';

/** duct's watchdog among its children: the fixed sh script named duct-watchdog. */
function watchdogOf(ductPid: number): number | null {
  for (const c of childrenOf(ductPid)) {
    try {
      if (readFileSync(`/proc/${c}/cmdline`, 'utf8').split('\0').includes('duct-watchdog') && !gone(c)) return c;
    } catch {
      // exited meanwhile
    }
  }
  return null;
}

/** This process's own v1 memory / v2 unified cgroup directory, where duct (run from here) makes its isolate groups. */
function ownCgroupDirs(): string[] {
  const dirs: string[] = [];
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const [, controllers, path] = line.split(':');
    if (path === undefined) continue;
    if (controllers === 'memory') dirs.push(join('/sys/fs/cgroup/memory', path));
    if (controllers === 'cpuacct' || controllers === 'cpu,cpuacct') dirs.push(join(`/sys/fs/cgroup/${controllers}`, path));
    if (controllers === '' && existsSync('/sys/fs/cgroup/cgroup.controllers')) dirs.push(join('/sys/fs/cgroup', path));
  }
  return dirs.filter((d) => existsSync(d));
}

test('a watchdog killed mid-run is noticed and replaced (one warning); a duct SIGKILLed afterwards still takes the command with it', async () => {
  const t = tempDir();
  try {
    let duct: ChildProcess | undefined;
    const pending = runCli(['--fail-time', '0', '-p', 'r_', 'sleep', '30'], { cwd: t.dir, onSpawn: (c) => (duct = c), timeoutMs: 30_000 });
    await pollUntil(() => existsSync(join(t.dir, 'r_info.json')) && watchdogOf(duct!.pid!) !== null, 10_000, 'the watchdog');
    const first = watchdogOf(duct!.pid!)!;
    const commandPid = JSON.parse(readFileSync(join(t.dir, 'r_info.json'), 'utf8')).pid as number;
    process.kill(first, 'SIGKILL');
    await pollUntil(() => {
      const w = watchdogOf(duct!.pid!);
      return w !== null && w !== first;
    }, 10_000, 'a new watchdog');
    duct!.kill('SIGKILL');
    const r = await pending;
    assert.equal(r.signal, 'SIGKILL');
    const warnings = r.stderr.split('\n').filter((l) => l.includes('watchdog'));
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(warnings[0]!, new RegExp(`^duct: warning: duct's watchdog \\(pid ${first}\\) ended \\(SIGKILL\\); started another`));
    await pollUntil(() => gone(commandPid), 10_000, 'the command to be killed by the second watchdog');
  } finally {
    t.cleanup();
  }
});

test('a duct SIGKILLed during a --cgroup isolate run: its watchdog kills the command and removes the isolate cgroups', { skip: isRoot ? false : 'needs root to create cgroups' }, async () => {
  const t = tempDir();
  try {
    let duct: ChildProcess | undefined;
    const pending = runCli(['--cgroup', 'isolate', '--fail-time', '0', '-p', 'r_', 'sleep', '30'], { cwd: t.dir, onSpawn: (c) => (duct = c), timeoutMs: 30_000 });
    await pollUntil(() => existsSync(join(t.dir, 'r_info.json')) && watchdogOf(duct!.pid!) !== null, 10_000, 'the run');
    const info = JSON.parse(readFileSync(join(t.dir, 'r_info.json'), 'utf8'));
    const name = (info.cgroup.memory_path as string).split('/').pop()!;
    assert.match(name, /^duct-\d+-[0-9a-z]+$/);
    const groups = ownCgroupDirs().map((d) => join(d, name)).filter((d) => existsSync(d));
    assert.ok(groups.length >= 1, 'the isolate groups exist while it runs');
    duct!.kill('SIGKILL');
    await pending;
    await pollUntil(() => gone(info.pid), 10_000, 'the command killed');
    await pollUntil(() => groups.every((g) => !existsSync(g)), 10_000, `the isolate groups removed: ${groups.join(', ')}`);
  } finally {
    t.cleanup();
  }
});

test('stale isolate groups whose duct is gone are removed by the next --cgroup isolate run; one whose duct lives is kept', { skip: isRoot ? false : 'needs root to create cgroups' }, async () => {
  const t = tempDir();
  const parents = ownCgroupDirs();
  const stale = parents.map((d) => join(d, 'duct-4194999-stale')); // above the largest pid_max: never alive
  const live = parents.map((d) => join(d, `duct-${process.pid}-live`));
  try {
    for (const d of [...stale, ...live]) mkdirSync(d);
    const r = await runCli(['--cgroup', 'isolate', '--fail-time', '0', '-p', 'r_', 'true'], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    for (const d of stale) assert.equal(existsSync(d), false, `${d} removed`);
    for (const d of live) assert.equal(existsSync(d), true, `${d} kept`);
  } finally {
    for (const d of [...stale, ...live]) if (existsSync(d)) rmdirSync(d);
    t.cleanup();
  }
});
