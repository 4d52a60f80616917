import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pollUntil, runCli, tempDir } from '../helpers/cli.js';
import { childrenOf, cmdline, processState, sessionPids } from './procs.js';

const readyCount = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l === 'ready').length : 0);
const gone = (pid: number) => processState(pid) === null;
/** dead: gone, or a zombie whose reaping is no longer duct's (reparented to init or a subreaper). */
const dead = (pid: number) => [null, 'Z'].includes(processState(pid));

/**
 * A tree where nobody yields: sh ignores the signals, and two children log and ignore them.
 * Signals go to duct itself, spaced apart; returns what the run left behind.
 */
async function ignoringTree(signals: NodeJS.Signals[], extra: string[]) {
  const t = tempDir();
  let duct: ChildProcess | undefined;
  let session: number[] = [];
  try {
    const m1 = join(t.dir, 'm1');
    const m2 = join(t.dir, 'm2');
    const script = `trap "" TERM INT HUP; ignore-signals ${m1} & ignore-signals ${m2} & wait; wait`;
    const pending = runCli([...extra, '--fail-time', '0', '-p', 'r_', 'sh', '-c', script], { cwd: t.dir, onSpawn: (c) => (duct = c), timeoutMs: 60_000 });
    await pollUntil(() => readyCount(join(t.dir, 'r_stdout')) === 2 && existsSync(join(t.dir, 'r_info.json')), 30_000, 'both children ready');
    const info = JSON.parse(readFileSync(join(t.dir, 'r_info.json'), 'utf8'));
    session = sessionPids(info.pid);
    assert.equal(session.length, 3, 'sh and two children');
    const watchdog = childrenOf(duct!.pid!).find((p) => cmdline(p).includes('duct-watchdog'));
    assert.ok(watchdog, 'the watchdog runs as a child of duct');
    for (const s of signals) {
      duct!.kill(s);
      await new Promise((r) => setTimeout(r, 400));
    }
    const r = await pending;
    const marks = [m1, m2].map((m) => (existsSync(m) ? readFileSync(m, 'utf8') : ''));
    const final = JSON.parse(readFileSync(join(t.dir, 'r_info.json'), 'utf8'));
    return { r, marks, final, commandPid: info.pid as number, session, watchdog, cleanup: t.cleanup };
  } catch (e) {
    for (const p of session) if (!dead(p)) process.kill(p, 'SIGKILL');
    t.cleanup();
    throw e;
  }
}

async function assertNothingLeft(res: Awaited<ReturnType<typeof ignoringTree>>) {
  // the whole group was SIGKILLed: nothing of the tree still runs
  await pollUntil(() => res.session.every(dead), 10_000, 'every process of the tree to die');
  // duct reaped what was its own: the command and its watchdog leave no zombie behind
  await pollUntil(() => gone(res.commandPid), 5_000, `the command ${res.commandPid} reaped, not a zombie`);
  await pollUntil(() => gone(res.watchdog), 5_000, `the watchdog ${res.watchdog} reaped, not a zombie`);
}

test('SIGTERM to duct, a tree that ignores it: forwarded to every process of the group, SIGKILL after --kill-grace, nothing left, zombies reaped', async () => {
  const res = await ignoringTree(['SIGTERM'], ['--kill-grace', '1']);
  try {
    assert.deepEqual(res.marks, ['SIGTERM\n', 'SIGTERM\n'], 'each child got the forwarded SIGTERM');
    assert.equal(res.r.code, 137, res.r.stderr);
    assert.match(res.r.stderr, /still running 1 s after SIGTERM, killing it with SIGKILL/);
    assert.equal(res.final.status, 'finished');
    assert.equal(res.final.forcefully_terminated, true);
    assert.deepEqual(res.final.survivors, []);
    assert.match(res.r.stderr, /Summary:/);
    await assertNothingLeft(res);
  } finally {
    for (const p of res.session) if (!dead(p)) process.kill(p, 'SIGKILL');
    res.cleanup();
  }
});

test('SIGINT three times to duct, a tree that ignores it: two forwarded to the group, the third SIGKILLs it, nothing left, zombies reaped', async () => {
  const res = await ignoringTree(['SIGINT', 'SIGINT', 'SIGINT'], []);
  try {
    assert.deepEqual(res.marks, ['SIGINT\nSIGINT\n', 'SIGINT\nSIGINT\n']);
    assert.equal(res.r.code, 137, res.r.stderr);
    assert.equal(res.final.forcefully_terminated, true);
    assert.equal(res.final.signal, 'SIGKILL');
    await assertNothingLeft(res);
  } finally {
    for (const p of res.session) if (!dead(p)) process.kill(p, 'SIGKILL');
    res.cleanup();
  }
});

test('while it runs, duct reaps its own children (the command, ps calls): no zombie child of duct outlives 2 s', async () => {
  const t = tempDir();
  let duct: ChildProcess | undefined;
  try {
    // the ps collector forks one ps per sample: the children duct must keep reaping
    const pending = runCli(['--measurements', 'ps', '--s-i', '0.05', '--r-i', '0.5', '--fail-time', '0', '-p', 'r_', 'sleep', '3'], {
      cwd: t.dir,
      onSpawn: (c) => (duct = c),
    });
    const zombieSince = new Map<number, number>();
    let longest = 0;
    let polls = 0;
    let finished = false;
    void pending.then(() => (finished = true));
    while (!finished) {
      polls++;
      const now = Date.now();
      for (const c of childrenOf(duct!.pid!)) {
        if (processState(c) !== 'Z') continue;
        const since = zombieSince.get(c) ?? now;
        zombieSince.set(c, since);
        longest = Math.max(longest, now - since);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const r = await pending;
    assert.equal(r.code, 0, r.stderr);
    assert.ok(polls > 5, 'the run was watched');
    assert.ok(longest < 2000, `a zombie child of duct lived ${longest} ms`);
    const usage = readFileSync(join(t.dir, 'r_usage.jsonl'), 'utf8').trim().split('\n');
    assert.ok(usage.length >= 2, 'ps ran for several samples');
  } finally {
    t.cleanup();
  }
});
