import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isolateArgvPrefix } from '../../src/collectors/cgroup-isolate.js';

test('the isolate wrapper is a fixed script; paths and the command are arguments, never interpolated', () => {
  const dir = mkdtempSync(join(tmpdir(), 'duct-iso-'));
  try {
    const a = join(dir, 'a procs');
    const b = join(dir, "b'$(touch pwned)");
    writeFileSync(a, '');
    writeFileSync(b, '');
    const prefix = isolateArgvPrefix([a, b]);
    assert.deepEqual(prefix.slice(0, 3), ['/bin/sh', '-c', 'echo $$ > "$0" && echo $$ > "$1" && shift && exec "$@"']);
    const r = spawnSync(prefix[0]!, [...prefix.slice(1), 'sh', '-c', 'echo "$$ $1"', 'x', '$(echo not-run) ;|&'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const [pid, arg] = r.stdout.trim().split(' ', 2);
    assert.equal(readFileSync(a, 'utf8').trim(), pid, 'the command\'s own pid was written (exec keeps it)');
    assert.equal(readFileSync(b, 'utf8').trim(), pid);
    assert.equal(arg, '$(echo');
    assert.equal(r.stdout.trim(), `${pid} $(echo not-run) ;|&`);
    assert.deepEqual(isolateArgvPrefix([a]).slice(2), ['echo $$ > "$0" && exec "$@"', a]);
    assert.throws(() => isolateArgvPrefix([]));
    assert.equal(existsSync(join(dir, 'pwned')), false, 'a path is never run as shell text');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
