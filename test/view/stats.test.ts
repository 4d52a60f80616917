import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ListedRun } from '../../src/view/fields.js';
import { computeStats, defaultStatFields, formatStats } from '../../src/view/stats.js';

function run(command: string, peak: number, wall: number): ListedRun {
  return {
    path: `/r/${command}-${peak}_info.json`,
    prefix: `/r/${command}-${peak}_`,
    format: 'duct',
    summary: { command, cgroup_scope: 'isolate', cgroup_mem_peak: peak, wall_clock_time: wall },
    units: { cgroup_mem_peak: 'bytes', wall_clock_time: 'seconds' },
    warnings: [],
  };
}

const runs = [run('train', 100, 10), run('train', 300, 20), run('train', 200, 30), run('train', 400, 40), run('eval', 50, 5)];

test('median, p95 and max per group, against hand-computed values', () => {
  const rows = computeStats(runs, ['cgroup_mem_peak', 'wall_clock_time'], 'command');
  const train = rows.find((r) => r.group === 'train' && r.field === 'cgroup_mem_peak')!;
  assert.equal(train.n, 4);
  assert.equal(train.median, 250);
  // interpolated between order statistics: position (4 - 1) * 0.95 = 2.85 of [100, 200, 300, 400] → 300 + 0.85 * 100
  assert.ok(Math.abs(train.p95 - 385) < 1e-9, String(train.p95));
  assert.equal(train.max, 400);
  assert.equal(train.unit, 'bytes');
  const evalWall = rows.find((r) => r.group === 'eval' && r.field === 'wall_clock_time')!;
  assert.deepEqual({ n: evalWall.n, median: evalWall.median, max: evalWall.max }, { n: 1, median: 5, max: 5 });
});

test('without grouping, all runs form one group; mem_peak picks the best figure', () => {
  const rows = computeStats(runs, ['mem_peak'], null);
  assert.equal(rows.length, 1);
  assert.deepEqual({ group: rows[0]!.group, n: rows[0]!.n, median: rows[0]!.median, max: rows[0]!.max }, { group: null, n: 5, median: 200, max: 400 });
});

test('default stat fields: the run figures then every measurement key', () => {
  assert.deepEqual(defaultStatFields(runs), ['wall_clock_time', 'mem_peak', 'cpu_peak', 'cgroup_mem_peak']);
});

test('stats render as a humanized table or raw json', async () => {
  const rows = computeStats(runs, ['cgroup_mem_peak'], 'command');
  const table = await formatStats(rows, 'pyout', true);
  assert.match(table, /^GROUP\s+FIELD\s+N\s+MEDIAN\s+P95\s+MAX\n/);
  assert.match(table, /train\s+cgroup_mem_peak\s+4\s+250 B\s+385 B\s+400 B/);
  const json = JSON.parse(await formatStats(rows, 'json', true)) as { group: string; median: number }[];
  assert.deepEqual(json.map((r) => [r.group, r.median]), [['train', 250], ['eval', 50]]);
});
