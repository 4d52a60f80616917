import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jobEnvironment } from '../../src/files/environment.js';

test("the job's SLURM_, PBS_ and OSG variables, sorted, and nothing else", () => {
  const env = { PATH: '/bin', SLURM_JOB_ID: '42', HOME: '/h', PBS_JOBID: '7.server', SLURM_CPUS_PER_TASK: '4', OSG_SITE_NAME: 'X', MY_SLURM_X: '1', SLURMX: '2' };
  assert.deepEqual(jobEnvironment(env), { variables: { OSG_SITE_NAME: 'X', PBS_JOBID: '7.server', SLURM_CPUS_PER_TASK: '4', SLURM_JOB_ID: '42' } });
  assert.deepEqual(Object.keys((jobEnvironment(env).variables as object)), ['OSG_SITE_NAME', 'PBS_JOBID', 'SLURM_CPUS_PER_TASK', 'SLURM_JOB_ID']);
  assert.deepEqual(jobEnvironment({ PATH: '/bin' }), { variables: {} });
});
