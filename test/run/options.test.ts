import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inTempDir, runCli } from '../helpers/cli.js';
import { assertRunValid } from '../helpers/validate.js';


test('an unknown duct option exits 2 naming it, and runs nothing', () =>
  inTempDir(async (dir) => {
    const r = await runCli(['--no-such-option', 'exit-with', '0'], { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option --no-such-option/);
    assert.deepEqual(readdirSync(dir), []);
  }));

test('a missing command exits 2 with a usage line', () =>
  inTempDir(async (dir) => {
    const r = await runCli(['-p', 'x_'], { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no command given\. Usage: duct/);
  }));

test('--sample-interval greater than --report-interval is rejected before the command starts', () =>
  inTempDir(async (dir) => {
    const r = await runCli(['--sample-interval', '10', '--report-interval', '2', 'exit-with', '0'], { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--report-interval \(2\) must be greater than or equal to --sample-interval \(10\)/);
    assert.deepEqual(readdirSync(dir), []);
  }));

test('a bad choice names the valid ones', () =>
  inTempDir(async (dir) => {
    const r = await runCli(['--mode', 'sideways', 'exit-with', '0'], { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /new-session/);
    assert.match(r.stderr, /current-session/);
  }));

test('everything after the command word belongs to the command (duct echo --help prints --help)', () =>
  inTempDir(async (dir) => {
    const r = await runCli(['-p', 'r_', 'echo', '--help', '-p', '--clobber'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '--help -p --clobber\n');
    const info = JSON.parse(readFileSync(join(dir, 'r_info.json'), 'utf8'));
    assert.deepEqual(info.argv, ['echo', '--help', '-p', '--clobber']);
  }));

test('`duct run` and bare `duct` are the same, and -- separates the command', () =>
  inTempDir(async (dir) => {
    const a = await runCli(['run', '-p', 'a_', 'echo', 'x'], { cwd: dir });
    const b = await runCli(['-p', 'b_', '--', 'echo', 'x'], { cwd: dir });
    assert.equal(a.code, 0);
    assert.equal(b.code, 0);
    assert.equal(a.stdout, 'x\n');
    assert.equal(b.stdout, 'x\n');
    assert.equal(readFileSync(join(dir, 'a_stdout'), 'utf8'), 'x\n');
    assert.equal(readFileSync(join(dir, 'b_stdout'), 'utf8'), 'x\n');
  }));

test('numbers after the command stay strings (echo 007 prints 007)', () =>
  inTempDir(async (dir) => {
    const r = await runCli(['-p', 'n_', 'echo', '007', '1e3'], { cwd: dir });
    assert.equal(r.stdout, '007 1e3\n');
  }));

test('-q and -l NONE silence duct; the default INFO level prints the summary', () =>
  inTempDir(async (dir) => {
    const quiet = await runCli(['-q', '-p', 'q_', 'exit-with', '0'], { cwd: dir });
    assert.equal(quiet.stderr, '');
    const none = await runCli(['-l', 'none', '-p', 'l_', 'exit-with', '0'], { cwd: dir });
    assert.equal(none.stderr, '');
    const info = await runCli(['-p', 'i_', 'exit-with', '0'], { cwd: dir });
    assert.match(info.stderr, /Summary:\nExit Code: 0\n/);
    assert.match(info.stderr, /Log files location: i_/);
  }));

test('--summary-format with con-duct conversions, and an unknown field fails before running', () =>
  inTempDir(async (dir) => {
    const r = await runCli(['-p', 's_', '--summary-format', 'code={exit_code!E} wall={wall_clock_time:.1f} cmd={command}\n', 'exit-with', '0'], { cwd: dir });
    assert.equal(r.code, 0);
    assert.match(r.stderr, /code=0 wall=\d+\.\d cmd=exit-with 0\n/);
    const bad = await runCli(['-p', 't_', '--summary-format', '{peak_rsss}', 'exit-with', '0'], { cwd: dir });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown field \{peak_rsss\} in --summary-format: valid fields are exit_code/);
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('t_')), []);
  }));

test('--colors colors the exit code; DUCT_COLORS=0 means off (con-duct read it as on)', () =>
  inTempDir(async (dir) => {
    const on = await runCli(['--colors', '-p', 'c_', 'exit-with', '0'], { cwd: dir });
    assert.match(on.stderr, /Exit Code: \x1b\[1;32m0\x1b\[0m/);
    const off = await runCli(['-p', 'd_', 'exit-with', '0'], { cwd: dir, env: { DUCT_COLORS: '0' } });
    assert.doesNotMatch(off.stderr, /\x1b\[/);
    const bad = await runCli(['-p', 'e_', 'exit-with', '0'], { cwd: dir, env: { DUCT_COLORS: 'maybe' } });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid value 'maybe' for DUCT_COLORS/);
  }));

test('-m/--message and --mode are recorded in info.json', () =>
  inTempDir(async (dir) => {
    const r = await runCli(['-m', 'ablation 3', '--mode', 'current-session', '-p', 'm_', 'exit-with', '0'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(readFileSync(join(dir, 'm_info.json'), 'utf8'));
    assert.equal(info.message, 'ablation 3');
    assert.equal(info.mode, 'current-session');
    await assertRunValid(join(dir, 'm_'));
  }));

test('-t system-summary writes info.json only; -t processes-samples writes usage.jsonl only', () =>
  inTempDir(async (dir) => {
    await runCli(['-t', 'system-summary', '-c', 'none', '-p', 'sys_', 'exit-with', '0'], { cwd: dir });
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('sys_')), ['sys_info.json']);
    await runCli(['-t', 'processes-samples', '-c', 'none', '-p', 'proc_', 'exit-with', '0'], { cwd: dir });
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('proc_')), ['proc_usage.jsonl']);
  }));
