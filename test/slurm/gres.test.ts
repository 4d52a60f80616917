import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recommendGroup, type RecommendRun } from '../../src/slurm/recommend.js';
import { formatGroup } from '../../src/slurm/report-text.js';
import { gpuRecommendation, gpuWasteFlags, gresFlag } from '../../src/slurm/gres.js';

const GIB = 1024 ** 3;
const opts = { headroom: 0.2, cpu_quantile: 0.95 };

function run(prefix: string, summary: RecommendRun['summary']): RecommendRun {
  return { prefix, group: 'python train.py', finished: true, summary: { cgroup_scope: 'exclusive', proc_pss_total: GIB, wall_clock_time: 60, ...summary }, request: null, cpu_windows: {} };
}

test('--gres=gpu:N is the most GPUs a run used at once; the memory line sets the peak against one device', () => {
  const runs = [
    run('a_', { nvidia_gpu_count: 1, nvidia_gpu_mem_total: 9 * GIB, nvidia_gpu_util_mean: 80, gpu_device_memory: 80 * GIB }),
    run('b_', { nvidia_gpu_count: 2, nvidia_gpu_mem_total: 7 * GIB, nvidia_gpu_util_mean: 60, gpu_device_memory: 80 * GIB }),
  ];
  const g = gpuRecommendation(runs)!;
  assert.deepEqual(g, { runs: 2, gpus: 2, mem_peak_bytes: 9 * GIB, mem_source: 'nvidia_gpu_mem_total', device_bytes: 80 * GIB });
  assert.equal(gresFlag(g), '--gres=gpu:2');
  const rec = recommendGroup('python train.py', runs, opts)!;
  assert.equal(rec.sbatch, '#SBATCH --mem=1229M --time=00:02:00 --gres=gpu:2');
  const text = formatGroup(rec, 0.2, 0.95).join('\n');
  assert.match(text, /--gres=gpu:2: the most GPUs a run used at once \(nvidia_gpu_count\) over 2 runs/);
  assert.match(text, /GPU memory: peak nvidia_gpu_mem_total 9\.00 GiB of 80\.00 GiB per GPU \(11%\)/);
  assert.doesNotMatch(text, /waste/);
});

test('device memory used stands in for the run\'s own where pids were not matched; no GPU used gives no --gres', () => {
  assert.equal(gpuRecommendation([run('a_', { nvidia_gpu_count: 1, nvidia_gpu_mem_used: 3 * GIB })])?.mem_source, 'nvidia_gpu_mem_used');
  const none = recommendGroup('g', [run('a_', { nvidia_gpu_count: 0 })], opts)!;
  assert.doesNotMatch(none.sbatch, /gres/);
  assert.match(formatGroup(none, 0.2, 0.95).join('\n'), /--gres: no run used a GPU .*request none/);
  assert.equal(gpuRecommendation([run('a_', {})]), null, 'no GPU measured: no GPU figure at all');
  assert.equal(recommendGroup('g', [run('a_', {})], opts)!.sbatch.includes('gres'), false);
});

test('idle GPUs are flagged with jobstats\' thresholds: under 15% red, under 25% a warning', () => {
  const runs = [run('a_', { nvidia_gpu_count: 1, nvidia_gpu_util_mean: 9 }), run('b_', { nvidia_gpu_count: 1, nvidia_gpu_util_mean: 20 }), run('c_', { nvidia_gpu_count: 1, nvidia_gpu_util_mean: 25 })];
  assert.deepEqual(gpuWasteFlags(runs), [{ prefix: 'a_', util_mean_percent: 9, level: 'red' }, { prefix: 'b_', util_mean_percent: 20, level: 'warn' }]);
  const text = formatGroup(recommendGroup('g', runs, opts)!, 0.2, 0.95).join('\n');
  assert.match(text, /waste \(red\): a_: GPU utilization 9\.00% on average, under 15%/);
  assert.match(text, /waste \(warning\): b_: GPU utilization 20\.00% on average, under 25%/);
  assert.doesNotMatch(text, /c_: GPU/);
});
