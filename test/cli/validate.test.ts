import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pollUntil, REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';
import { assertRunValid } from '../helpers/validate.js';

const CONDUCT = join(REPO_ROOT, 'test', 'fixtures', 'conduct');

async function inTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const t = tempDir();
  try {
    await fn(t.dir);
  } finally {
    t.cleanup();
  }
}

// every kind of run the run loop writes differently: each must validate, through the CLI and the helper
const runs: Array<[string, string[], NodeJS.ProcessEnv, number]> = [
  ['a command that succeeds, with output and a message', ['-m', 'first try', '--', 'sh', '-c', 'echo out; echo err >&2'], {}, 0],
  ['a command that fails', ['--fail-time', '0', '--', 'exit-with', '3'], {}, 3],
  ['a command killed by a signal', ['--fail-time', '0', '--', 'kill-self', 'KILL'], {}, 137],
  ['a run whose output trips the detectors (events.jsonl)', ['--fail-time', '0', '--', 'sh', '-c', 'echo "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.15 GiB" >&2; echo "RuntimeError: DataLoader worker (pid 4242) is killed by signal: Killed." >&2; exit 1'], {}, 1],
  ['a SLURM job, nothing captured, current session', ['-c', 'none', '--mode', 'current-session', '--', 'exit-with', '0'], { SLURM_JOB_ID: '4242', SLURM_CPUS_PER_TASK: '2', PBS_JOBID: '7.pbs' }, 0],
];
for (const [what, args, env, code] of runs) {
  test(`every file duct writes validates: ${what}`, () =>
    inTemp(async (dir) => {
      const r = await runCli(['-p', 'logs/run_', ...args], { cwd: dir, env });
      assert.equal(r.code, code, r.stderr);
      await assertRunValid(join(dir, 'logs/run_'));
      const v = await runCli(['validate', 'logs/run_'], { cwd: dir });
      assert.equal(v.code, 0, v.stdout + v.stderr);
      assert.match(v.stdout, /^logs\/run_: valid: duct schema \d+\.\d+\.\d+; run_info\.json/m);
      const info = JSON.parse(readFileSync(join(dir, 'logs/run_info.json'), 'utf8'));
      assert.equal(typeof info.system.hostname, 'string');
      if (code === 1) assert.match(v.stdout, /run_events\.jsonl \(2 records\)/);
      if (env.SLURM_JOB_ID) assert.deepEqual(info.environment.variables, { PBS_JOBID: '7.pbs', SLURM_CPUS_PER_TASK: '2', SLURM_JOB_ID: '4242' });
    }));
}

