import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jobEnvironment } from '../../src/files/environment.js';

test("the job's SLURM_, PBS_ and OSG variables, sorted, and nothing else", () => {
  const env = { PATH: '/bin', SLURM_JOB_ID: '42', HOME: '/h', PBS_JOBID: '7.server', SLURM_CPUS_PER_TASK: '4', OSG_SITE_NAME: 'X', MY_SLURM_X: '1', SLURMX: '2' };
  assert.deepEqual(jobEnvironment(env).variables, { OSG_SITE_NAME: 'X', PBS_JOBID: '7.server', SLURM_CPUS_PER_TASK: '4', SLURM_JOB_ID: '42' });
  assert.deepEqual(Object.keys((jobEnvironment(env).variables as object)), ['OSG_SITE_NAME', 'PBS_JOBID', 'SLURM_CPUS_PER_TASK', 'SLURM_JOB_ID']);
  assert.deepEqual(jobEnvironment({ PATH: '/bin' }), { variables: {} });
});

test("inside a SLURM job, the job's request is recorded beside the variables; outside, only the variables", () => {
  const env = { SLURM_JOB_ID: '42', SLURM_MEM_PER_NODE: '8192', SLURM_CPUS_PER_TASK: '4', SBATCH_TIMELIMIT: '1:00:00' };
  assert.deepEqual(jobEnvironment(env).slurm_request, {
    job_id: '42',
    mem_bytes: 8 * 1024 ** 3,
    mem_source: 'SLURM_MEM_PER_NODE',
    cpus: 4,
    cpus_source: 'SLURM_CPUS_PER_TASK',
    time_limit_seconds: 3600,
    time_source: 'SBATCH_TIMELIMIT',
  });
  assert.equal('slurm_request' in jobEnvironment({ PBS_JOBID: '7' }), false);
});
