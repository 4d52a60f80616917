import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOnPath, parsePs, psArgv, psCollector } from '../../src/collectors/ps.js';
import { parsePsDuration } from '../../src/collectors/ps-time.js';

const durations: Array<[string, number]> = [
  ['00:00:05', 5],
  ['01:02:03', 3723],
  ['2-03:04:05', 2 * 86400 + 3 * 3600 + 4 * 60 + 5],
  ['05:07', 307], // etime under an hour
  ['0:01.23', 1.23], // BSD/macOS time
  ['1:02:03.50', 3723.5],
];
for (const [text, secs] of durations) {
  test(`parsePsDuration(${JSON.stringify(text)}) = ${secs}`, () => {
    assert.ok(Math.abs(parsePsDuration(text) - secs) < 1e-9);
  });
}

test('parsePsDuration rejects what is not a duration', () => {
  for (const bad of ['', 'abc', '1:2:3:4', '-05:00']) assert.throws(() => parsePsDuration(bad), /not a ps duration/, bad);
});

test('psArgv asks every ps field in one call, args last', () => {
  assert.deepEqual(psArgv([10, 20]), ['-ww', '-o', 'pid=,rss=,vsz=,%mem=,time=,etime=,stat=,args=', '-p', '10,20']);
});

test('parsePs converts KiB to bytes and durations to seconds, keeps args with spaces', () => {
  const text = [
    '  4000  10240 123456  0.5 00:01:05    01:02:03 Ss   python3 train.py --lr 0.1',
    '  4001    512   2048  0.0 1-00:00:00 2-00:00:00 R+      worker  a  b',
    'garbage line',
    '',
  ].join('\n');
  const out = parsePs(text);
  assert.equal(out.size, 2);
  assert.deepEqual(out.get(4000), { rss: 10240 * 1024, vsz: 123456 * 1024, pmem: 0.5, cputime: 65, etime: 3723, elapsed: 3723, state: 'Ss', cmd: 'python3 train.py --lr 0.1' });
  assert.equal(out.get(4001)!['cputime'], 86400);
  assert.equal(out.get(4001)!['cmd'], 'worker  a  b');
});

test('the ps collector reads this very process in one call', async () => {
  const c = psCollector();
  assert.equal(c.available()['rss'], null);
  const r = await c.collect([process.pid, 999_999_999], new Set(['rss', 'cputime', 'cmd']));
  const me = r.perPid.get(process.pid);
  assert.ok(me, 'a row for this process');
  assert.ok((me['rss'] as number) > 10 * 1024 * 1024, 'node uses more than 10 MiB');
  assert.equal(me['vsz'], undefined, 'only the fields asked for');
  assert.match(String(me['cmd']), /node/);
  assert.equal(r.perPid.has(999_999_999), false);
});

test('a missing ps binary is unavailable with the reason', () => {
  const reason = psCollector('/nonexistent/ps').available()['rss'];
  assert.match(String(reason), /cannot be run here/);
});

test('ps found on PATH is available without running it; verify runs it once and says why it fails', () => {
  const dir = mkdtempSync(join(tmpdir(), 'duct-ps-'));
  try {
    const counter = join(dir, 'runs');
    // a ps that counts its runs and prints no rows
    const fake = join(dir, 'ps');
    writeFileSync(fake, `#!/bin/sh\necho run >> '${counter}'\nexit 0\n`, { mode: 0o755 });
    const c = psCollector(fake);
    assert.equal(c.available()['rss'], null);
    assert.equal(existsSync(counter), false, 'available() ran ps');
    assert.match(String(c.verify!()), /printed no row for duct itself/);
    assert.match(String(c.verify!()), /printed no row/);
    assert.equal(readFileSync(counter, 'utf8'), 'run\n', 'verify ran ps once');
    assert.equal(psCollector().verify!(), null, "this machine's ps answers");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('findOnPath: an executable file on PATH, not a directory or a non-executable file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'duct-path-'));
  try {
    writeFileSync(join(dir, 'plain'), 'x', { mode: 0o644 });
    writeFileSync(join(dir, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
    mkdirSync(join(dir, 'sub'));
    assert.equal(findOnPath('tool', `/nonexistent:${dir}`), join(dir, 'tool'));
    assert.equal(findOnPath('plain', dir), null);
    assert.equal(findOnPath('sub', dir), null);
    assert.equal(findOnPath(join(dir, 'tool'), ''), join(dir, 'tool'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
