import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers/cli.js';
import { assertRunValid } from '../helpers/validate.js';

const cases: Array<[string, string[], number]> = [
  ['exit 0', ['exit-with', '0'], 0],
  ['exit 3', ['exit-with', '3'], 3],
  ['killed by SIGKILL', ['kill-self', 'KILL'], 137],
  ['killed by SIGTERM (never 241 or negative)', ['kill-self', 'TERM'], 143],
];

for (const [title, cmd, expected] of cases) {
  test(`duct exits as the command did: ${title} → ${expected}`, async () => {
    const t = tempDir();
    try {
      const r = await runCli(['--fail-time', '0', '-p', 'out/run_', '--', ...cmd], { cwd: t.dir });
      assert.equal(r.code, expected, r.stderr);
      const info = JSON.parse(readFileSync(join(t.dir, 'out/run_info.json'), 'utf8'));
      assert.equal(info.status, 'finished');
      assert.equal(info.duct_exit_code, expected);
      await assertRunValid(join(t.dir, 'out/run_'));
      if (expected > 128) {
        assert.equal(info.exit_code, null);
        assert.match(info.signal, /^SIG(KILL|TERM)$/);
      } else {
        assert.equal(info.exit_code, expected);
      }
    } finally {
      t.cleanup();
    }
  });
}

test('a command that does not exist exits 127 with one line and leaves no files', async () => {
  const t = tempDir();
  try {
    const r = await runCli(['-p', 'deep/dir/run_', 'no-such-command-xyz', '--flag'], { cwd: t.dir });
    assert.equal(r.code, 127);
    assert.equal(r.stderr, 'duct: no-such-command-xyz: command not found\n');
    assert.deepEqual(readdirSync(t.dir), []);
  } finally {
    t.cleanup();
  }
});

test('a file that is not executable exits 126 with one line and leaves no files', async () => {
  const t = tempDir();
  try {
    writeFileSync(join(t.dir, 'script.sh'), 'echo hi\n', { mode: 0o644 });
    const r = await runCli(['-p', 'logs/run_', './script.sh'], { cwd: t.dir });
    assert.equal(r.code, 126);
    assert.match(r.stderr, /^duct: \.\/script\.sh: permission denied .*\n$/);
    assert.equal(r.stderr.split('\n').length, 2);
    assert.equal(existsSync(join(t.dir, 'logs')), false);
  } finally {
    t.cleanup();
  }
});

test('a command shorter than the intervals returns at once and still writes its files', async () => {
  const t = tempDir();
  try {
    const started = Date.now();
    const r = await runCli(['--s-i', '5', '--r-i', '30', '-p', 'run_', 'exit-with', '0'], { cwd: t.dir });
    const took = Date.now() - started;
    assert.equal(r.code, 0, r.stderr);
    assert.ok(took < 4000, `took ${took} ms, should not wait out a 5 s interval`);
    for (const f of ['run_info.json', 'run_usage.jsonl', 'run_stdout', 'run_stderr']) assert.ok(existsSync(join(t.dir, f)), f);
    await assertRunValid(join(t.dir, 'run_'));
  } finally {
    t.cleanup();
  }
});
