import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupValue, jobVariables, recordedRequest, toRecommendRun } from '../../src/slurm/from-run-view.js';
import type { RunView, UsagePoint } from '../../src/files/run-view.js';

function view(info: Record<string, unknown>, summary: RunView['summary'], points: UsagePoint[] = []): RunView {
  return { format: 'duct', prefix: 'logs/1/0_', info_path: 'logs/1/0_info.json', info, summary, units: {}, warnings: [], usage: () => Promise.resolve(points) };
}

test('job variables come from environment.variables, or flat as first written', () => {
  assert.deepEqual(jobVariables({ environment: { variables: { SLURM_JOB_ID: '5', HOME: '/x' }, slurm_request: {} } }), { SLURM_JOB_ID: '5' });
  assert.deepEqual(jobVariables({ environment: { SLURM_JOB_ID: '5', PBS_JOBID: '7', other: 1 } }), { SLURM_JOB_ID: '5', PBS_JOBID: '7' });
  assert.deepEqual(jobVariables({}), {});
});

test('the request is the recorded one, else parsed from the recorded variables', () => {
  const stored = { job_id: '9', mem_bytes: 1, mem_source: null, cpus: 2, cpus_source: null, time_limit_seconds: null, time_source: null };
  assert.deepEqual(recordedRequest({ environment: { variables: { SLURM_JOB_ID: '5' }, slurm_request: stored } }), stored);
  assert.equal(recordedRequest({ environment: { variables: { SLURM_JOB_ID: '5', SLURM_MEM_PER_NODE: '1024' } } })?.mem_bytes, 1024 * 1024 * 1024);
  assert.equal(recordedRequest({ environment: { variables: {} } }), null);
});

test('runs group by a summary field, a recorded variable, or all together', () => {
  const v = view({ environment: { variables: { SLURM_JOB_NAME: 'train' } } }, { command: 'python train.py', exit_code: 0 });
  assert.equal(groupValue(v, 'command'), 'python train.py');
  assert.equal(groupValue(v, 'exit_code'), '0');
  assert.equal(groupValue(v, 'SLURM_JOB_NAME'), 'train');
  assert.equal(groupValue(v, 'none'), 'all runs');
  assert.equal(groupValue(v, 'message'), null);
});

test('toRecommendRun reads the CPU rate of every usage window, and only when the run has a rate key', async () => {
  const points: UsagePoint[] = [
    { time_ms: 0, values: { proc_pdcpu_total: 50, proc_rss_total: 1 } },
    { time_ms: 1000, values: { proc_rss_total: 1 } },
    { time_ms: 2000, values: { proc_pdcpu_total: 150 } },
  ];
  const r = await toRecommendRun(view({}, { command: 'x', status: 'finished', proc_pdcpu_total: 150 }, points), 'command');
  assert.deepEqual(r.cpu_windows, { proc_pdcpu_total: [50, 150] });
  assert.equal(r.finished, true);
  assert.equal(r.group, 'x');
  let read = false;
  const noRate = view({}, { status: 'running' });
  noRate.usage = () => ((read = true), Promise.resolve(points));
  const r2 = await toRecommendRun(noRate, 'command');
  assert.equal(read, false);
  assert.deepEqual(r2.cpu_windows, {});
  assert.equal(r2.finished, false);
  assert.equal(r2.group, '(no command)');
});
