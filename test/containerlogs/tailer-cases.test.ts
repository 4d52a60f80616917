import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tempDir } from '../helpers/cli.js';
import { brief, containerDir, cri, readAll, ts, write } from './pods.js';

const MiB = 1024 * 1024;

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const { dir, cleanup } = tempDir('duct-clogs-');
    try {
      await fn(dir);
    } finally {
      cleanup();
    }
  };
}

test('a split inside a multi-byte character is joined as bytes and decoded whole', withDir(async (dir) => {
  const c = containerDir(dir);
  const text = Buffer.from('loss → 0.25 😀');
  const cut1 = text.indexOf('→') + 1; // inside the 3-byte arrow
  const cut2 = text.length - 2; // inside the 4-byte emoji
  write(join(c, '0.log'), cri(ts(1), 'stdout', 'P', text.subarray(0, cut1)), cri(ts(1, 5), 'stdout', 'P', text.subarray(cut1, cut2)), cri(ts(2), 'stdout', 'F', text.subarray(cut2)));
  const { records } = await readAll([join(dir, '*/*/*.log')]);
  assert.deepEqual(records.map(brief), [['stdout', 'loss → 0.25 😀', 3, false, false]]);
  assert.equal(records[0]!.original_length_bytes, text.length);
}));

test('a trailing P without its F is flushed as incomplete on close', withDir(async (dir) => {
  const c = containerDir(dir);
  write(join(c, '0.log'), cri(ts(1), 'stdout', 'F', 'done'), cri(ts(2), 'stdout', 'P', 'half a '), cri(ts(3), 'stdout', 'P', 'line'));
  const { records } = await readAll([join(dir, '*/*/*.log')]);
  assert.deepEqual(records.map(brief), [['stdout', 'done', 1, false, false], ['stdout', 'half a line', 2, false, true]]);
  assert.equal(records[1]!.time, ts(2));
}));

test('a 1.5 MiB line in 16 KiB chunks is capped at 1 MiB with its original length', withDir(async (dir) => {
  const c = containerDir(dir);
  const chunk = 16 * 1024;
  const full = Buffer.alloc(1.5 * MiB);
  for (let i = 0; i < full.length; i++) full[i] = 97 + (i % 26);
  const lines: Buffer[] = [];
  for (let at = 0; at < full.length; at += chunk) {
    const last = at + chunk >= full.length;
    lines.push(cri(ts(1), 'stdout', last ? 'F' : 'P', full.subarray(at, at + chunk)));
  }
  lines.push(cri(ts(2), 'stdout', 'F', 'next'));
  write(join(c, '0.log'), ...lines);
  const { records } = await readAll([join(dir, '*/*/*.log')]);
  assert.equal(records.length, 2);
  assert.equal(records[0]!.message, full.subarray(0, MiB).toString());
  assert.deepEqual([records[0]!.chunks, records[0]!.truncated, records[0]!.original_length_bytes, records[0]!.incomplete], [96, true, 1.5 * MiB, false]);
  assert.deepEqual(brief(records[1]!), ['stdout', 'next', 1, false, false]);
}));

test('a 1.2 MB single physical line is capped at 1 MiB, cut on a character boundary', withDir(async (dir) => {
  const c = containerDir(dir);
  const body = Buffer.from('é'.repeat(600_000)); // 1.2 MB, 2 bytes per character
  write(join(c, '0.log'), cri(ts(1), 'stderr', 'F', body), cri(ts(2), 'stderr', 'F', 'after'));
  const { records } = await readAll([join(dir, '*/*/*.log')]);
  assert.equal(records.length, 2);
  assert.equal(records[0]!.message, 'é'.repeat(MiB / 2));
  assert.deepEqual([records[0]!.chunks, records[0]!.truncated, records[0]!.original_length_bytes], [1, true, 1_200_000]);
  assert.deepEqual(brief(records[1]!), ['stderr', 'after', 1, false, false]);
}));

