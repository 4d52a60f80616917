import { slurmRequest } from '../slurm/request.js';

/** Batch-system variables recorded with a run, as con-duct records them (its ENV_PREFIXES). */
export const JOB_ENV_PREFIXES = ['SLURM_', 'PBS_', 'OSG'] as const;

/**
 * info.json's `environment`: the job's SLURM_*, PBS_* and OSG* variables under `variables`,
 * sorted by name so two runs of one job compare line by line; and, inside a SLURM job, what
 * it asked for (`slurm_request`: memory, CPUs, time limit, each with the variable it came from).
 */
export function jobEnvironment(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const variables: Record<string, string> = {};
  for (const name of Object.keys(env).sort()) {
    const value = env[name];
    if (value !== undefined && JOB_ENV_PREFIXES.some((p) => name.startsWith(p)) && /^[A-Za-z0-9_]+$/.test(name)) variables[name] = value;
  }
  const request = slurmRequest(env);
  return request ? { variables, slurm_request: request } : { variables };
}
