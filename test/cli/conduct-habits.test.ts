import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DUCT_VERSION } from '../../src/version.js';
import { DUCT_BIN, REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';

const CONDUCT_INFO = join(REPO_ROOT, 'test', 'fixtures', 'conduct', 'v0.2.2-jsonl', '2025.12.10T14.02.11-777_info.json');

test('--version answers on every subcommand, and after `--` it is the command\'s', async () => {
  const t = tempDir();
  try {
    for (const sub of ['run', 'ls', 'pp', 'plot', 'validate', 'detect', 'recommend']) {
      const r = await runCli([sub, '--version'], { cwd: t.dir });
      assert.equal(r.code, 0, `${sub}: ${r.stderr}`);
      assert.equal(r.stdout, `${DUCT_VERSION}\n`, sub);
    }
    const r = await runCli(['-q', '--', 'sh', '-c', 'echo "got $1"', 'sh', '--version'], { cwd: t.dir });
    assert.equal(r.stdout, 'got --version\n');
  } finally {
    t.cleanup();
  }
});

test("pp -H humanizes as con-duct's flag did; with --raw it is a usage error", async () => {
  const r = await runCli(['pp', '-H', CONDUCT_INFO], { cwd: REPO_ROOT });
  assert.equal(r.code, 0, r.stderr);
  const doc = parseYaml(r.stdout) as { system: { memory_total: string }; execution_summary: { peak_rss: string; start_time: string } };
  assert.equal(doc.execution_summary.peak_rss, '600.00 MiB');
  assert.equal(doc.execution_summary.start_time, '2024-10-03T13:15:00.012Z', "con-duct's epoch seconds shown as a time");
  assert.equal(doc.system.memory_total, '62.50 GiB');
  const both = await runCli(['pp', '-H', '--raw', CONDUCT_INFO], { cwd: REPO_ROOT });
  assert.equal(both.code, 2);
  assert.equal(both.stderr, 'duct: --raw and -H/--humanize contradict each other: give one\n');
});

test('a run with no sample shows a plain "-", never a green 0 B beside a red -%; a custom summary ends its line', async () => {
  const t = tempDir();
  try {
    const r = await runCli(['--colors', '--', 'true'], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^Memory Peak: - \(not measured\)$/m);
    assert.match(r.stderr, /^Memory Peak Usage \(RSS\): -$/m);
    assert.match(r.stderr, /^CPU Peak Usage: -$/m);
    assert.equal(/0 B/.test(r.stderr), false, r.stderr);
    const custom = await runCli(['--summary-format', 'exit {exit_code}', '--', 'true'], { cwd: t.dir });
    assert.ok(custom.stderr.endsWith('\nexit 0\n'), JSON.stringify(custom.stderr.slice(-30)));
  } finally {
    t.cleanup();
  }
});

test('typos get a suggestion, bad choices a one-line message naming the valid ones, `1 GiB` a hint', async () => {
  const t = tempDir();
  try {
    const interval = await runCli(['--sample-intreval', '1', '--', 'true'], { cwd: t.dir });
    assert.equal(interval.code, 2);
    assert.equal(interval.stderr, 'duct: unknown option --sample-intreval (did you mean --sample-interval?)\n');
    const reverse = await runCli(['ls', '--revrse'], { cwd: t.dir });
    assert.equal(reverse.stderr, 'duct: unknown option --revrse (did you mean --reverse?)\n');
    const capture = await runCli(['-c', 'stdot', '--', 'true'], { cwd: t.dir });
    assert.equal(capture.code, 2);
    assert.equal(capture.stderr, "duct: invalid value 'stdot' for --capture-outputs: choose one of all, none, stdout, stderr (did you mean stdout?)\n");
    cpSync(join(REPO_ROOT, 'test', 'fixtures', 'runs', 'basic'), join(t.dir, 'basic'), { recursive: true });
    const sort = await runCli(['ls', 'basic', '--sort', 'mem'], { cwd: t.dir });
    assert.equal(sort.code, 2);
    assert.match(sort.stderr, /^duct: --sort: unknown field 'mem' \(did you mean mem_peak\?\)/);
    const size = await runCli(['ls', 'basic', '--filter', 'mem_peak > 1 GiB'], { cwd: t.dir });
    assert.equal(size.code, 2);
    assert.match(size.stderr, /^duct: --filter, column 14: a size, duration or percent is written without a space: 1GiB, not 1 GiB$/m);
  } finally {
    t.cleanup();
  }
});

test('help wraps at the terminal width between words, never shows [default: ""], and every subcommand has an example', () => {
  const quoted = (args: string[]): string => ['node', DUCT_BIN, ...args].map((a) => `'${a}'`).join(' ');
  for (const sub of ['run', 'ls', 'pp', 'plot', 'validate', 'detect', 'recommend']) {
    const r = spawnSync('script', ['-qec', `stty cols 72; ${quoted([sub, '--help'])}`, '/dev/null'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stdout);
    const lines = r.stdout.replace(/\r/g, '').split('\n');
    assert.ok(lines.every((l) => l.length <= 72), `${sub}: a line wider than the terminal:\n${lines.find((l) => l.length > 72)}`);
    assert.doesNotMatch(r.stdout, /\[default: ""\]/, sub);
    assert.match(r.stdout, /^Examples:$/m, `${sub} has an example`);
    if (sub === 'run') assert.match(r.stdout, /\{hostname\}/, 'a placeholder is never cut in two');
  }
});
