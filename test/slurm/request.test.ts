import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJobCpusPerNode, parseSlurmTime, slurmRequest } from '../../src/slurm/request.js';

const MIB = 1024 * 1024;

test('outside SLURM there is no request', () => {
  assert.equal(slurmRequest({ HOME: '/root' }), null);
  assert.equal(slurmRequest({ SLURM_JOB_ID: '' }), null);
});

test('--mem and --cpus-per-task, as a batch job recorded on the test cluster sees them', () => {
  // the environment of `sbatch --mem=200M --cpus-per-task=1` on SLURM 22.05
  const req = slurmRequest({
    SLURM_JOB_ID: '1',
    SLURM_MEM_PER_NODE: '200',
    SLURM_CPUS_PER_TASK: '1',
    SLURM_CPUS_ON_NODE: '1',
    SLURM_JOB_CPUS_PER_NODE: '1',
  });
  assert.deepEqual(req, {
    job_id: '1',
    mem_bytes: 200 * MIB,
    mem_source: 'SLURM_MEM_PER_NODE',
    cpus: 1,
    cpus_source: 'SLURM_CPUS_PER_TASK',
    time_limit_seconds: null,
    time_source: null,
  });
});

test('--mem-per-cpu is multiplied by the CPUs on the node', () => {
  const req = slurmRequest({ SLURM_JOB_ID: '3', SLURM_MEM_PER_CPU: '100', SLURM_CPUS_PER_TASK: '2', SLURM_CPUS_ON_NODE: '4' });
  assert.equal(req?.mem_bytes, 400 * MIB);
  assert.equal(req?.mem_source, 'SLURM_MEM_PER_CPU');
  assert.equal(req?.cpus, 2);
  const noOnNode = slurmRequest({ SLURM_JOB_ID: '3', SLURM_MEM_PER_CPU: '100', SLURM_JOB_CPUS_PER_NODE: '3(x2)' });
  assert.equal(noOnNode?.mem_bytes, 300 * MIB);
  assert.equal(noOnNode?.cpus, 3);
  assert.equal(noOnNode?.cpus_source, 'SLURM_JOB_CPUS_PER_NODE');
});

test('SLURM_JOBID (the old name) identifies a job too; junk values are ignored', () => {
  const req = slurmRequest({ SLURM_JOBID: '9', SLURM_MEM_PER_NODE: 'lots', SLURM_CPUS_PER_TASK: '-2' });
  assert.equal(req?.job_id, '9');
  assert.equal(req?.mem_bytes, null);
  assert.equal(req?.cpus, null);
});

test('time limit from SLURM_TIMELIMIT, the job start/end times, or SBATCH_TIMELIMIT', () => {
  assert.equal(slurmRequest({ SLURM_JOB_ID: '1', SLURM_TIMELIMIT: '1-00:00:00' })?.time_limit_seconds, 86400);
  const fromTimes = slurmRequest({ SLURM_JOB_ID: '1', SLURM_JOB_START_TIME: '1700000000', SLURM_JOB_END_TIME: '1700003600' });
  assert.equal(fromTimes?.time_limit_seconds, 3600);
  assert.equal(fromTimes?.time_source, 'SLURM_JOB_END_TIME');
  const sb = slurmRequest({ SLURM_JOB_ID: '1', SBATCH_TIMELIMIT: '30', SLURM_TIMELIMIT: 'UNLIMITED' });
  assert.equal(sb?.time_limit_seconds, 1800);
  assert.equal(sb?.time_source, 'SBATCH_TIMELIMIT');
});

const times: [string, number | null][] = [
  ['30', 1800],
  ['30:15', 1815],
  ['2:00:00', 7200],
  ['1-12', 129600],
  ['1-12:30', 131400],
  ['2-00:00:01', 172801],
  ['UNLIMITED', null],
  ['INFINITE', null],
  ['1:2:3:4', null],
  ['', null],
];
for (const [text, seconds] of times) {
  test(`parseSlurmTime(${JSON.stringify(text)}) = ${seconds}`, () => assert.equal(parseSlurmTime(text), seconds));
}

test('parseJobCpusPerNode takes the first node', () => {
  assert.equal(parseJobCpusPerNode('4'), 4);
  assert.equal(parseJobCpusPerNode('4(x3)'), 4);
  assert.equal(parseJobCpusPerNode('8(x2),4'), 8);
  assert.equal(parseJobCpusPerNode('x'), null);
});
