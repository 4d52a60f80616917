import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pollUntil, runCli, tempDir } from '../helpers/cli.js';
import { assertRunValid } from '../helpers/validate.js';
import { processState, sessionPids } from './procs.js';

const lineCount = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').length : 0);

/** "line 1\nline 2\n..." up to n: what count-lines writes. */
const countedText = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}\n`).join('');

test('duct SIGKILLed mid-run, after several reports: the command tree dies, usage lines are whole, info.json is the last report, output is captured up to the kill, readers skip a torn line with a warning', async () => {
  const t = tempDir();
  let duct: ChildProcess | undefined;
  let commandPid = 0;
  try {
    const own = join(t.dir, 'own.log');
    const prefix = join(t.dir, 'r_');
    // a tree: sh, a sleeping child and the line counter, all in the command's session
    const pending = runCli(['--fail-time', '0', '--s-i', '0.1', '--r-i', '0.3', '-p', 'r_', 'sh', '-c', `sleep 300 & count-lines 20 ${own}; wait`], {
      cwd: t.dir,
      onSpawn: (c) => (duct = c),
      timeoutMs: 60_000,
    });
    await pollUntil(() => lineCount(`${prefix}usage.jsonl`) >= 3 && lineCount(`${prefix}stdout`) >= 10, 30_000, 'three reports and ten captured lines');
    const infoBefore = JSON.parse(readFileSync(`${prefix}info.json`, 'utf8'));
    commandPid = infoBefore.pid;
    await pollUntil(() => sessionPids(commandPid).length >= 3, 10_000, 'sh, sleep and count-lines in the session');
    const members = sessionPids(commandPid);
    const capturedBefore = lineCount(`${prefix}stdout`);
    duct!.kill('SIGKILL');
    const r = await pending;
    assert.equal(r.signal, 'SIGKILL');

    // the policy: the watchdog kills the command's whole process group, nothing is left orphaned
    await pollUntil(() => members.every((p) => processState(p) === null || processState(p) === 'Z'), 10_000, 'the whole command tree to die');

    // usage.jsonl: whole lines only (at most a torn last one), and they validate
    const usageLines = readFileSync(`${prefix}usage.jsonl`, 'utf8').split('\n');
    usageLines.pop(); // '' after the last newline, or a torn last line: the only one allowed not to parse
    for (const line of usageLines) assert.doesNotThrow(() => JSON.parse(line), `a whole usage line: ${line}`);
    assert.ok(usageLines.length >= 3, `${usageLines.length} reports`);
    // info.json: a complete version written at a report (it holds an execution summary), never half-written
    const info = JSON.parse(readFileSync(`${prefix}info.json`, 'utf8'));
    assert.equal(info.status, 'running');
    assert.ok(Object.keys(info.execution_summary).length > 0, 'the info.json of a report, not only the start version');
    assert.equal(readdirSync(t.dir).filter((f) => f.endsWith('.tmp')).length <= 1, true, 'at most one temp file of an interrupted write');
    await assertRunValid(prefix, { allowWarnings: true });

    // captured output: a gapless prefix of what the command wrote, holding everything seen before the kill
    const captured = readFileSync(`${prefix}stdout`, 'utf8');
    const wrote = readFileSync(own, 'utf8');
    assert.ok(wrote.startsWith(captured), 'the capture is a byte-exact prefix of the command output');
    assert.ok(lineCount(`${prefix}stdout`) >= capturedBefore);
    assert.equal(captured.slice(0, countedText(capturedBefore).length), countedText(capturedBefore));
    // what reached the terminal is a prefix too
    assert.ok(wrote.startsWith(r.stdout));

    // a torn last line (as a crash mid-write would leave): every reader skips it with a warning
    appendFileSync(`${prefix}usage.jsonl`, '{"timestamp":"2026-11-22T06:00:00+00:00","num_sam');
    const v = await runCli(['validate', prefix], { cwd: t.dir });
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.match(v.stdout + v.stderr, /torn|incomplete/i);
    const ls = await runCli(['ls', '-f', 'json', t.dir], { cwd: t.dir });
    assert.equal(ls.code, 0, ls.stderr);
    assert.equal(JSON.parse(ls.stdout).length, 1, 'the run is still listed');
    const plot = await runCli(['plot', '-o', join(t.dir, 'p.svg'), prefix], { cwd: t.dir });
    assert.equal(plot.code, 0, plot.stderr);
    assert.match(plot.stderr, /torn|incomplete/i, 'plot warns about the torn line');
    assert.ok(readFileSync(join(t.dir, 'p.svg'), 'utf8').includes('<svg'));
    const pp = await runCli(['pp', `${prefix}usage.jsonl`], { cwd: t.dir });
    assert.equal(pp.code, 0, pp.stderr);
    assert.match(pp.stderr, /torn|incomplete|line \d+/i, 'pp warns about the torn line');
    assert.equal(pp.stderr.trim().split('\n').length, 1, `one warning line: ${pp.stderr}`);
  } finally {
    if (commandPid) {
      try {
        process.kill(-commandPid, 'SIGKILL');
      } catch {
        // already gone, as it should be
      }
    }
    t.cleanup();
  }
});

test('duct SIGKILLed in --mode current-session: the command it started is killed too, not left orphaned', async () => {
  const t = tempDir();
  let duct: ChildProcess | undefined;
  let commandPid = 0;
  try {
    const pending = runCli(['--mode', 'current-session', '--fail-time', '0', '-p', 'r_', 'sleep', '300'], { cwd: t.dir, onSpawn: (c) => (duct = c) });
    await pollUntil(() => existsSync(join(t.dir, 'r_info.json')), 30_000, 'info.json');
    commandPid = JSON.parse(readFileSync(join(t.dir, 'r_info.json'), 'utf8')).pid;
    assert.equal(processState(commandPid) !== null, true, 'sleep runs');
    duct!.kill('SIGKILL');
    await pending;
    // sleep writes nothing, so no SIGPIPE ends it: only duct's policy can
    await pollUntil(() => [null, 'Z'].includes(processState(commandPid)), 5_000, 'the command to be killed with duct').catch((e: Error) => {
      assert.fail(`${e.message}: pid ${commandPid} (sleep) still runs, orphaned, after duct was SIGKILLed`);
    });
  } finally {
    if (commandPid && ![null, 'Z'].includes(processState(commandPid))) process.kill(commandPid, 'SIGKILL');
    t.cleanup();
  }
});
