import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recommend, recommendGroup, type RecommendRun } from '../../src/slurm/recommend.js';
import type { SlurmRequest } from '../../src/slurm/request.js';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const opts = { headroom: 0.2, cpu_quantile: 0.95 };

/** A run whose cgroup was verified to hold it alone, unless its summary says otherwise. */
function run(prefix: string, summary: RecommendRun['summary'], extra: Partial<RecommendRun> = {}): RecommendRun {
  return { prefix, group: 'python train.py', finished: true, summary: { cgroup_scope: 'exclusive', ...summary }, request: null, cpu_windows: {}, ...extra };
}

test('a shared cgroup\'s high-water mark is never a run\'s memory: its PSS sizes --mem instead', () => {
  const rec = recommendGroup(
    'g',
    [
      run('a_', { cgroup_scope: 'shared', cgroup_mem_peak: 1.9 * GIB, proc_pss_total: 515 * MIB, proc_rss_total: 1.1 * GIB }),
      run('b_', { cgroup_scope: 'unverified', cgroup_mem_peak: 1.9 * GIB, proc_pss_total: 500 * MIB }),
    ],
    opts,
  )!;
  assert.equal(rec.memory?.key, 'proc_pss_total');
  assert.equal(rec.memory?.peak_bytes, 515 * MIB);
  // a mix: the key every run has wins, and a shared cgroup's mark is not counted as having it
  const mixed = recommendGroup('g', [run('a_', { cgroup_mem_peak: GIB, proc_pss_total: 900 * MIB }), run('b_', { cgroup_scope: 'shared', cgroup_mem_peak: 3 * GIB, proc_pss_total: 800 * MIB })], opts)!;
  assert.equal(mixed.memory?.key, 'proc_pss_total');
  assert.equal(mixed.memory?.peak_bytes, 900 * MIB);
  const onlyShared = recommendGroup('g', [run('a_', { cgroup_mem_peak: GIB }), run('b_', { cgroup_scope: 'shared', cgroup_mem_peak: 3 * GIB })], opts)!;
  assert.equal(onlyShared.memory?.peak_bytes, GIB);
  assert.match(onlyShared.skipped[0]?.reason ?? '', /shared with other processes/);
});

function request(mem_bytes: number | null, cpus: number | null, time_limit_seconds: number | null = null): SlurmRequest {
  return { job_id: '1', mem_bytes, mem_source: 'SLURM_MEM_PER_NODE', cpus, cpus_source: 'SLURM_CPUS_PER_TASK', time_limit_seconds, time_source: null };
}

test('memory from the largest cgroup_mem_peak plus 20%, time from the longest run plus 20%', () => {
  const rec = recommendGroup(
    'g',
    [
      run('a_', { cgroup_mem_peak: 1000 * MIB, proc_rss_total: 900 * MIB, wall_clock_time: 500 }),
      run('b_', { cgroup_mem_peak: 2000 * MIB, proc_rss_total: 1900 * MIB, wall_clock_time: 600 }),
    ],
    opts,
  )!;
  assert.equal(rec.memory?.key, 'cgroup_mem_peak');
  assert.equal(rec.memory?.peak_bytes, 2000 * MIB);
  assert.equal(rec.memory?.value, '2400M');
  assert.equal(rec.time?.max_wall_seconds, 600);
  assert.equal(rec.time?.value, '00:12:00');
  assert.equal(rec.cpus, null);
  assert.equal(rec.runs_used, 2);
  assert.equal(rec.sbatch, '#SBATCH --mem=2400M --time=00:12:00');
});

test('without cgroup_mem_peak the best memory key present is used, and named', () => {
  const rec = recommendGroup('g', [run('a_', { ps_rss_total: 3 * GIB, proc_rss_total: 2.5 * GIB, wall_clock_time: 10 })], opts)!;
  assert.equal(rec.memory?.key, 'proc_rss_total');
  assert.equal(rec.memory?.value, `${Math.ceil(2.5 * 1024 * 1.2)}M`);
});

test('the key covering most runs wins over a better key present in fewer', () => {
  const rec = recommendGroup(
    'g',
    [
      run('a_', { cgroup_mem_peak: 5 * GIB, proc_rss_total: 1 * GIB }),
      run('b_', { proc_rss_total: 2 * GIB }),
      run('c_', { proc_rss_total: 3 * GIB }),
    ],
    opts,
  )!;
  assert.equal(rec.memory?.key, 'proc_rss_total');
  assert.equal(rec.memory?.runs, 3);
  // a tie goes to the better key; the run without it is listed as skipped
  const tie = recommendGroup('g', [run('a_', { cgroup_mem_peak: 5 * GIB }), run('b_', { proc_rss_total: 2 * GIB })], opts)!;
  assert.equal(tie.memory?.key, 'cgroup_mem_peak');
  assert.deepEqual(tie.skipped, [{ prefix: 'b_', reason: 'no cgroup_mem_peak' }]);
  assert.equal(tie.runs_used, 1);
  assert.equal(tie.runs, 2);
});

test('CPUs: p95 of the total CPU rate over every usage window, in cores, rounded up, no headroom', () => {
  // 20 windows: 19 at 150%, one spike at 390%. R-7 p95 over 20 sorted points: index 18.05 → 150 + 0.05 × 240 = 162
  const windows = [...Array(19).fill(150), 390];
  const rec = recommendGroup('g', [run('a_', { cgroup_mem_peak: GIB, proc_pdcpu_total: 390 }, { cpu_windows: { proc_pdcpu_total: windows } })], opts)!;
  assert.equal(rec.cpus?.key, 'proc_pdcpu_total');
  assert.equal(rec.cpus?.points, 20);
  assert.ok(Math.abs(rec.cpus!.percentile_percent - 162) < 1e-9);
  assert.equal(rec.cpus?.value, 2);
});

