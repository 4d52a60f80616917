import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers/cli.js';

const isRoot = process.getuid?.() === 0;

test('disk full while capturing: the command runs on, its output still reaches the terminal, one clear warning, its exit status', { skip: isRoot ? false : 'needs root to mount a small tmpfs' }, async () => {
  const t = tempDir();
  const mnt = join(t.dir, 'small');
  mkdirSync(mnt);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt]);
  try {
    const r = await runCli(['--fail-time', '0', '-p', join(mnt, 'r_'), 'sh', '-c', 'write-bytes 3; exit 7'], { cwd: t.dir });
    assert.equal(r.code, 7, r.stderr);
    assert.equal(r.stdoutBytes.length, 3 * 1024 * 1024, 'everything passed through');
    const warnings = r.stderr.split('\n').filter((l) => l.includes('cannot write captured output'));
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(warnings[0]!, /r_stdout: .*(ENOSPC|no space)/i);
    assert.ok(statSync(join(mnt, 'r_stdout')).size < 3 * 1024 * 1024);
    // the start-of-run info.json is still there and whole
    const info = JSON.parse(readFileSync(join(mnt, 'r_info.json'), 'utf8'));
    assert.equal(info.argv[0], 'sh');
  } finally {
    execFileSync('umount', ['-l', mnt]);
    t.cleanup();
  }
});
