import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers/cli.js';
import { isRoot, mountSmallFs, NEEDS_ROOT } from './small-fs.js';

test('disk full while capturing: the command runs on, its output still reaches the terminal, one clear warning, its exit status', { skip: isRoot ? false : NEEDS_ROOT }, async () => {
  const t = tempDir();
  const { mnt, unmount } = mountSmallFs(t.dir, '256k');
  try {
    // reports every 0.1 s, so usage lines are due after the disk is full
    const r = await runCli(['--fail-time', '0', '--s-i', '0.05', '--r-i', '0.1', '-p', join(mnt, 'r_'), 'sh', '-c', 'write-bytes 3; sleep 0.5; exit 7'], { cwd: t.dir });
    assert.equal(r.code, 7, r.stderr);
    assert.equal(r.stdoutBytes.length, 3 * 1024 * 1024, 'everything passed through');
    // one warning in all, naming the first file that met the full disk (the capture, or a usage line due first)
    const warnings = r.stderr.split('\n').filter((l) => /ENOSPC|no space/i.test(l));
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(warnings[0]!, /^duct: warning: cannot write .*r_(stdout|usage\.jsonl|info\.json): .*ENOSPC/);
    assert.ok(statSync(join(mnt, 'r_stdout')).size < 3 * 1024 * 1024);
    // the run's own records go on in the space duct held back: usage lines, whole, and the final info.json
    const info = JSON.parse(readFileSync(join(mnt, 'r_info.json'), 'utf8'));
    assert.equal(info.argv[0], 'sh');
    assert.equal(info.status, 'finished');
    assert.equal(info.exit_code, 7);
    assert.ok(info.warnings.some((w: string) => /ENOSPC/.test(w)), info.warnings.join('\n'));
    assert.ok(!info.warnings.some((w: string) => /destroyed/.test(w)), info.warnings.join('\n'));
    const usage = readFileSync(join(mnt, 'r_usage.jsonl'), 'utf8').split('\n');
    assert.equal(usage.pop(), '');
    assert.ok(usage.length >= 2, `usage lines after the disk filled: ${usage.length}`);
    for (const l of usage) JSON.parse(l);
  } finally {
    unmount();
    t.cleanup();
  }
});
