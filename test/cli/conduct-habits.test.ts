import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DUCT_VERSION } from '../../src/version.js';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';

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
