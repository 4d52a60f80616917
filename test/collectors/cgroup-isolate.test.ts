import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIsolateCgroup, isolateArgvPrefix, removeCgroupDirs } from '../../src/collectors/cgroup-isolate.js';

test('the isolate wrapper is a fixed script; paths and the command are arguments, never interpolated', () => {
  const dir = mkdtempSync(join(tmpdir(), 'duct-iso-'));
  try {
    const a = join(dir, 'a procs');
    const b = join(dir, "b'$(touch pwned)");
    writeFileSync(a, '');
    writeFileSync(b, '');
    const prefix = isolateArgvPrefix([a, b]);
    assert.deepEqual(prefix.slice(0, 3), ['/bin/sh', '-c', 'echo $$ > "$0" && echo $$ > "$1" && shift && exec "$@"']);
    const r = spawnSync(prefix[0]!, [...prefix.slice(1), 'sh', '-c', 'echo "$$ $1"', 'x', '$(echo not-run) ;|&'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const [pid, arg] = r.stdout.trim().split(' ', 2);
    assert.equal(readFileSync(a, 'utf8').trim(), pid, 'the command\'s own pid was written (exec keeps it)');
    assert.equal(readFileSync(b, 'utf8').trim(), pid);
    assert.equal(arg, '$(echo');
    assert.equal(r.stdout.trim(), `${pid} $(echo not-run) ;|&`);
    assert.deepEqual(isolateArgvPrefix([a]).slice(2), ['echo $$ > "$0" && exec "$@"', a]);
    assert.throws(() => isolateArgvPrefix([]));
    assert.equal(existsSync(join(dir, 'pwned')), false, 'a path is never run as shell text');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('v2 isolate on a fixture tree: one child group for memory and cpu, memory enabled in the parent, removed after', () => {
  const root = mkdtempSync(join(tmpdir(), 'duct-v2-'));
  try {
    const dir = join(root, 'sys/fs/cgroup/user.slice/app.scope');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cgroup.subtree_control'), '');
    const loc = { version: 'v2' as const, path: '/user.slice/app.scope', dir, mountDir: join(root, 'sys/fs/cgroup') };
    const iso = createIsolateCgroup({ version: 'v2', memory: loc, cpu: loc, jobMemory: null, memoryReason: null, cpuReason: null }, 'duct-test');
    assert.deepEqual(iso.procsFiles, [join(dir, 'duct-test', 'cgroup.procs')]);
    assert.equal(iso.layout.memory?.path, '/user.slice/app.scope/duct-test');
    assert.equal(iso.layout.cpu?.dir, join(dir, 'duct-test'));
    assert.equal(readFileSync(join(dir, 'cgroup.subtree_control'), 'utf8'), '+memory');
    assert.deepEqual(removeCgroupDirs(iso.dirs), []);
    assert.equal(existsSync(join(dir, 'duct-test')), false);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('v1 isolate on a fixture tree: memory and cpuacct children, two cgroup.procs for the wrapper', () => {
  const root = mkdtempSync(join(tmpdir(), 'duct-v1-'));
  try {
    const mem = join(root, 'memory/slurm/job_1/step_0');
    const cpu = join(root, 'cpuacct/slurm/job_1/step_0');
    mkdirSync(mem, { recursive: true });
    mkdirSync(cpu, { recursive: true });
    const l = (dir: string) => ({ version: 'v1' as const, path: '/slurm/job_1/step_0', dir, mountDir: root });
    const iso = createIsolateCgroup({ version: 'v1', memory: l(mem), cpu: l(cpu), jobMemory: null, memoryReason: null, cpuReason: null }, 'duct-x');
    assert.deepEqual(iso.procsFiles, [join(mem, 'duct-x', 'cgroup.procs'), join(cpu, 'duct-x', 'cgroup.procs')]);
    assert.equal(isolateArgvPrefix(iso.procsFiles).length, 5);
    assert.deepEqual(removeCgroupDirs(iso.dirs), []);
    assert.equal(existsSync(join(mem, 'duct-x')) || existsSync(join(cpu, 'duct-x')), false);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
