import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromPidusageStat, pidusageCollector } from '../../src/collectors/pidusage.js';

test('fromPidusageStat keeps the raw ctime (ms → s) and memory, not pidusage\'s own cpu figure', () => {
  assert.deepEqual(fromPidusageStat({ cpu: 123, memory: 4096, ppid: 1, pid: 2, ctime: 1500, elapsed: 3000, timestamp: 0 }), { rss: 4096, cputime: 1.5, elapsed: 3 });
});

test('the pidusage collector reads this process; a vanished pid is simply absent', async () => {
  const c = pidusageCollector();
  assert.equal(c.available()['rss'], null);
  const r = await c.collect([process.pid, 999_999_999], new Set(['rss', 'cputime']));
  const me = r.perPid.get(process.pid)!;
  assert.ok((me['rss'] as number) > 10 * 1024 * 1024);
  assert.ok((me['cputime'] as number) > 0);
  assert.ok((me['elapsed'] as number) > 0);
  assert.equal(r.perPid.has(999_999_999), false);
  const alone = await c.collect([999_999_999], new Set(['rss']));
  assert.equal(alone.perPid.size, 0);
});

