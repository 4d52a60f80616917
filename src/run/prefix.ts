import { homedir } from 'node:os';
import { DuctError } from '../errors.js';

/** What a SLURM placeholder becomes outside a SLURM job. */
export const OUTSIDE_SLURM = 'none';

const SLURM_PLACEHOLDERS: Record<string, string> = {
  slurm_job_id: 'SLURM_JOB_ID',
  slurm_array_job_id: 'SLURM_ARRAY_JOB_ID',
  slurm_array_task_id: 'SLURM_ARRAY_TASK_ID',
  slurm_procid: 'SLURM_PROCID',
};

export const PREFIX_PLACEHOLDERS = ['datetime', 'pid', 'hostname', ...Object.keys(SLURM_PLACEHOLDERS)];

export interface PrefixContext {
  now: Date;
  pid: number;
  hostname: string;
  env: NodeJS.ProcessEnv;
}

/** con-duct's file-safe local datetime, %Y.%m.%dT%H.%M.%S. */
export function fileSafeDatetime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}.${p(d.getMonth() + 1)}.${p(d.getDate())}T${p(d.getHours())}.${p(d.getMinutes())}.${p(d.getSeconds())}`;
}

/** Expand the placeholders of -p/--output-prefix; an unknown placeholder fails naming the valid ones. */
export function expandPrefix(template: string, ctx: PrefixContext): string {
  const expanded = template.replace(/\{([^{}]*)\}/g, (_m, name: string) => {
    switch (name) {
      case 'datetime':
        return fileSafeDatetime(ctx.now);
      case 'pid':
        return String(ctx.pid);
      case 'hostname':
        return ctx.hostname;
    }
    const slurmVar = SLURM_PLACEHOLDERS[name];
    if (slurmVar) return ctx.env[slurmVar] || OUTSIDE_SLURM;
    throw new DuctError(
      'E_OPTION_VALUE',
      `unknown placeholder {${name}} in --output-prefix '${template}': valid placeholders are ${PREFIX_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`,
    );
  });
  return expanded === '~' || expanded.startsWith('~/') ? homedir() + expanded.slice(1) : expanded;
}