test('a P…F straddling a rotation is one record; rotated .gz and plain siblings are read first, oldest first, once', withDir(async (dir) => {
  const c = containerDir(dir);
  writeFileSync(join(c, '0.log.20240501-095000.gz'), gzipSync(Buffer.concat([cri(ts(1), 'stdout', 'F', 'oldest')])));
  write(join(c, '0.log.20240501-095500'), cri(ts(2), 'stdout', 'F', 'older'), cri(ts(3), 'stdout', 'P', 'straddles '));
  write(join(c, '0.log'), cri(ts(4), 'stderr', 'F', 'err'), cri(ts(5), 'stdout', 'F', 'the rotation'));
  writeFileSync(join(c, '0.log.20240501-095500.gz.tmp'), 'half-written compression: ignored');
  const state = join(dir, 'state');
  mkdirSync(state);
  const first = await readAll([join(dir, '*/*/*.log')], { stateDir: state });
  assert.deepEqual(first.notices, []);
  assert.deepEqual(first.records.map(brief), [
    ['stdout', 'oldest', 1, false, false],
    ['stdout', 'older', 1, false, false],
    ['stderr', 'err', 1, false, false],
    ['stdout', 'straddles the rotation', 2, false, false],
  ]);
  assert.equal(first.records[3]!.file, join(c, '0.log.20240501-095500'));
  // kubelet compresses the plain rotated file: same content, new name; nothing is read again
  writeFileSync(join(c, '0.log.20240501-095500.gz'), gzipSync(readFileSync(join(c, '0.log.20240501-095500'))));
  rmSync(join(c, '0.log.20240501-095500'));
  appendFileSync(join(c, '0.log'), cri(ts(6), 'stdout', 'F', 'new'));
  const second = await readAll([join(dir, '*/*/*.log')], { stateDir: state });
  assert.deepEqual(second.records.map(brief), [['stdout', 'new', 1, false, false]]);
}));

test('copytruncate: the copy is read from where the live file was left, the truncated file from its start', withDir(async (dir) => {
  const c = containerDir(dir);
  const state = join(dir, 'state');
  mkdirSync(state);
  const live = join(c, '0.log');
  write(live, cri(ts(1), 'stdout', 'F', 'one'));
  assert.deepEqual((await readAll([live], { stateDir: state })).records.map((r) => r.message), ['one']);
  appendFileSync(live, cri(ts(2), 'stdout', 'F', 'two'));
  writeFileSync(join(c, '0.log.20240501-100002'), readFileSync(live)); // copy ...
  truncateSync(live, 0); // ... then truncate in place
  appendFileSync(live, cri(ts(3), 'stdout', 'F', 'three'));
  const after = await readAll([live], { stateDir: state });
  assert.deepEqual(after.records.map((r) => r.message), ['two', 'three']);
  assert.deepEqual(after.records.map((r) => r.file), [join(c, '0.log.20240501-100002'), live]);
}));

test('a restart from the cursor mid-file neither re-emits nor skips; the cursor file is 0600', withDir(async (dir) => {
  const c = containerDir(dir);
  const state = join(dir, 'state');
  mkdirSync(state);
  const live = join(c, '0.log');
  write(live, cri(ts(1), 'stdout', 'F', 'a'), cri(ts(2), 'stdout', 'F', 'b'));
  appendFileSync(live, '2024-05-01T10:00:03Z stdout F torn wri'); // a line still being written is left for later
  assert.deepEqual((await readAll([live], { stateDir: state })).records.map((r) => r.message), ['a', 'b']);
  assert.equal(statSync(join(state, 'detect-cursor.json')).mode & 0o777, 0o600);
  appendFileSync(live, Buffer.concat([Buffer.from('te\n'), cri(ts(4), 'stdout', 'F', 'd')]));
  assert.deepEqual((await readAll([live], { stateDir: state })).records.map((r) => r.message), ['torn write', 'd']);
  assert.deepEqual((await readAll([live], { stateDir: state })).records, []);
}));

test('an inode reused by a new file does not inherit the old offset', withDir(async (dir) => {
  const c = containerDir(dir);
  const state = join(dir, 'state');
  mkdirSync(state);
  const live = join(c, '0.log');
  write(live, cri(ts(1), 'stdout', 'F', 'old'));
  const oldInode = statSync(live).ino;
  await readAll([live], { stateDir: state });
  rmSync(live);
  // longer than the old offset, so an offset kept by inode or path would skip its first line
  write(live, cri(ts(9), 'stdout', 'F', 'new file, first line'), cri(ts(9), 'stdout', 'F', 'second'));
  const again = await readAll([live], { stateDir: state });
  assert.deepEqual(again.records.map((r) => r.message), ['new file, first line', 'second']);
  // ext4 and tmpfs usually hand the freed inode straight back; the outcome must not depend on it
  assert.equal(typeof oldInode, 'number');
}));

