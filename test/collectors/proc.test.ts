import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { procCollector } from '../../src/collectors/proc.js';
import { HeldFiles } from '../../src/collectors/held-files.js';
import { REPO_ROOT } from '../helpers/cli.js';

const procRoot = join(REPO_ROOT, 'test', 'fixtures', 'proc', 'session');
const collector = procCollector({ procRoot, clockTick: 100, pageSize: 4096 });
const ALL = new Set(['rss', 'pss', 'uss', 'hwm', 'cputime', 'io_read', 'io_write', 'cmd', 'state']);

test('proc collector on a fixture tree: every field in its unit', async () => {
  const r = await collector.collect([4000, 4001, 4242], ALL);
  assert.deepEqual([...r.perPid.keys()], [4000, 4001], 'a pid with no /proc entry is absent');
  assert.deepEqual(r.perPid.get(4000), {
    elapsed: 1000.5 - 950,
    cputime: 3,
    rss: 2560 * 4096,
    state: 'S',
    hwm: 40960 * 1024,
    pss: 6144 * 1024,
    uss: (1024 + 4096) * 1024,
    io_read: 8192,
    io_write: 4096,
    cmd: 'python3 train.py --epochs 3',
  });
  assert.equal(r.perPid.get(4001)!['cputime'], 8);
  assert.ok(Math.abs((r.perPid.get(4001)!['elapsed'] as number) - 10.5) < 1e-9);
});

test('proc collector reads only what the fields need', async () => {
  const r = await collector.collect([4000], new Set(['cputime']));
  assert.deepEqual(Object.keys(r.perPid.get(4000)!).sort(), ['cputime', 'elapsed']);
});

test('a kernel thread: comm in brackets for its command, no VmHWM, no PSS', async () => {
  const r = await collector.collect([12], ALL);
  const k = r.perPid.get(12)!;
  assert.equal(k['cmd'], '[kworker/u8:0-ext4]');
  assert.equal(k['hwm'], undefined);
  assert.equal(k['pss'], undefined);
  assert.equal(k['state'], 'I');
});

test('availability: a fixture tree without io for self says why', () => {
  const a = collector.available();
  assert.equal(a['rss'], null);
  assert.equal(a['hwm'], null);
  assert.match(String(a['pss']), /smaps_rollup/);
  assert.match(String(a['io_read']), /io/);
  const none = procCollector({ procRoot: '/nonexistent', clockTick: 100, pageSize: 4096 }).available();
  assert.match(String(none['rss']), /not readable/);
});

test('proc collector on the real /proc reads this process', async () => {
  const real = procCollector({ procRoot: '/proc', clockTick: 100, pageSize: 4096 });
  const r = await real.collect([process.pid], ALL);
  const me = r.perPid.get(process.pid)!;
  assert.ok((me['hwm'] as number) >= (me['rss'] as number) * 0.9);
  assert.ok((me['pss'] as number) > 0 && (me['uss'] as number) <= (me['pss'] as number) + 4096);
  assert.ok((me['cputime'] as number) > 0);
});

test('proc collector through held descriptors reads what it reads by path; a VmHWM-only pass skips stat', async () => {
  const files = new HeldFiles();
  try {
    const byPath = await collector.collect([4000, 4001, 4242, 12], ALL);
    for (let i = 0; i < 2; i++) {
      const held = await collector.collect([4000, 4001, 4242, 12], ALL, files);
      assert.deepEqual(held.perPid, byPath.perPid);
    }
    assert.ok(files.size >= 4, 'stat and status of 4000 and 4001 are held');
    const hwm = await collector.collect([4000, 4242], new Set(['hwm']), files);
    assert.deepEqual([...hwm.perPid], [[4000, { hwm: 40960 * 1024 }]], 'no age, no stat; a pid with no status is gone');
  } finally {
    files.close();
  }
});
