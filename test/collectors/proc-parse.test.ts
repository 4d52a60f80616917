import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseProcStat, parseUptime } from '../../src/collectors/proc-stat.js';
import { parseProcStatus, parseSmapsRollup } from '../../src/collectors/proc-status.js';
import { parseCmdline, parseProcIo } from '../../src/collectors/proc-io.js';

test('parseProcStat counts fields from the last ")" so a command name with spaces and parens parses', () => {
  const st = parseProcStat('4000 (python3 (x) y) S 3999 4000 4000 0 -1 4194560 1200 0 0 0 250 50 0 0 20 0 1 0 95000 123456789 2560 18446744073709551615 1 1\n');
  assert.deepEqual(st, { pid: 4000, comm: 'python3 (x) y', state: 'S', ppid: 3999, session: 4000, faults: 1200, utimeTicks: 250, stimeTicks: 50, starttimeTicks: 95000, rssPages: 2560 });
});

test('parseProcStat reads a real line recorded on this kind of kernel (6.x)', () => {
  const st = parseProcStat('6599 (cat) R 6595 6595 3508 0 -1 4194304 101 0 0 0 7 3 0 0 20 0 1 0 50859 3133440 388 18446744073709551615 94762102743040 94762102762921 140728683545232 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 94762102778928 94762102780544 94762314141696 140728683547362 140728683547382 140728683547382 140728683548651 0');
  assert.equal(st.session, 3508);
  assert.equal(st.utimeTicks + st.stimeTicks, 10);
  assert.equal(st.starttimeTicks, 50859);
  assert.equal(st.rssPages, 388);
  assert.equal(st.faults, 101, 'minflt 101 + majflt 0');
});

test('parseProcStat agrees with a split of every field on generated lines', () => {
  // the parser scans to the fields it needs; a plain split is the reference
  fc.assert(
    fc.property(fc.string({ maxLength: 20 }), fc.array(fc.nat({ max: 2 ** 40 }), { minLength: 50, maxLength: 50 }), fc.boolean(), (comm, nums, newline) => {
      const line = `77 (${comm}) S ${nums.join(' ')}${newline ? '\n' : ''}`;
      const rest = line.slice(line.lastIndexOf(')') + 2).trimEnd().split(' ');
      const n = (i: number): number => Number(rest[i]);
      assert.deepEqual(parseProcStat(line), {
        pid: 77, comm, state: 'S', ppid: n(1), session: n(3), faults: n(7) + n(9), utimeTicks: n(11), stimeTicks: n(12), starttimeTicks: n(19), rssPages: n(21),
      });
    }),
  );
  assert.throws(() => parseProcStat('1 (x) S 1 1 1 0 -1 0 5 0'), /field 12 is not a number: undefined/, 'a line cut short');
});

test('parseProcStat rejects text that is not a stat line', () => {
  assert.throws(() => parseProcStat('hello world'), /not a \/proc\/<pid>\/stat line/);
  assert.throws(() => parseProcStat('1 (x) S a b c'), /field 4 is not a number/);
});

test('parseUptime takes the first figure', () => {
  assert.equal(parseUptime('1000.50 1900.00\n'), 1000.5);
  assert.throws(() => parseUptime('x y'));
});

test('parseProcStatus gives VmHWM and VmRSS in bytes; kernel threads have neither', () => {
  assert.deepEqual(parseProcStatus('Name:\tx\nVmPeak:\t  200000 kB\nVmHWM:\t   40960 kB\nVmRSS:\t   10240 kB\n'), { hwmBytes: 40960 * 1024, rssBytes: 10240 * 1024 });
  assert.deepEqual(parseProcStatus('Name:\tkworker\nState:\tI (idle)\n'), { hwmBytes: undefined, rssBytes: undefined });
});

test('parseSmapsRollup: PSS as is, USS = private clean + private dirty', () => {
  const text = '5608b00c5000-7ffcb27af000 ---p 00000000 00:00 0   [rollup]\nRss:                1788 kB\nPss:                 294 kB\nPss_Dirty:           116 kB\nShared_Clean:       1620 kB\nPrivate_Clean:        52 kB\nPrivate_Dirty:       116 kB\n';
  assert.deepEqual(parseSmapsRollup(text), { pssBytes: 294 * 1024, ussBytes: (52 + 116) * 1024 });
  assert.throws(() => parseSmapsRollup(''), /no Pss/);
});

test('parseProcIo takes the storage-layer byte counts, not rchar/wchar', () => {
  assert.deepEqual(parseProcIo('rchar: 5000\nwchar: 300\nsyscr: 10\nsyscw: 2\nread_bytes: 8192\nwrite_bytes: 4096\ncancelled_write_bytes: 0\n'), { readBytes: 8192, writeBytes: 4096 });
  assert.throws(() => parseProcIo('rchar: 1\n'), /read_bytes/);
});

test('parseCmdline joins NUL-separated argv', () => {
  assert.equal(parseCmdline('python3\x00train.py\x00--epochs\x003\x00'), 'python3 train.py --epochs 3');
  assert.equal(parseCmdline(''), '');
});