test('a run whose duct was SIGKILLed mid-run leaves files that validate (status running)', () =>
  inTemp(async (dir) => {
    let pid = 0;
    const done = runCli(['-p', 'k_', '--', 'sleep', '30'], { cwd: dir, onSpawn: (c) => (pid = c.pid!) });
    await pollUntil(() => existsSync(join(dir, 'k_info.json')), 10_000, 'info.json at start');
    process.kill(pid, 'SIGKILL');
    await done;
    const info = JSON.parse(readFileSync(join(dir, 'k_info.json'), 'utf8'));
    // the command was left running in its own session: end it
    if (typeof info.pid === 'number') {
      try {
        process.kill(-info.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    assert.equal(info.status, 'running');
    await assertRunValid(join(dir, 'k_'));
  }));

test('invalid files: each problem as file:line: field: what, exit 1', () =>
  inTemp(async (dir) => {
    const r = await runCli(['-p', 'a_', '--', 'exit-with', '0'], { cwd: dir });
    assert.equal(r.code, 0);
    const info = JSON.parse(readFileSync(join(dir, 'a_info.json'), 'utf8'));
    info.exit_code = 'zero';
    info.extra = true;
    writeFileSync(join(dir, 'a_info.json'), JSON.stringify(info, null, 2));
    writeFileSync(join(dir, 'a_usage.jsonl'), '{"timestamp": "2025-01-31T12:00:00Z", "num_samples": 1, "measurements": {}}\nnot json\n');
    const v = await runCli(['validate', 'a_'], { cwd: dir });
    assert.equal(v.code, 1, v.stderr);
    const lines = v.stdout.trim().split('\n');
    assert.equal(lines.length, 4, v.stdout);
    assert.match(lines[0]!, /^a_info\.json:\d+: \/exit_code: must be an integer or null, got a string$/);
    assert.match(lines[1]!, /^a_info\.json:\d+: \/extra: unknown field \(not in the closed shape of the top level\)$/);
    assert.equal(lines[2], "a_usage.jsonl:2: not JSON: Unexpected token 'o'");
    assert.match(lines[3]!, /^a_: INVALID: duct schema .*; 3 errors$/);
    assert.equal(v.stderr, '');
  }));

test('a torn last line is a warning and the run still validates (exit 0); a file alone is checked by its name', () =>
  inTemp(async (dir) => {
    const r = await runCli(['-p', 't_', '--', 'exit-with', '0'], { cwd: dir });
    assert.equal(r.code, 0);
    writeFileSync(join(dir, 't_usage.jsonl'), '{"timestamp": "2025-01-31T12:00:00Z", "num_samples": 1, "measurements": {}}\n{"timestamp": "2025-01-31T12:01:00Z", "num_sam');
    const v = await runCli(['validate', 't_'], { cwd: dir });
    assert.equal(v.code, 0, v.stdout);
    assert.match(v.stdout, /^t_usage\.jsonl:2: warning: torn last line: \d+ bytes without a newline/m);
    assert.match(v.stdout, /^t_: valid: .*; 1 warning$/m);
    const alone = await runCli(['validate', 't_usage.jsonl'], { cwd: dir });
    assert.equal(alone.code, 0);
    assert.match(alone.stdout, /^t_usage\.jsonl: valid: .*t_usage\.jsonl \(1 record\); 1 warning$/m);
    writeFileSync(join(dir, 't_info.json'), '');
    const empty = await runCli(['validate', 't_info.json'], { cwd: dir });
    assert.equal(empty.code, 1);
    assert.match(empty.stdout, /^t_info\.json:1: empty file \(expected one JSON object\)$/m);
  }));

test('a directory of runs: every run under it is checked, and the count is given', () =>
  inTemp(async (dir) => {
    for (const n of ['1', '2']) assert.equal((await runCli(['-p', `logs/j${n}/`, '--', 'exit-with', '0'], { cwd: dir })).code, 0);
    mkdirSync(join(dir, 'logs/bad'));
    writeFileSync(join(dir, 'logs/bad/x_info.json'), '{"schema_version": "1.0.0"');
    const v = await runCli(['validate', 'logs'], { cwd: dir });
    assert.equal(v.code, 1);
    assert.match(v.stdout, /^logs\/bad\/x_info\.json:1: not JSON: the text ends before the value does \(truncated\?\)$/m);
    assert.match(v.stdout, /^logs\/j1\/: valid/m);
    assert.match(v.stdout, /^logs\/j2\/: valid/m);
    assert.match(v.stdout, /^2 of 3 valid$/m);
    const quiet = await runCli(['validate', '-q', 'logs/j1/', 'logs/j2/'], { cwd: dir });
    assert.equal(quiet.code, 0);
    assert.equal(quiet.stdout, '');
  }));

test('con-duct 0.2.x runs are named legacy and checked against their own rules', () =>
  inTemp(async (dir) => {
    cpSync(CONDUCT, join(dir, 'conduct'), { recursive: true });
    const ok = await runCli(['validate', 'conduct/v0.2.1/'], { cwd: dir });
    assert.equal(ok.code, 0, ok.stdout);
    assert.match(ok.stdout, /^conduct\/v0\.2\.1\/2024\.10\.03T09\.15\.00-51234_: valid: legacy con-duct run \(schema 0\.2\.1\), checked against con-duct 0\.2\.x rules; .*usage\.json \(3 records\)$/m);
    const nan = await runCli(['validate', 'conduct/v0.2.0-nan/2024.09.20T08.00.00-4242_'], { cwd: dir });
    assert.equal(nan.code, 0, nan.stdout);
    assert.match(nan.stdout, /info\.json:1: warning: con-duct \(Python\) wrote NaN or Infinity, which JSON lacks; read as null/);
    const bad = await runCli(['validate', 'conduct/invalid/'], { cwd: dir });
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /_info\.json:1: \/execution_summary\/peak_rss: must be an integer or null, got a string$/m);
    assert.match(bad.stdout, /_usage\.json:1: \/totals: missing required field$/m);
    const old = await runCli(['validate', 'conduct/v0.1.1/'], { cwd: dir });
    assert.equal(old.code, 1);
    assert.match(old.stdout, /con-duct schema 0\.1\.1 is not supported: duct reads con-duct runs of schema 0\.2\.x/);
  }));

test('usage errors and a PATH with no run exit 2 with one line naming the input', () =>
  inTemp(async (dir) => {
    writeFileSync(join(dir, 'notes.txt'), 'x');
    const cases: Array<[string[], RegExp]> = [
      [['validate'], /^duct: duct validate needs a PATH \(a run's output prefix, a directory of runs, or a file\)/],
      [['validate', 'nowhere_'], /^duct: no run at nowhere_: it is not a file or a directory, and no nowhere_info\.json exists/],
      [['validate', '.'], /^duct: no run at \.: the directory holds no <prefix>info\.json/],
      [['validate', 'notes.txt'], /^duct: no run at notes\.txt: a file to check must be named <prefix>info\.json, <prefix>usage\.jsonl/],
      [['validate', '--strict', 'x'], /^duct: unknown option --strict/],
    ];
    for (const [args, expected] of cases) {
      const r = await runCli(args, { cwd: dir });
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, expected);
      assert.equal(r.stdout, '');
    }
    const help = await runCli(['validate', '--help'], { cwd: dir });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Examples:\n\s+duct validate \.duct\/logs\//);
  }));

test('hand-made files, each through the CLI: the message and the exit status', () =>
  inTemp(async (dir) => {
    const r = await runCli(['-p', 'h_', '--', 'exit-with', '0'], { cwd: dir });
    assert.equal(r.code, 0);
    const info = JSON.parse(readFileSync(join(dir, 'h_info.json'), 'utf8'));
    // a size key the usage lines below may carry
    if (!info.measurements.selected.includes('proc_rss_total')) {
      info.measurements.selected.push('proc_rss_total');
      info.measurements.units.proc_rss_total = 'bytes';
    }
    const good = JSON.stringify(info);
    const line = (v: unknown) => JSON.stringify(v) + '\n';
    const usage = (m: string) => `{"timestamp": "2025-01-31T12:00:00Z", "num_samples": 1, "measurements": {${m}}}\n`;
    const cases: Array<[string, string, string, number, RegExp]> = [
      ['wrong type', 'h_info.json', line({ ...info, duct_pid: '42' }), 1, /^h_info\.json:1: \/duct_pid: must be an integer, got a string$/m],
      ['unknown field in a closed shape', 'h_info.json', line({ ...info, output_paths: { ...info.output_paths, log: 'x' } }), 1, /^h_info\.json:1: \/output_paths\/log: unknown field \(not in the closed shape of \/output_paths\)$/m],
      ['missing required field', 'h_info.json', line({ ...info, status: undefined }), 1, /^h_info\.json:1: \/status: missing required field$/m],
      ['empty file', 'h_info.json', '', 1, /^h_info\.json:1: empty file/m],
      ['not JSON', 'h_info.json', '<html>', 1, /^h_info\.json:1: not JSON: Unexpected token '<'$/m],
      ['a NaN', 'h_usage.jsonl', usage('"proc_rss_total": NaN'), 1, /^h_usage\.jsonl:1: not JSON: NaN and Infinity are not JSON numbers/m],
      ['a 2 GB number (valid)', 'h_usage.jsonl', usage('"proc_rss_total": 2147483648000'), 0, /^h_: valid: .*h_usage\.jsonl \(1 record\)$/m],
      ['a number past 2^53', 'h_usage.jsonl', usage('"proc_rss_total": 9007199254740993'), 1, /^h_usage\.jsonl:1: \/measurements\/proc_rss_total: must be at most 9007199254740991/m],
      ['torn last line', 'h_usage.jsonl', usage('') + '{"times', 0, /^h_usage\.jsonl:2: warning: torn last line: 7 bytes without a newline/m],
    ];
    for (const [what, file, content, code, expected] of cases) {
      writeFileSync(join(dir, 'h_info.json'), good);
      writeFileSync(join(dir, 'h_usage.jsonl'), '');
      writeFileSync(join(dir, file), content);
      const v = await runCli(['validate', 'h_'], { cwd: dir });
      assert.equal(v.code, code, `${what}: ${v.stdout}`);
      assert.match(v.stdout, expected, what);
    }
  }));