test('Docker json-file: partials without a trailing newline are joined per stream', withDir(async (dir) => {
  const c = containerDir(dir, 'web', 'api-7c9', 'uid-2', 'app');
  const j = (log: string, stream: string, time: string) => Buffer.from(JSON.stringify({ log, stream, time }) + '\n');
  write(join(c, '2.log'), j('part one, ', 'stdout', ts(1)), j('oops\n', 'stderr', ts(2)), j('part two\n', 'stdout', ts(3)), j('  spaced  \n', 'stdout', ts(4)));
  const { records } = await readAll([join(dir, '*/*/*.log')]);
  assert.deepEqual(records.map(brief), [
    ['stderr', 'oops', 1, false, false],
    ['stdout', 'part one, part two', 2, false, false],
    ['stdout', '  spaced  ', 1, false, false],
  ]);
  assert.deepEqual([records[0]!.format, records[0]!.namespace, records[0]!.pod, records[0]!.container, records[0]!.restart_count], ['docker', 'web', 'api-7c9', 'app', 2]);
}));

test('malformed lines are counted and reported, never fatal', withDir(async (dir) => {
  const c = containerDir(dir);
  write(join(c, '0.log'), cri(ts(1), 'stdout', 'F', 'good'), Buffer.from('garbage without fields\n'), Buffer.from('yesterday stdout F bad time\n'), cri(ts(2), 'stdout', 'F', 'still good'));
  const { records, notices } = await readAll([join(dir, '*/*/*.log')]);
  assert.deepEqual(records.map((r) => r.message), ['good', 'still good']);
  const line1 = cri(ts(1), 'stdout', 'F', 'good').length;
  assert.deepEqual(notices, [
    { kind: 'malformed', file: join(c, '0.log'), offset: line1, reason: 'stream is not stdout or stderr' },
    { kind: 'malformed', file: join(c, '0.log'), offset: line1 + 23, reason: 'timestamp is not RFC 3339' },
  ]);
}));

test('a corrupt cursor is reported and reading starts from --start-at', withDir(async (dir) => {
  const c = containerDir(dir);
  const state = join(dir, 'state');
  mkdirSync(state);
  writeFileSync(join(state, 'detect-cursor.json'), '{"version":1,"files":[{"oops"');
  write(join(c, '0.log'), cri(ts(1), 'stdout', 'F', 'x'));
  const { records, notices } = await readAll([join(dir, '*/*/*.log')], { stateDir: state });
  assert.deepEqual(records.map((r) => r.message), ['x']);
  assert.equal(notices.length, 1);
  assert.equal(notices[0]!.kind, 'cursor_unreadable');
  // and it was rewritten whole
  assert.equal((JSON.parse(readFileSync(join(state, 'detect-cursor.json'), 'utf8')) as { files: unknown[] }).files.length, 1);
}));

test('--start-at end skips history (rotated files included) and reads only what comes after', withDir(async (dir) => {
  const c = containerDir(dir);
  const state = join(dir, 'state');
  mkdirSync(state);
  writeFileSync(join(c, '0.log.20240501-095000.gz'), gzipSync(cri(ts(1), 'stdout', 'F', 'ancient')));
  write(join(c, '0.log'), cri(ts(2), 'stdout', 'F', 'history'));
  assert.deepEqual((await readAll([join(dir, '*/*/*.log')], { stateDir: state, startAt: 'end' })).records, []);
  appendFileSync(join(c, '0.log'), cri(ts(3), 'stdout', 'F', 'fresh'));
  assert.deepEqual((await readAll([join(dir, '*/*/*.log')], { stateDir: state, startAt: 'end' })).records.map((r) => r.message), ['fresh']);
}));

test('a symlinked log file is never opened', withDir(async (dir) => {
  const c = containerDir(dir);
  const secret = join(dir, 'secret.txt');
  writeFileSync(secret, cri(ts(1), 'stdout', 'F', 'secret'));
  symlinkSync(secret, join(c, '0.log'));
  // a glob does not match it, and naming it does not open it either
  const globbed = await readAll([join(dir, '*/*/*.log')]);
  assert.deepEqual(globbed.records, []);
  assert.deepEqual(globbed.notices, [{ kind: 'no_match', pattern: join(dir, '*/*/*.log') }]);
  const named = await readAll([join(c, '0.log')]);
  assert.deepEqual(named.records, []);
  assert.deepEqual(named.notices, [{ kind: 'skipped', file: join(c, '0.log'), reason: 'is a symlink' }]);
}));

