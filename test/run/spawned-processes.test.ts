import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DUCT_BIN, FIXTURE_BIN, inTempDir } from '../helpers/cli.js';

/** strace can trace a child here (installed, and ptrace allowed), or why not. */
function straceMissing(): string | false {
  const r = spawnSync('strace', ['-f', '-qq', '-e', 'trace=execve', '-o', '/dev/null', 'true'], { stdio: 'ignore' });
  if (r.error) return 'strace is not installed';
  return r.status === 0 ? false : 'strace cannot trace here (ptrace not permitted)';
}
const skip = process.platform !== 'linux' ? 'needs Linux' : straceMissing();

/**
 * Run duct under `strace -ff -e trace=execve` (one trace file per process, so no call is split
 * across lines) and return the programs every process other than duct itself executed: its
 * successful execve only, since a PATH search's misses are not processes.
 */
function execsUnderDuct(dir: string, args: string[]): string[] {
  const traces = mkdtempSync(join(dir, 'trace-'));
  const env = { ...process.env, XDG_CONFIG_HOME: join(dir, '.xdg-none'), DUCT_CONFIG_PATHS: '', PATH: `${FIXTURE_BIN}:${process.env.PATH ?? ''}` };
  const r = spawnSync('strace', ['-ff', '-qq', '-s', '4096', '-e', 'trace=execve', '-o', join(traces, 't'), process.execPath, DUCT_BIN, ...args], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const programs: string[] = [];
  let ducts = 0;
  for (const file of readdirSync(traces)) {
    for (const line of readFileSync(join(traces, file), 'utf8').split('\n')) {
      if (!/^execve\(.* = 0$/.test(line)) continue;
      const program = /^execve\("([^"]+)"/.exec(line)![1]!;
      if (program === process.execPath && line.includes(DUCT_BIN)) ducts++;
      else programs.push(program);
    }
  }
  rmSync(traces, { recursive: true, force: true });
  assert.equal(ducts, 1, 'duct itself is exec\'d once');
  return programs;
}

test('a run spawns the command and the watchdog and nothing else (no probes, no getconf, no ps)', { skip }, async () => {
  await inTempDir(async (dir) => {
    for (const round of ['first', 'second']) {
      const programs = execsUnderDuct(dir, ['-q', '--clobber', '-p', 'D/', 'true']);
      assert.deepEqual(programs.map((p) => p.split('/').pop()).sort(), ['sh', 'true'], `${round} run executed ${programs.join(', ')}`);
      assert.ok(programs.includes('/bin/sh'), 'the watchdog is /bin/sh');
    }
    const info = JSON.parse(readFileSync(join(dir, 'D', 'info.json'), 'utf8')) as { system: Record<string, unknown> };
    assert.equal(info.system['unavailable'], undefined, 'the system block was still gathered');
  });
});

test('the trace sees what duct runs: a selected ps key costs ps runs', { skip }, async () => {
  await inTempDir(async (dir) => {
    const programs = execsUnderDuct(dir, ['-q', '-p', 'P/', '--measurements', 'ps_rss_total', '--s-i', '0.05', '--', 'sleep', '0.3']);
    assert.ok(programs.filter((p) => p.endsWith('/ps')).length >= 2, `expected the availability check and per-sample ps runs: ${programs.join(', ')}`);
  });
});
