import { DUCT_VERSION } from '../version.js';
import type { ExportPlan } from './plan.js';

/** Prometheus label → OTel resource attribute: the same identity under each system's naming. */
const LABEL_ATTRIBUTE: Record<string, string> = {
  job_name: 'duct.job.name',
  host: 'host.name',
  slurm_job_id: 'slurm.job.id',
  slurm_array_job_id: 'slurm.array.job.id',
  slurm_array_task_id: 'slurm.array.task.id',
  slurm_procid: 'slurm.procid',
};

export type ResourceAttributes = Record<string, string | number>;

/** What every export of duct carries; OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override it (applied by the SDK). */
export function ductResource(host: string): ResourceAttributes {
  return { 'service.name': 'duct', 'service.version': DUCT_VERSION, 'host.name': host };
}

/** A run's resource: duct's, its labels as attributes, the program's name, and the command line only when asked for. */
export function runResource(plan: Pick<ExportPlan, 'labels' | 'includeCommandLine'>, argv: readonly string[], commandLine: string): ResourceAttributes {
  const host = plan.labels.find(([k]) => k === 'host')?.[1] ?? '';
  const out = ductResource(host);
  for (const [label, value] of plan.labels) out[LABEL_ATTRIBUTE[label] ?? `duct.${label}`] = value;
  if (argv[0] !== undefined) out['process.executable.name'] = argv[0].split('/').pop()!;
  if (plan.includeCommandLine) out['process.command_line'] = commandLine;
  return out;
}