test('CPUs: a single-threaded job reading 101% asks for one core; 1.2 cores asks for two', () => {
  const one = recommendGroup('g', [run('a_', { cgroup_mem_peak: GIB }, { cpu_windows: { proc_pdcpu_total: [101, 100, 99] } })], opts)!;
  assert.equal(one.cpus?.value, 1);
  const two = recommendGroup('g', [run('a_', { cgroup_mem_peak: GIB }, { cpu_windows: { proc_pdcpu_total: [120, 120] } })], opts)!;
  assert.equal(two.cpus?.value, 2);
  const idle = recommendGroup('g', [run('a_', { cgroup_mem_peak: GIB }, { cpu_windows: { proc_pdcpu_total: [0, 0] } })], opts)!;
  assert.equal(idle.cpus?.value, 1);
});

test('CPUs: a run without its usage series counts with its run peak', () => {
  const rec = recommendGroup(
    'g',
    [run('a_', { cgroup_mem_peak: GIB, ps_pdcpu_total: 310 }), run('b_', { cgroup_mem_peak: GIB }, { cpu_windows: { ps_pdcpu_total: [100, 100, 100] } })],
    opts,
  )!;
  assert.equal(rec.cpus?.runs, 2);
  assert.equal(rec.cpus?.points, 4);
  // sorted [100,100,100,310]: index 2.85 → 100 + 0.85 × 210 = 278.5
  assert.ok(Math.abs(rec.cpus!.percentile_percent - 278.5) < 1e-9);
  assert.equal(rec.cpus?.value, 3);
});

test('headroom 0 gives the measured peak itself, rounded up', () => {
  const rec = recommendGroup('g', [run('a_', { cgroup_mem_peak: 100 * MIB + 1, wall_clock_time: 120 })], { headroom: 0, cpu_quantile: 0.95 })!;
  assert.equal(rec.memory?.value, '101M');
  assert.equal(rec.time?.value, '00:02:00');
});

test('runs still going and groups with no memory measurement are set aside', () => {
  const runs = [
    run('a_', { cgroup_mem_peak: GIB }),
    run('live_', { cgroup_mem_peak: 9 * GIB }, { finished: false }),
    run('x_', { wall_clock_time: 5 }, { group: 'sleep 5' }),
  ];
  const { groups, unmeasured } = recommend(runs, opts);
  assert.equal(groups.length, 1);
  assert.equal(groups[0]?.group, 'python train.py');
  assert.equal(groups[0]?.memory?.peak_bytes, GIB);
  assert.deepEqual(groups[0]?.skipped, [{ prefix: 'live_', reason: 'still running' }]);
  assert.deepEqual(unmeasured, ['sleep 5']);
});

test('the job-level cgroup peak is reported beside the step peak', () => {
  const rec = recommendGroup('g', [run('a_', { cgroup_mem_peak: GIB, cgroup_job_mem_peak: 1.5 * GIB }), run('b_', { cgroup_mem_peak: GIB })], opts)!;
  assert.equal(rec.job_mem_peak_bytes, 1.5 * GIB);
  assert.equal(recommendGroup('g', [run('a_', { cgroup_mem_peak: GIB })], opts)!.job_mem_peak_bytes, null);
});

test('waste: runs that used under half their request are flagged, per resource', () => {
  const runs = [
    // 1 GiB used of 8 GiB; 0.5 cores mean of 4; 100 s of a 1 h limit
    run('big_', { cgroup_mem_peak: GIB, proc_cpu_seconds: 50, wall_clock_time: 100 }, { request: request(8 * GIB, 4, 3600) }),
    // 3 GiB of 4 GiB, 2 cores of 2: not flagged
    run('fit_', { cgroup_mem_peak: 3 * GIB, proc_pdcpu_total_mean: 200, wall_clock_time: 100 }, { request: request(4 * GIB, 2) }),
    // no request recorded: never flagged
    run('free_', { cgroup_mem_peak: GIB, wall_clock_time: 100 }),
  ];
  const rec = recommendGroup('g', runs, opts)!;
  assert.deepEqual(
    rec.waste.map((w) => [w.prefix, w.resource, w.source]),
    [
      ['big_', 'memory', 'cgroup_mem_peak'],
      ['big_', 'cpus', 'proc_cpu_seconds / wall_clock_time'],
      ['big_', 'time', 'wall_clock_time'],
    ],
  );
  const [mem, cpus] = rec.waste;
  assert.equal(mem?.fraction, 1 / 8);
  assert.equal(cpus?.used, 0.5);
  assert.equal(cpus?.fraction, 0.125);
});

test('waste: memory is judged on the job-level peak where it was recorded', () => {
  const rec = recommendGroup('g', [run('a_', { cgroup_mem_peak: GIB, cgroup_job_mem_peak: 3 * GIB }, { request: request(4 * GIB, null) })], opts)!;
  assert.deepEqual(rec.waste, []);
  const low = recommendGroup('g', [run('a_', { cgroup_mem_peak: GIB, cgroup_job_mem_peak: 1.5 * GIB }, { request: request(4 * GIB, null) })], opts)!;
  assert.equal(low.waste[0]?.source, 'cgroup_job_mem_peak');
  assert.equal(low.waste[0]?.used, 1.5 * GIB);
});