test('a rename rotation between two passes continues in the rotated file, then the new one', withDir(async (dir) => {
  const c = containerDir(dir);
  const state = join(dir, 'state');
  mkdirSync(state);
  const live = join(c, '0.log');
  write(live, cri(ts(1), 'stdout', 'F', 'one'));
  await readAll([join(dir, '*/*/*.log')], { stateDir: state });
  appendFileSync(live, cri(ts(2), 'stdout', 'F', 'two'));
  renameSync(live, join(c, '0.log.20240501-100002'));
  write(live, cri(ts(3), 'stdout', 'F', 'three'));
  assert.deepEqual((await readAll([join(dir, '*/*/*.log')], { stateDir: state })).records.map((r) => r.message), ['two', 'three']);
}));

test('a pattern starting with ! excludes what it matches, such as duct\'s own pod', withDir(async (dir) => {
  const app = containerDir(dir, 'ml', 'train-0', 'u1', 'trainer');
  const own = containerDir(dir, 'duct', 'duct-abcde', 'u2', 'duct');
  write(join(app, '0.log'), cri(ts(1), 'stdout', 'F', 'app'));
  write(join(own, '0.log'), cri(ts(1), 'stdout', 'F', '{"kind":"cuda_oom","body":"CUDA out of memory"}'));
  const { records } = await readAll([join(dir, '*/*/*.log'), `!${join(dir, 'duct_*/**')}`]);
  assert.deepEqual(records.map((r) => [r.namespace, r.message]), [['ml', 'app']]);
}));

test('down during a rotation and its compression: the restart reads the rest of the .gz from the cursor offset, then the new file', withDir(async (dir) => {
  const c = containerDir(dir);
  const state = join(dir, 'state');
  mkdirSync(state);
  const live = join(c, '0.log');
  write(live, cri(ts(1), 'stdout', 'F', 'seen'), cri(ts(2), 'stdout', 'P', 'split '));
  const first = await readAll([join(dir, '*/*/*.log')], { stateDir: state });
  assert.deepEqual(first.records.map(brief), [['stdout', 'seen', 1, false, false], ['stdout', 'split ', 1, false, true]]);
  // while duct is down: more lines, rotation, compression, a new live file
  appendFileSync(live, Buffer.concat([cri(ts(3), 'stdout', 'F', 'unseen'), cri(ts(4), 'stderr', 'F', 'also unseen')]));
  writeFileSync(join(c, '0.log.20240501-100004.gz'), gzipSync(readFileSync(live)));
  rmSync(live);
  write(live, cri(ts(5), 'stdout', 'F', 'after'));
  const second = await readAll([join(dir, '*/*/*.log')], { stateDir: state });
  assert.deepEqual(second.records.map(brief), [
    ['stdout', 'unseen', 1, false, false],
    ['stderr', 'also unseen', 1, false, false],
    ['stdout', 'after', 1, false, false],
  ]);
  assert.equal(second.records[0]!.file, join(c, '0.log.20240501-100004.gz'));
}));

test('--start-at end applies to a first start only: after a restart from a cursor, a pod that appeared meanwhile is read whole', withDir(async (dir) => {
  const state = join(dir, 'state');
  mkdirSync(state);
  const a = containerDir(dir, 'ml', 'a', 'ua', 'c');
  write(join(a, '0.log'), cri(ts(1), 'stdout', 'F', 'history of a'));
  assert.deepEqual((await readAll([join(dir, '*/*/*.log')], { stateDir: state, startAt: 'end' })).records, []);
  const b = containerDir(dir, 'ml', 'b', 'ub', 'c');
  write(join(b, '0.log'), cri(ts(2), 'stdout', 'F', 'b started while duct was down'));
  const again = await readAll([join(dir, '*/*/*.log')], { stateDir: state, startAt: 'end' });
  assert.deepEqual(again.records.map((r) => [r.pod, r.message]), [['b', 'b started while duct was down']]);
}));
