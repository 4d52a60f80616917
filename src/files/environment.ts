/** Placeholder until the schema issue lands: the SLURM_* and PBS_* variables of the job. */
export function jobEnvironment(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && (k.startsWith('SLURM_') || k.startsWith('PBS_'))) out[k] = v;
  return out;
}
