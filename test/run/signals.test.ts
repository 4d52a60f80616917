import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { inTempDir, pollUntil, runCli } from '../helpers/cli.js';
import { assertRunValid } from '../helpers/validate.js';


/** Run duct on a fixture, wait for its `ready` line, then deliver `signals` to duct itself, spaced apart. */
async function signalled(dir: string, args: string[], signals: NodeJS.Signals[]) {
  let child: ChildProcess | undefined;
  const pending = runCli(args, { cwd: dir, onSpawn: (c) => (child = c), timeoutMs: 30_000 });
  await pollUntil(() => existsSync(join(dir, 'r_stdout')) && readFileSync(join(dir, 'r_stdout'), 'utf8').includes('ready'), 10_000, 'ready');
  for (const s of signals) {
    child!.kill(s);
    await new Promise((r) => setTimeout(r, 300));
  }
  return pending;
}

for (const sig of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) {
  test(`${sig} to duct is forwarded to the command, and duct still writes its files`, () =>
    inTempDir(async (dir) => {
      const marker = join(dir, 'marker');
      const r = await signalled(dir, ['--fail-time', '0', '-p', 'r_', 'trap-term', marker, '5'], [sig]);
      assert.equal(readFileSync(marker, 'utf8'), `${sig}\n`);
      assert.equal(r.code, 5, r.stderr);
      const info = JSON.parse(readFileSync(join(dir, 'r_info.json'), 'utf8'));
      assert.equal(info.status, 'finished');
      assert.equal(info.exit_code, 5);
      assert.equal(info.forcefully_terminated, false);
      assert.match(r.stderr, /Summary:/);
      await assertRunValid(join(dir, 'r_'));
    }));
}

test('SIGINT: the first and second are forwarded, the third kills the command with SIGKILL', () =>
  inTempDir(async (dir) => {
    const marker = join(dir, 'marker');
    const r = await signalled(dir, ['--fail-time', '0', '-p', 'r_', 'ignore-signals', marker], ['SIGINT', 'SIGINT', 'SIGINT']);
    assert.equal(readFileSync(marker, 'utf8'), 'SIGINT\nSIGINT\n');
    assert.equal(r.code, 137);
    const info = JSON.parse(readFileSync(join(dir, 'r_info.json'), 'utf8'));
    assert.equal(info.signal, 'SIGKILL');
    assert.equal(info.forcefully_terminated, true);
  }));

test('a command that ignores a forwarded SIGTERM is killed after --kill-grace, and that is recorded', () =>
  inTempDir(async (dir) => {
    const marker = join(dir, 'marker');
    const started = Date.now();
    const r = await signalled(dir, ['--kill-grace', '1', '--fail-time', '0', '-p', 'r_', 'ignore-signals', marker], ['SIGTERM']);
    assert.ok(Date.now() - started < 10_000);
    assert.equal(readFileSync(marker, 'utf8'), 'SIGTERM\n');
    assert.equal(r.code, 137);
    assert.match(r.stderr, /still running 1 s after SIGTERM, killing it with SIGKILL/);
    const info = JSON.parse(readFileSync(join(dir, 'r_info.json'), 'utf8'));
    assert.equal(info.forcefully_terminated, true);
    assert.equal(info.duct_exit_code, 137);
    await assertRunValid(join(dir, 'r_'));
  }));

test('children left running in the new session: duct ends with the primary command and names them', () =>
  inTempDir(async (dir) => {
    const started = Date.now();
    const r = await runCli(['-p', 'r_', 'spawn-children', '2', '3'], { cwd: dir });
    const took = Date.now() - started;
    assert.equal(r.code, 0, r.stderr);
    assert.ok(took < 2900, `duct waited ${took} ms for children it should not wait for`);
    const pids = r.stdout.trim().split(' ').map(Number);
    const info = JSON.parse(readFileSync(join(dir, 'r_info.json'), 'utf8'));
    assert.deepEqual(info.survivors, pids);
    assert.match(r.stderr, /leaving 2 process\(es\) of its session running/);
    for (const p of pids) process.kill(p, 'SIGKILL');
  }));

test('duct killed with SIGKILL: the command group dies with it, info.json is whole, output is captured up to the kill', () =>
  inTempDir(async (dir) => {
    const marker = join(dir, 'marker');
    let child: ChildProcess | undefined;
    const pending = runCli(['-p', 'r_', 'sh', '-c', `trap-term ${marker} & echo ready; wait`], { cwd: dir, onSpawn: (c) => (child = c) });
    const readies = () => (existsSync(join(dir, 'r_stdout')) ? readFileSync(join(dir, 'r_stdout'), 'utf8').split('\n').filter((l) => l === 'ready').length : 0);
    await pollUntil(() => readies() === 2, 10_000, 'both processes ready');
    await pollUntil(() => existsSync(join(dir, 'r_info.json')), 5_000, 'info.json');
    const info = JSON.parse(readFileSync(join(dir, 'r_info.json'), 'utf8'));
    assert.equal(info.status, 'running');
    child!.kill('SIGKILL');
    const r = await pending;
    assert.equal(r.signal, 'SIGKILL');
    // the whole group (sh and its trap-term child) is killed, not just sent a catchable signal
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await pollUntil(() => !alive(info.pid), 5_000, 'the command to be killed');
    assert.equal(existsSync(marker), false, 'SIGKILL, not a catchable signal, ended the group');
    const after = JSON.parse(readFileSync(join(dir, 'r_info.json'), 'utf8'));
    assert.equal(after.status, 'running', 'the last complete version stays');
    await assertRunValid(join(dir, 'r_'), { allowWarnings: true });
    assert.equal(readies(), 2);
  }));
